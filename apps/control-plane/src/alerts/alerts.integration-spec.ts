/**
 * The alert routes of both dialects over a real control plane and database: what is stored and
 * read back, the 400s naming the field, tenant isolation, the members route, the audit trail and
 * the copy promotion uses. (Evaluation and notifications: test/alert-notifications.e2e-spec.ts.)
 */
import { POLICY_GROUP_ID, SECRET_MASK } from '#portico/policy-catalog';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newApiInstance,
  newTenant,
  newUser,
  testPrisma,
  type TestTenant,
  uniqueName,
} from '../../test/support/factories.js';
import { SecretBox } from '../common/secret-box.js';
import { copyAlerts } from './alert-copy.js';

const RATE_LIMIT = {
  groupId: POLICY_GROUP_ID,
  assetId: 'rate-limiting',
  assetVersion: '1.4.1',
  configurationData: { rateLimits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000 }] },
};

describe('API alerts', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let other: TestTenant;
  let member: { id: string; username: string };

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    other = await newTenant(cp);
    const user = await newUser(cp, tenant.organizationId, ['read:organization']);
    await testPrisma().user.update({
      where: { id: user.id },
      data: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
    });
    member = user;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const apis = (t: TestTenant) => `/apimanager/api/v1/organizations/${t.organizationId}/environments/${t.sandboxId}/apis`;
  const legacy = (api: number, t = tenant) => `${apis(t)}/${api}/alerts`;
  const monitoring = (t = tenant) =>
    `/monitoring/api/alerts/api/v2/organizations/${t.organizationId}/environments/${t.sandboxId}/alerts`;
  const call = (method: string, path: string, json?: unknown, t = tenant) =>
    cp.request(method, path, { token: t.token, ...(json !== undefined && { json }) });
  const newApi = async (t = tenant) => (await newApiInstance(t)).id;
  const newPolicy = async (api: number): Promise<number> => {
    const res = await call('POST', `${apis(tenant)}/${api}/policies`, RATE_LIMIT);
    expect(res.status).toBe(201);
    return res.body.id;
  };

  const legacyBody = (fields: Record<string, unknown> = {}) => ({
    apiAlertsVersion: '1.0.0',
    name: uniqueName('alert'),
    type: 'api-request-count',
    enabled: true,
    severity: 'Critical',
    recipients: [{ type: 'email', value: 'ops@example.com' }],
    condition: { resourceType: 'api-version', aggregate: 'COUNT', operator: 'GREATER_THAN', value: 90 },
    period: { duration: { count: 5, weight: 'MINUTES' }, repeat: 2 },
    ...fields,
  });
  const monitoringBody = (api: number, fields: Record<string, unknown> = {}) => ({
    type: 'basic',
    name: uniqueName('alert'),
    severity: 'warning',
    masterOrganizationId: tenant.organizationId,
    organizationId: tenant.organizationId,
    environmentId: tenant.sandboxId,
    resourceType: 'api',
    deploymentType: 'CLOUDHUB',
    metricType: 'api_request_count',
    resources: [{ apiVersionId: String(api), apiId: String(api), type: 'api', deploymentType: 'CLOUDHUB' }],
    condition: { operator: 'aboveOrEquals', threshold: 10, interval: 3 },
    wildcardAlert: false,
    notifications: [
      { type: 'email', recipients: ['ops@example.com'], subject: '${severity}: ${api}', message: 'It is ${value}' },
    ],
    ...fields,
  });

  describe('legacy dialect (…/apis/{id}/alerts)', () => {
    it('creates an alert and reads it back by id and in the list, recipients by id or username', async () => {
      const api = await newApi();
      const body = legacyBody({
        recipients: [
          { type: 'user', value: member.id, firstName: 'Ada', lastName: 'Lovelace' },
          { type: 'user', value: tenant.username },
          { type: 'email', value: 'ops@example.com' },
        ],
      });
      const created = await call('POST', legacy(api), body);
      expect(created.status).toBe(201);
      const admin = await testPrisma().user.findFirstOrThrow({ where: { username: tenant.username } });
      expect(created.body).toEqual({
        apiAlertsVersion: '1.0.0',
        api: { id: api, name: expect.any(String) },
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: body.name,
        type: 'api-request-count',
        enabled: true,
        severity: 'CRITICAL',
        organizationId: tenant.organizationId,
        environmentId: tenant.sandboxId,
        createdAt: expect.any(Number),
        lastModified: expect.any(Number),
        condition: { resourceType: 'api-version', aggregate: 'COUNT', operator: 'GREATER_THAN', value: 90 },
        period: { duration: { count: 5, weight: 'MINUTES' }, repeat: 2 },
        recipients: [
          { type: 'user', value: member.id, firstName: 'Ada', lastName: 'Lovelace' },
          { type: 'user', value: admin.id, firstName: '', lastName: '' },
          { type: 'email', value: 'ops@example.com' },
        ],
        state: 'pending',
        firedAt: null,
        resolvedAt: null,
      });
      expect((await call('GET', `${legacy(api)}/${created.body.id}`)).body).toEqual(created.body);
      expect((await call('GET', `${legacy(api)}?limit=10&offset=0&sort=name&ascending=true`)).body).toEqual([created.body]);
    });

    it('stores the filter of response-code and response-time alerts, and the policy of policy-violation ones', async () => {
      const api = await newApi();
      const codes = await call(
        'POST',
        legacy(api),
        legacyBody({
          type: 'api-response-code',
          condition: {
            operator: 'GREATER_THAN',
            value: 3,
            filter: [{ property: 'responseCode', operator: 'IN', values: ['500', 503] }],
          },
        }),
      );
      expect(codes.status).toBe(201);
      expect(codes.body.condition.filter).toEqual([{ property: 'responseCode', operator: 'IN', values: ['500', '503'] }]);
      const slow = await call(
        'POST',
        legacy(api),
        legacyBody({
          type: 'api-response-time',
          condition: {
            operator: 'GREATER_THAN',
            value: 3,
            filter: [{ property: 'responseTime', operator: 'GREATER_THAN', values: '250' }],
          },
        }),
      );
      expect(slow.body.condition.filter).toEqual([{ property: 'responseTime', operator: 'GREATER_THAN', values: '250' }]);
      const policy = await newPolicy(api);
      const violations = await call(
        'POST',
        legacy(api),
        legacyBody({
          type: 'api-policy-violation',
          policyId: String(policy),
          policyTemplate: { id: 'rate-limiting', name: 'Rate Limiting' },
        }),
      );
      expect(violations.status).toBe(201);
      expect(violations.body).toMatchObject({ policyId: policy, policyTemplate: { id: 'rate-limiting', name: 'Rate Limiting' } });
      const stored = await testPrisma().alert.findUniqueOrThrow({ where: { id: violations.body.id } });
      expect(stored).toMatchObject({ metric: 'policy-violation', policyIds: [policy], operator: 'above', severity: 'critical' });
    });

    it('PATCHes the fields sent, accepts what it read back, and refuses a read-only field changed', async () => {
      const api = await newApi();
      const created = (await call('POST', legacy(api), legacyBody())).body;
      const renamed = await call('PATCH', `${legacy(api)}/${created.id}`, { ...created, name: 'renamed', enabled: false });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({
        name: 'renamed',
        enabled: false,
        condition: created.condition,
        recipients: created.recipients,
      });
      expect(renamed.body.lastModified).toBeGreaterThanOrEqual(created.lastModified);
      const kept = await call('PATCH', `${legacy(api)}/${created.id}`, { severity: 'info' });
      expect(kept.body).toMatchObject({ name: 'renamed', enabled: false, severity: 'INFO' });
      const moved = await call('PATCH', `${legacy(api)}/${created.id}`, { api: { id: api + 1, name: 'x' } });
      expect(moved.status).toBe(400);
      expect(moved.body.message).toMatch(/^body\.api: cannot be changed/);
      const typed = await call('PATCH', `${legacy(api)}/${created.id}`, { type: 'api-response-code' });
      expect(typed.status).toBe(400);
      expect(typed.body.message).toBe('body.condition.filter: must be [{property: responseCode, …}] for type api-response-code');
      expect((await call('GET', `${legacy(api)}/${created.id}`)).body.name).toBe('renamed');
    });

    it('deletes an alert', async () => {
      const api = await newApi();
      const created = (await call('POST', legacy(api), legacyBody())).body;
      expect((await call('DELETE', `${legacy(api)}/${created.id}`)).status).toBe(204);
      const gone = await call('GET', `${legacy(api)}/${created.id}`);
      expect(gone.status).toBe(404);
      expect(gone.body.message).toBe(`Alert ${created.id} not found`);
    });

    it.each([
      [{ severity: 'urgent' }, 'body.severity: must be one of info, warning, critical (any case)'],
      [{ recipients: [] }, 'body.recipients: must hold at least one recipient'],
      [{ recipients: [{ type: 'email', value: 'not-an-address' }] }, 'body.recipients.0.value: must be an e-mail address'],
      [
        { period: { duration: { count: 2, weight: 'DAYS' }, repeat: 20 } },
        'body.period: the periods (20 × 2 days) must span at most 31 days',
      ],
      [
        { type: 'api-policy-violation' },
        'body.policyId: is required for type api-policy-violation: the id of a policy applied to the API instance',
      ],
      [{ priority: 1 }, 'body: Unrecognized key: "priority"'],
    ])('refuses %j with a 400 naming the field', async (fields, message) => {
      const api = await newApi();
      const res = await call('POST', legacy(api), legacyBody(fields));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message });
      expect(await testPrisma().alert.count({ where: { apiId: api } })).toBe(0);
    });

    it('refuses a recipient who is not a user of the organization, and a policy not applied to the instance', async () => {
      const api = await newApi();
      const stranger = await call('POST', legacy(api), legacyBody({ recipients: [{ type: 'user', value: other.username }] }));
      expect(stranger.status).toBe(400);
      expect(stranger.body.message).toBe(
        `body.recipients.0.value: "${other.username}" is not a user of organization ${tenant.organizationId} (an id or username)`,
      );
      const policy = await call('POST', legacy(api), legacyBody({ type: 'api-policy-violation', policyId: 999_999 }));
      expect(policy.status).toBe(400);
      expect(policy.body.message).toBe(`body.policyId: policy 999999 is not applied to API instance ${api}`);
      const names = await call(
        'POST',
        legacy(api),
        legacyBody({ recipients: [{ type: 'user', value: member.id, firstName: 'Grace' }] }),
      );
      expect(names.body.message).toBe('body.recipients.0.firstName: must be the user\'s firstName ("Ada") or left out');
    });

    it('refuses a webhook URL whose host is an address the default PORTICO_OUTBOUND_DENY denies, in any spelling, on create and PATCH', async () => {
      const api = await newApi();
      const webhook = (value: string) => ({ recipients: [{ type: 'webhook', value }] });
      for (const [url, rule] of [
        ['http://127.0.0.1:8080/hook', 'loopback'],
        ['http://[::1]/hook', 'loopback'],
        ['http://0x7f.1/hook', 'loopback'],
        ['http://169.254.10.1/hook', 'link-local'],
        // the rules are checked in their order: 169.254.169.254 is link-local first
        ['http://2852039166/hook', 'link-local'],
        ['https://[::ffff:169.254.169.254]/hook', 'link-local'],
        ['http://100.100.100.200/hook', 'metadata'],
        ['http://[fd00:ec2::254]/hook', 'metadata'],
      ]) {
        const res = await call('POST', legacy(api), legacyBody(webhook(url!)));
        expect({ url, status: res.status, body: res.body }).toMatchObject({
          url,
          status: 400,
          body: {
            code: 'VALIDATION_FAILED',
            message: `body.recipients.0.value: is an address webhooks may not be sent to (PORTICO_OUTBOUND_DENY: ${rule})`,
          },
        });
      }
      expect(await testPrisma().alert.count({ where: { apiId: api } })).toBe(0);
      // a name is checked when delivering (its addresses can change); private addresses are not in the default
      for (const url of ['http://localhost:8080/hook', 'http://10.0.0.1/hook']) {
        expect((await call('POST', legacy(api), legacyBody(webhook(url)))).status).toBe(201);
      }
      const created = (await call('POST', legacy(api), legacyBody())).body;
      const patched = await call('PATCH', `${legacy(api)}/${created.id}`, webhook('http://168.63.129.16/'));
      expect(patched.status).toBe(400);
      expect(patched.body.message).toBe(
        'body.recipients.0.value: is an address webhooks may not be sent to (PORTICO_OUTBOUND_DENY: metadata)',
      );
      expect((await call('GET', `${legacy(api)}/${created.id}`)).body.recipients).toEqual(created.recipients);
    });

    it("answers 404 for another organization's instance or alert", async () => {
      const theirs = await newApi(other);
      const res = await call(
        'POST',
        `${apis(tenant).replace(tenant.organizationId, tenant.organizationId)}/${theirs}/alerts`,
        legacyBody(),
      );
      expect(res.status).toBe(404);
      expect(res.body.message).toBe(`API instance ${theirs} not found`);
      const theirAlert = (await call('POST', legacy(theirs, other), legacyBody(), other)).body;
      const mine = await newApi();
      expect((await call('GET', `${legacy(mine)}/${theirAlert.id}`)).status).toBe(404);
      expect((await call('DELETE', `${legacy(theirs, other)}/${theirAlert.id}`)).status).toBe(404);
    });
  });

  describe('monitoring dialect (…/monitoring/api/alerts/api/v2/…/alerts)', () => {
    const query = (api: number) => `?type=basic&apiId=${api}&resourceType=api`;

    it('creates an alert as anypoint-cli-v4 sends it and reads it back, alone and in lists', async () => {
      const api = await newApi();
      const body = monitoringBody(api, {
        notifications: [
          {
            type: 'email',
            recipients: ['ops@example.com', member.username],
            subject: '${severity}: ${api}',
            message: 'It is ${value}',
          },
          { type: 'webhook', url: 'https://hooks.example.com/alerts', secret: 'a-webhook-secret-of-32-characters' },
        ],
      });
      const created = await call('POST', `${monitoring()}${query(api)}`, body);
      expect(created.status).toBe(201);
      // as sent, with the ids as numbers and the webhook secret masked
      expect(created.body).toEqual({
        ...body,
        alertId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        alertType: 'basic',
        resources: [{ apiId: api, apiVersionId: api, type: 'api', deploymentType: 'CLOUDHUB' }],
        notifications: [body.notifications[0], { ...body.notifications[1], secret: SECRET_MASK }],
        state: 'pending',
        createdAt: expect.any(String),
        lastModified: expect.any(String),
        firedAt: null,
        resolvedAt: null,
      });
      const stored = await testPrisma().alert.findUniqueOrThrow({ where: { id: created.body.alertId } });
      const [webhook] = stored.webhooks as { url: string; secret: string }[];
      expect(cp.app.get(SecretBox).open(webhook!.secret)).toBe('a-webhook-secret-of-32-characters');
      expect(stored).toMatchObject({
        periodUnit: 'MINUTES',
        periodCount: 1,
        repeat: 3,
        recipients: [
          { type: 'email', value: 'ops@example.com' },
          { type: 'user', value: member.id },
        ],
      });

      expect((await call('GET', `${monitoring()}/${created.body.alertId}`)).body).toEqual(created.body);
      const listed = await call('GET', `${monitoring()}${query(api)}&limit=10&offset=0&sort=id&ascending=true`);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([created.body]);
      const environment = await call('GET', monitoring());
      expect(environment.body.map((a: { alertId: string }) => a.alertId)).toContain(created.body.alertId);
    });

    it('stores the subFilters of response-code and policy-violation alerts', async () => {
      const api = await newApi();
      const policy = await newPolicy(api);
      const codes = await call(
        'POST',
        monitoring(),
        monitoringBody(api, {
          metricType: 'api_response_code_count',
          resources: [{ apiId: api, subFilters: [{ name: 'response_code', values: ['500', '502'] }] }],
        }),
      );
      expect(codes.status).toBe(201);
      expect(codes.body.resources).toEqual([
        {
          apiId: api,
          apiVersionId: api,
          type: 'api',
          deploymentType: 'CLOUDHUB',
          subFilters: [{ name: 'response_code', values: ['500', '502'] }],
        },
      ]);
      const violations = await call(
        'POST',
        monitoring(),
        monitoringBody(api, {
          metricType: 'api_policy_violation_count',
          resources: [{ apiId: api, subFilters: [{ name: 'policy_id', values: [String(policy)] }] }],
        }),
      );
      expect(violations.status).toBe(201);
      expect(violations.body.resources[0].subFilters).toEqual([{ name: 'policy_id', values: [String(policy)] }]);
    });

    it('replaces an alert with PUT: pauses it, keeps a masked webhook secret, refuses a mask with nothing stored', async () => {
      const api = await newApi();
      const created = (
        await call(
          'POST',
          monitoring(),
          monitoringBody(api, {
            notifications: [{ type: 'webhook', url: 'https://hooks.example.com/a', secret: 'first-secret-of-16+chars' }],
          }),
        )
      ).body;
      const sealed = (await testPrisma().alert.findUniqueOrThrow({ where: { id: created.alertId } })).webhooks;
      const paused = await call('PUT', `${monitoring()}/${created.alertId}`, { ...created, state: 'paused', name: 'paused one' });
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ state: 'paused', name: 'paused one', notifications: created.notifications });
      expect((await testPrisma().alert.findUniqueOrThrow({ where: { id: created.alertId } })).webhooks).toEqual(sealed);
      const nothingStored = await call('PUT', `${monitoring()}/${created.alertId}`, {
        ...paused.body,
        notifications: [{ type: 'webhook', url: 'https://hooks.example.com/b', secret: SECRET_MASK }],
      });
      expect(nothingStored.status).toBe(400);
      expect(nothingStored.body.message).toBe(
        `body.notifications.0.secret: is the mask ${SECRET_MASK} but no secret is stored for https://hooks.example.com/b; send the secret`,
      );
      const moved = await call('PUT', `${monitoring()}/${created.alertId}`, monitoringBody(await newApi()));
      expect(moved.status).toBe(400);
      expect(moved.body.message).toBe(
        `body.resources.0.apiId: cannot be changed (it is ${api}); create an alert on the other instance`,
      );
      expect((await call('DELETE', `${monitoring()}/${created.alertId}`)).status).toBe(204);
      expect((await call('GET', `${monitoring()}/${created.alertId}`)).status).toBe(404);
    });

    it.each([
      [
        { metricType: 'api_response_code_count' },
        'body.resources.0.subFilters: must be [{name: response_code, values}] for metricType api_response_code_count',
      ],
      [
        { condition: { operator: 'over', threshold: 1, interval: 1 } },
        'body.condition.operator: must be one of above, aboveOrEquals, below, belowOrEquals, equal',
      ],
      [
        { condition: { operator: 'above', threshold: 1, interval: 0 } },
        'body.condition.interval: must be an integer from 1 to 44640 (minutes)',
      ],
      [{ wildcardAlert: true }, 'body.wildcardAlert: must be false: an alert watches the one API instance of resources[0]'],
      [{ notifications: [] }, 'body.notifications: must hold at least one notification'],
      [{ notifications: [{ type: 'webhook', url: 'ftp://example.com/' }] }, 'body.notifications.0.url: must be an http(s) URL'],
      [
        { notifications: [{ type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/' }] },
        'body.notifications.0.url: is an address webhooks may not be sent to (PORTICO_OUTBOUND_DENY: link-local)',
      ],
      [
        { notifications: [{ type: 'email', recipients: ['ops@example.com'], subject: 'two\nlines' }] },
        'body.notifications.0.subject: must be one line',
      ],
      [{ environmentId: '00000000-0000-4000-8000-000000000000' }, 'body.environmentId: must be the environment of the path'],
      [
        { masterOrganizationId: '00000000-0000-4000-8000-000000000000' },
        'body.masterOrganizationId: must be the root organization',
      ],
    ])('refuses %j with a 400 naming the field', async (fields, message) => {
      const api = await newApi();
      const res = await call('POST', monitoring(), monitoringBody(api, fields));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.message.startsWith(message)).toBe(true);
      expect(await testPrisma().alert.count({ where: { apiId: api } })).toBe(0);
    });

    it('refuses a username that is no member, a query apiId other than the body one, and an unknown query parameter', async () => {
      const api = await newApi();
      const stranger = await call(
        'POST',
        monitoring(),
        monitoringBody(api, { notifications: [{ type: 'email', recipients: ['ops@example.com', other.username] }] }),
      );
      expect(stranger.status).toBe(400);
      expect(stranger.body.message).toBe(
        `body.notifications.0.recipients.1: "${other.username}" is not a user of organization ${tenant.organizationId} (an id or username)`,
      );
      const mismatch = await call('POST', `${monitoring()}?apiId=${api + 1}`, monitoringBody(api));
      expect(mismatch.body.message).toBe(`query.apiId: must be the API instance of resources[0].apiId (${api})`);
      const unknown = await call('GET', `${monitoring()}?severity=critical`);
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toMatch(/^query\.severity: is not a query parameter of this route/);
    });

    it("answers 404 for another organization's instance, in the body or the query", async () => {
      const theirs = await newApi(other);
      const res = await call('POST', monitoring(), monitoringBody(theirs));
      expect(res.status).toBe(404);
      expect(res.body.message).toBe(`API instance ${theirs} not found`);
      expect((await call('GET', `${monitoring()}?apiId=${theirs}`)).status).toBe(404);
      const theirAlert = (
        await call(
          'POST',
          monitoring(other),
          {
            ...monitoringBody(theirs),
            masterOrganizationId: other.organizationId,
            organizationId: other.organizationId,
            environmentId: other.sandboxId,
          },
          other,
        )
      ).body;
      expect((await call('GET', `${monitoring()}/${theirAlert.alertId}`)).status).toBe(404);
      expect(
        (
          await call(
            'GET',
            `/monitoring/api/alerts/api/v2/organizations/${other.organizationId}/environments/${other.sandboxId}/alerts`,
          )
        ).status,
      ).toBe(404);
    });

    it('lists and shows each alert in its own dialect only', async () => {
      const api = await newApi();
      const old = (await call('POST', legacy(api), legacyBody())).body;
      const current = (await call('POST', monitoring(), monitoringBody(api))).body;
      expect((await call('GET', `${monitoring()}?apiId=${api}`)).body.map((a: { alertId: string }) => a.alertId)).toEqual([
        current.alertId,
      ]);
      expect((await call('GET', legacy(api))).body.map((a: { id: string }) => a.id)).toEqual([old.id]);
      expect((await call('GET', `${monitoring()}/${old.id}`)).status).toBe(404);
      expect((await call('GET', `${legacy(api)}/${current.alertId}`)).status).toBe(404);
    });
  });

  it('lists the members of the organization', async () => {
    const res = await call('GET', `/accounts/api/organizations/${tenant.organizationId}/members`);
    expect(res.status).toBe(200);
    expect(res.body.data).toContainEqual(
      expect.objectContaining({ id: member.id, username: member.username, firstName: 'Ada', email: 'ada@example.com' }),
    );
    expect(res.body.data.map((u: { username: string }) => u.username)).not.toContain(other.username);
    expect((await call('GET', `/accounts/api/organizations/${other.organizationId}/members`)).status).toBe(404);
  });

  it('records every change in the audit trail as GET shows the alert', async () => {
    const api = await newApi();
    const created = (await call('POST', legacy(api), legacyBody())).body;
    await call('PATCH', `${legacy(api)}/${created.id}`, { name: 'audited' });
    await call('DELETE', `${legacy(api)}/${created.id}`);
    const records = await testPrisma().auditRecord.findMany({ where: { resourceId: created.id }, orderBy: { id: 'asc' } });
    expect(records.map((r) => [r.resourceType, r.action])).toEqual([
      ['alert', 'create'],
      ['alert', 'update'],
      ['alert', 'delete'],
    ]);
    expect(records[1]!.after).toMatchObject({ name: 'audited' });
  });

  it('copies the alerts of an instance to another within a transaction (promotion), mapping policies', async () => {
    const from = await newApi();
    const to = await newApi();
    const [fromPolicy, toPolicy] = [await newPolicy(from), await newPolicy(to)];
    const count = (await call('POST', legacy(from), legacyBody({ name: 'count' }))).body;
    await call('POST', legacy(from), legacyBody({ name: 'violations', type: 'api-policy-violation', policyId: fromPolicy }));
    await call(
      'POST',
      monitoring(),
      monitoringBody(from, {
        name: 'hooked',
        notifications: [{ type: 'webhook', url: 'https://hooks.example.com/p', secret: 'promoted-secret-16chars' }],
      }),
    );
    const result = await testPrisma().$transaction((tx) =>
      copyAlerts(tx, from, to, tenant.sandboxId, new Map([[fromPolicy, toPolicy]])),
    );
    expect(result).toEqual({ copied: [expect.any(Object), expect.any(Object), expect.any(Object)], skipped: [] });
    const copies = await testPrisma().alert.findMany({ where: { apiId: to }, orderBy: { id: 'asc' } });
    expect(copies.map((a) => [a.name, a.dialect, a.policyIds, a.state])).toEqual([
      ['count', 'legacy', [], 'pending'],
      ['violations', 'legacy', [toPolicy], 'pending'],
      ['hooked', 'monitoring', [], 'pending'],
    ]);
    expect((await call('GET', `${legacy(to)}`)).body[0]).toMatchObject({ name: 'count', recipients: count.recipients });
    const unmapped = await testPrisma().$transaction((tx) => copyAlerts(tx, from, to, tenant.sandboxId));
    expect(unmapped.skipped).toEqual(['violations']);
  });

  it('deletes the alerts of an instance with it', async () => {
    const api = await newApi();
    await call('POST', legacy(api), legacyBody());
    await testPrisma().apiInstance.delete({ where: { id: api } });
    expect(await testPrisma().alert.count({ where: { apiId: api } })).toBe(0);
  });
});
