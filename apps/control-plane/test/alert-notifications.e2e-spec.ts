/**
 * API alerts end to end: access events published the way gateways publish them
 * (AccessEventService.Publish over the sync server's mTLS, with a registered gateway's client
 * certificate), alerts evaluated by the control plane's evaluator on a short interval, and their
 * notifications received by a real SMTP server (smtp-server, STARTTLS with a test CA, AUTH) and a
 * real webhook receiver (node:http), both on 127.0.0.1:0.
 *
 * Every control plane of a test run shares one database, and each evaluates the alerts due by its
 * own interval: this spec is the one that runs a short interval, so its control planes are the
 * ones that evaluate (and notify) the alerts made here. Messages are told apart by their unique
 * recipients and webhook paths.
 *
 * The receiver is on this host, which the default PORTICO_OUTBOUND_DENY keeps webhooks from: the
 * control planes delivering to it allow any address (`none`); the last suite runs one with the
 * default, alone (the first suite's are closed by then), and checks its refusal.
 */
import { createHmac } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AccessEvent } from '#portico/proto-ts';
import { createTestCa } from '#portico/testing';
import { accessEvent, type AccessEventPublisher, accessEventPublisher, deployedApi } from './support/access-events.js';
import type { ControlPlaneClient, ControlPlaneProcess, TestControlPlane } from './support/control-plane.js';
import { startControlPlane, startControlPlaneProcess } from './support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, type TestTenant, uniqueName } from './support/factories.js';
import { registerGateway } from './support/gateways.js';
import { firstTimeTrue } from './support/polling.js';

const SMTP_USER = 'portico';
const SMTP_PASSWORD = 'smtp-password-1';
const WEBHOOK_SECRET = 'alert-webhook-secret-0123456789';
const PUBLIC_URL = 'https://portico.example.com';

interface ReceivedMail {
  to: string[];
  from: { name: string; address?: string } | undefined;
  subject: string;
  text: string;
}

interface ReceivedHook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

/** An SMTP server on 127.0.0.1:0 offering STARTTLS with `cert` and requiring AUTH; what it received. */
async function startSmtpServer(cert: { certificatePem: string; privateKeyPem: string }) {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    key: cert.privateKeyPem,
    cert: cert.certificatePem,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: parsed.from?.value[0],
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { mails, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A webhook receiver on 127.0.0.1:0: records every POST; a path's first `failures[path]`
 * requests are answered 500.
 */
async function startWebhookReceiver() {
  const hooks: ReceivedHook[] = [];
  const failures = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      hooks.push({ path: url, headers: req.headers, body, json: JSON.parse(body), at: Date.now() });
      const left = failures.get(url) ?? 0;
      failures.set(url, left - 1);
      res.statusCode = left > 0 ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hooks,
    failures,
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A new tenant on `cp`, with a gateway registered in its Sandbox that publishes access events. */
async function tenantWithGateway(cp: ControlPlaneClient) {
  const tenant = await newTenant(cp);
  const gateway = await registerGateway(cp, tenant, uniqueName('alerts-gw'));
  return { tenant, gatewayId: gateway.gatewayId, publisher: await accessEventPublisher(gateway.dir) };
}

describe('alert notifications', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let publisher: AccessEventPublisher;
  let gatewayId: string;
  let cpVariables: Record<string, string>;
  let member: { username: string; email: string };

  beforeAll(async () => {
    const ca = await createTestCa();
    const cert = await ca.issue({ commonName: 'smtp.test', names: ['localhost', '127.0.0.1'], usage: 'server' });
    const caFile = path.join(await mkdtemp(path.join(tmpdir(), 'portico-smtp-ca-')), 'ca.pem');
    await writeFile(caFile, ca.certificatePem);
    smtp = await startSmtpServer(cert);
    receiver = await startWebhookReceiver();
    cpVariables = {
      PORTICO_ALERTS_INTERVAL_MS: '250',
      PORTICO_SMTP_HOST: '127.0.0.1',
      PORTICO_SMTP_PORT: String(smtp.port),
      PORTICO_SMTP_SECURITY: 'starttls',
      PORTICO_SMTP_USER: SMTP_USER,
      PORTICO_SMTP_PASSWORD: SMTP_PASSWORD,
      PORTICO_SMTP_CA_FILE: caFile,
      PORTICO_SMTP_FROM: 'Portico Alerts <alerts@portico.test>',
      PORTICO_PUBLIC_URL: PUBLIC_URL,
      // the receiver is on 127.0.0.1, which the default denies
      PORTICO_OUTBOUND_DENY: 'none',
    };
    cp = await startControlPlane(cpVariables);
    ({ tenant, gatewayId, publisher } = await tenantWithGateway(cp));
    const user = await newUser(cp, tenant.organizationId, ['read:organization']);
    member = { username: user.username, email: `${uniqueName('member')}@example.com` };
    await testPrisma().user.update({ where: { id: user.id }, data: { email: member.email } });
  });
  afterAll(async () => {
    publisher?.close();
    await cp?.close();
    await smtp?.close();
    await receiver?.close();
    await closeTestPrisma();
  });

  const monitoring = () =>
    `/monitoring/api/alerts/api/v2/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/alerts`;
  const apis = () => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  const call = async (method: string, urlPath: string, json?: unknown) => {
    const res = await cp.request(method, urlPath, { token: tenant.token, ...(json !== undefined && { json }) });
    if (res.status >= 300) throw new Error(`${method} ${urlPath}: ${res.status} ${res.text}`);
    return res.body;
  };
  const newApi = () => deployedApi(cp, tenant, gatewayId);
  /** Notifications: e-mail to `emails` (when any), and a signed webhook at the receiver's `hookPath` (unique per test). */
  const notify = (hookPath: string, ...emails: string[]) => [
    ...(emails.length ? [{ type: 'email', recipients: emails }] : []),
    { type: 'webhook', url: receiver.url(hookPath), secret: WEBHOOK_SECRET },
  ];
  /** A monitoring alert on `api`: more than 2 requests in the last minute, unless `fields` say otherwise. */
  const newAlert = (api: number, notifications: unknown[], fields: Record<string, unknown> = {}) =>
    call('POST', `${monitoring()}?type=basic&apiId=${api}&resourceType=api`, {
      name: uniqueName('alert'),
      severity: 'critical',
      metricType: 'api_request_count',
      resources: [{ apiId: String(api), apiVersionId: String(api), type: 'api' }],
      condition: { operator: 'above', threshold: 2, interval: 1 },
      notifications,
      ...fields,
    });
  /**
   * Publishes `count` events of `api`, `ageMs` old: inside a one-minute window for another
   * 60 s − `ageMs`, after which the traffic is back to none.
   */
  const publish = (api: number, count: number, ageMs: number, fields: Partial<AccessEvent> = {}) =>
    publisher.publish({
      events: Array.from({ length: count }, () => accessEvent({ apiId: String(api), timeUnixMs: Date.now() - ageMs, ...fields })),
      droppedTotal: 0,
    });
  const hooksAt = (hookPath: string, event?: string) =>
    receiver.hooks.filter((h) => h.path === hookPath && (event === undefined || h.json.event === event));
  const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));
  const waitFor = (what: string, probe: () => boolean) => firstTimeTrue(async () => probe(), what);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('fires once by e-mail and webhook when the request count goes above the threshold, and resolves when it drops', async () => {
    const api = await newApi();
    const address = `${uniqueName('ops')}@example.com`;
    const hookPath = `/${uniqueName('hook')}`;
    const alert = await newAlert(api, notify(hookPath, address, member.username));
    const instance = await call('GET', `${apis()}/${api}`);
    const apiName: string = instance.instanceLabel ?? instance.assetId;
    expect(apiName).toMatch(/^mcp-/);
    // four requests 50 s ago: above 2 in the last minute for the next 10 s
    expect(await publish(api, 4, 50_000)).toEqual({ accepted: 4, refused: 0 });

    await waitFor('the fired webhook', () => hooksAt(hookPath, 'alert.fired').length === 1);
    const [fired] = hooksAt(hookPath, 'alert.fired');
    const timestamp = fired!.headers['x-portico-timestamp'] as string;
    const mac = createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${fired!.body}`).digest('hex');
    expect(fired!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-portico-event': 'alert.fired',
      'x-portico-signature': `sha256=${mac}`,
      'x-portico-delivery': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(30);
    expect(fired!.json).toMatchObject({
      event: 'alert.fired',
      alert: {
        id: alert.alertId,
        name: alert.name,
        severity: 'critical',
        metric: 'request-count',
        operator: 'above',
        threshold: 2,
        state: 'firing',
      },
      api: { id: api, name: apiName },
      organizationId: tenant.organizationId,
      environment: { id: tenant.sandboxId, name: 'Sandbox' },
      value: 4,
      subject: `Critical: ${apiName} a request count`,
    });

    await waitFor('both fired e-mails', () => mailsTo(address).length === 1 && mailsTo(member.email).length === 1);
    for (const mail of [...mailsTo(address), ...mailsTo(member.email)]) {
      expect(mail.from).toEqual({ name: 'Portico Alerts', address: 'alerts@portico.test' });
      expect(mail.subject).toBe(`Critical: ${apiName} a request count`);
      expect(mail.text).toContain(`The API ${apiName} has a request count of 4 at `);
      expect(mail.text).toContain(
        'The API has reached the threshold based on a request count is above 2 for 1 period of 1 minute.',
      );
      expect(mail.text).toContain('Environment: Sandbox');
      expect(mail.text).toContain(
        `${PUBLIC_URL}/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis/${api}`,
      );
    }
    const firing = await call('GET', `${monitoring()}/${alert.alertId}`);
    // evaluations change the state, not the definition's lastModified
    expect(firing).toMatchObject({
      state: 'alerting',
      firedAt: expect.any(String),
      resolvedAt: null,
      lastModified: alert.lastModified,
    });

    await waitFor('the resolved webhook', () => hooksAt(hookPath, 'alert.resolved').length === 1);
    expect(hooksAt(hookPath, 'alert.resolved')[0]!.json).toMatchObject({
      event: 'alert.resolved',
      value: 0,
      alert: { state: 'ok' },
    });
    await waitFor('the resolved e-mails', () => mailsTo(address).length === 2 && mailsTo(member.email).length === 2);
    expect(mailsTo(address)[1]!.subject).toBe(`Resolved: Critical: ${apiName} a request count`);
    expect(mailsTo(address)[1]!.text).toContain(`The alert ${alert.name} is resolved`);
    const resolved = await call('GET', `${monitoring()}/${alert.alertId}`);
    expect(resolved).toMatchObject({ state: 'ok', firedAt: firing.firedAt, resolvedAt: expect.any(String) });

    // once each: no repeats while the state holds
    await sleep(1500);
    expect(hooksAt(hookPath).map((h) => h.json.event)).toEqual(['alert.fired', 'alert.resolved']);
    expect(mailsTo(address)).toHaveLength(2);
  });

  it('never fires a disabled alert', async () => {
    const api = await newApi();
    const [onPath, offPath] = [`/${uniqueName('on')}`, `/${uniqueName('off')}`];
    const offAddress = `${uniqueName('off')}@example.com`;
    await newAlert(api, notify(onPath, `${uniqueName('on')}@example.com`));
    const off = await call('POST', `${apis()}/${api}/alerts`, {
      name: uniqueName('disabled'),
      type: 'api-request-count',
      enabled: false,
      severity: 'Critical',
      condition: { operator: 'GREATER_THAN', value: 2 },
      period: { duration: { count: 1, weight: 'MINUTES' }, repeat: 1 },
      recipients: [
        { type: 'email', value: offAddress },
        { type: 'webhook', value: receiver.url(offPath), secret: WEBHOOK_SECRET },
      ],
    });
    await publish(api, 5, 30_000);
    // the enabled twin on the same traffic fires; then the disabled one has had many ticks too
    await waitFor('the enabled alert', () => hooksAt(onPath, 'alert.fired').length === 1);
    await sleep(1500);
    expect(hooksAt(offPath)).toEqual([]);
    expect(mailsTo(offAddress)).toEqual([]);
    expect(await call('GET', `${apis()}/${api}/alerts/${off.id}`)).toMatchObject({
      enabled: false,
      state: 'pending',
      firedAt: null,
    });
  });

  it('evaluates response-code, response-time and policy-violation alerts on the events', async () => {
    const api = await newApi();
    const policy = await call('POST', `${apis()}/${api}/policies`, {
      groupId: '68ef9520-24e9-4cf2-b2f5-620025690913',
      assetId: 'rate-limiting',
      assetVersion: '1.4.1',
      configurationData: { rateLimits: [{ maximumRequests: 1000, timePeriodInMilliseconds: 1000 }] },
    });
    const legacyAlert = (fields: Record<string, unknown>, hookPath: string) =>
      call('POST', `${apis()}/${api}/alerts`, {
        name: uniqueName('legacy'),
        severity: 'Warning',
        period: { duration: { count: 1, weight: 'MINUTES' }, repeat: 1 },
        recipients: [{ type: 'webhook', value: receiver.url(hookPath) }],
        ...fields,
      });
    const paths = Object.fromEntries(['codes', 'slow', 'average', 'violations', 'notFound'].map((n) => [n, `/${uniqueName(n)}`]));
    await legacyAlert(
      {
        type: 'api-response-code',
        condition: {
          operator: 'GREATER_THAN',
          value: 2,
          filter: [{ property: 'responseCode', operator: 'IN', values: ['503'] }],
        },
      },
      paths.codes!,
    );
    await legacyAlert(
      {
        type: 'api-response-time',
        condition: {
          operator: 'EQUAL',
          value: 2,
          filter: [{ property: 'responseTime', operator: 'GREATER_THAN', values: '500' }],
        },
      },
      paths.slow!,
    );
    const notFound = await legacyAlert(
      {
        type: 'api-response-code',
        condition: {
          operator: 'GREATER_THAN',
          value: 0,
          filter: [{ property: 'responseCode', operator: 'IN', values: ['404'] }],
        },
      },
      paths.notFound!,
    );
    await newAlert(api, notify(paths.average!), {
      metricType: 'api_response_time',
      condition: { operator: 'above', threshold: 200, interval: 1 },
    });
    await newAlert(api, notify(paths.violations!), {
      metricType: 'api_policy_violation_count',
      resources: [{ apiId: api, subFilters: [{ name: 'policy_id', values: [String(policy.id)] }] }],
      condition: { operator: 'aboveOrEquals', threshold: 2, interval: 1 },
    });
    const rejected = [
      {
        policyType: 'rate-limiting',
        policyId: String(policy.id),
        verdict: 'reject',
        mode: 'enforce',
        errorKind: 'policy-denied',
      },
    ];
    // 7 requests: 3 answered 503, 2 taking 900 ms (average (2 × 900 + 5 × 1.5) / 7 ≈ 258 ms), 2 rejected by the policy
    await publish(api, 3, 40_000, { httpStatus: 503 });
    await publish(api, 2, 40_000, { durationUs: 900_000 });
    await publish(api, 2, 40_000, { httpStatus: 429, verdicts: rejected });

    for (const [name, value] of [
      ['codes', 3],
      ['slow', 2],
      ['violations', 2],
    ] as const) {
      await waitFor(`the ${name} alert`, () => hooksAt(paths[name]!, 'alert.fired').length === 1);
      expect(hooksAt(paths[name]!, 'alert.fired')[0]!.json.value).toBe(value);
    }
    await waitFor('the average alert', () => hooksAt(paths.average!, 'alert.fired').length === 1);
    expect(hooksAt(paths.average!, 'alert.fired')[0]!.json.value).toBeCloseTo((2 * 900 + 5 * 1.5) / 7, 1);
    const unfired = await call('GET', `${apis()}/${api}/alerts/${notFound.id}`);
    expect(unfired).toMatchObject({ state: 'ok', firedAt: null });
    expect(hooksAt(paths.notFound!)).toEqual([]);
  });

  it('retries a failed webhook delivery with backoff, with the same delivery id', async () => {
    const api = await newApi();
    const hookPath = `/${uniqueName('flaky')}`;
    receiver.failures.set(hookPath, 1);
    await newAlert(api, notify(hookPath));
    await publish(api, 3, 40_000);
    await waitFor('the second attempt', () => hooksAt(hookPath).length === 2);
    const [first, second] = hooksAt(hookPath);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    expect(second!.headers['x-portico-delivery']).toBe(first!.headers['x-portico-delivery']);
    expect(second!.json).toMatchObject({ event: 'alert.fired', value: 3 });
  });

  it('is evaluated by one of two control planes: one notification per change', async () => {
    const second = await startControlPlane(cpVariables);
    try {
      const api = await newApi();
      const address = `${uniqueName('pair')}@example.com`;
      const hookPath = `/${uniqueName('pair')}`;
      await newAlert(api, notify(hookPath, address));
      await publish(api, 3, 45_000);
      await waitFor('the fired webhook', () => hooksAt(hookPath, 'alert.fired').length === 1);
      await waitFor('the fired e-mail', () => mailsTo(address).length === 1);
      await sleep(1500);
      expect(hooksAt(hookPath, 'alert.fired')).toHaveLength(1);
      expect(mailsTo(address)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe('alert webhooks under the default PORTICO_OUTBOUND_DENY', () => {
  // In a process of its own, for its log (the refusals are only logged).
  let cp: ControlPlaneProcess;
  let tenant: TestTenant;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let publisher: AccessEventPublisher;
  let gatewayId: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    cp = await startControlPlaneProcess({ PORTICO_ALERTS_INTERVAL_MS: '250' });
    ({ tenant, gatewayId, publisher } = await tenantWithGateway(cp));
  });
  afterAll(async () => {
    publisher?.close();
    await Promise.all([cp?.close(), receiver?.close(), closeTestPrisma()]);
  });

  const monitoring = () =>
    `/monitoring/api/alerts/api/v2/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/alerts`;

  it('refuses a webhook to this host by name at delivery, without connecting or retrying, and logs the rule, not the secret', async () => {
    const api = await deployedApi(cp, tenant, gatewayId);
    const hookPath = `/${uniqueName('denied')}`;
    // a name: an IP address of this host would be refused when the alert is saved (alerts.integration-spec.ts)
    const url = receiver.url(hookPath).replace('127.0.0.1', 'localhost');
    const created = await cp.request('POST', `${monitoring()}?type=basic&apiId=${api}&resourceType=api`, {
      token: tenant.token,
      json: {
        name: uniqueName('alert'),
        severity: 'critical',
        metricType: 'api_request_count',
        resources: [{ apiId: String(api), apiVersionId: String(api), type: 'api' }],
        condition: { operator: 'above', threshold: 2, interval: 1 },
        notifications: [{ type: 'webhook', url, secret: WEBHOOK_SECRET }],
      },
    });
    expect(created.status).toBe(201);
    await publisher.publish({
      events: Array.from({ length: 3 }, () => accessEvent({ apiId: String(api), timeUnixMs: Date.now() - 40_000 })),
      droppedTotal: 0,
    });

    const given = `alert ${created.body.alertId} (fired) webhook ${url} failed after 1 attempt, given up: `;
    await firstTimeTrue(async () => cp.output().includes(given), 'the refused delivery in the log');
    const log = cp.output();
    const line = log.split('\n').find((l) => l.includes(given));
    expect(line).toMatch(/outbound address (127\.0\.0\.1|::1) of localhost is denied by loopback \(PORTICO_OUTBOUND_DENY\)/);
    expect(log).not.toContain(`webhook ${url} failed (attempt`);
    expect(log).not.toContain(WEBHOOK_SECRET);
    expect(receiver.hooks.filter((h) => h.path === hookPath)).toEqual([]);
    const alert = await cp.request('GET', `${monitoring()}/${created.body.alertId}`, { token: tenant.token });
    expect(alert.body).toMatchObject({ state: 'alerting', firedAt: expect.any(String) });
  });
});
