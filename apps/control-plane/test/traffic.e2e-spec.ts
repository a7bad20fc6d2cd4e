/**
 * Traffic and content policies configured over REST and enforced by two replicas of one
 * registered gateway (separate processes, sharing the machine's Redis) in front of the test MCP
 * server: a rate limit per agent whose sum holds across the replicas, header injection and
 * removal, the DLP guardrail redacting a tool call, and SLA tiers: a client application's
 * contract on a tier sets its quota.
 */
import { randomUUID } from 'node:crypto';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { type GatewayProcess, postMcp, startGatewayProcess, startMcpServer, type TestMcpServer } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import { deployWithPolicies, type McpInstance, registerGateway, type RegisteredGateway, rolledOut } from './support/gateways.js';

const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const policy = (assetId: string, assetVersion: string, configurationData: unknown) => ({
  groupId: POLICY_GROUP_ID,
  assetId,
  assetVersion,
  configurationData,
});
const echo = (id: number, text: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text } },
});

describe('traffic and content policies', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let upstream: TestMcpServer;
  let registered: RegisteredGateway;
  const replicas: GatewayProcess[] = [];

  const deploy = (...policies: ReturnType<typeof policy>[]): Promise<McpInstance> =>
    deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: upstream.url.replace(/mcp$/, ''), targetId: registered.gatewayId, prefix: 'traffic' },
      policies,
    );
  /** The instance's MCP endpoint on replica `i` (replicas listen on 127.0.0.1 and 127.0.0.2). */
  const endpoint = (instance: McpInstance, i: number) => `${instance.proxyUrl.replace('127.0.0.1', `127.0.0.${i + 1}`)}/mcp`;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    upstream = await startMcpServer({ stateful: false, jsonResponse: true });
    registered = await registerGateway(cp, tenant, uniqueName('traffic'));
    for (const listenHost of ['127.0.0.1', '127.0.0.2']) {
      replicas.push(await startGatewayProcess({ dir: registered.dir, listenHost, env: { PORTICO_REDIS_URL: REDIS_URL } }));
    }
    await Promise.all(replicas.map((r) => r.waitForStatus((s) => s.sync.state === 'connected')));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await upstream?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('holds one rate limit per agent across both replicas, and edits headers and redacts data as configured', async () => {
    const instance = await deploy(
      policy('rate-limiting', '1.4.1', {
        rateLimits: [{ maximumRequests: 3, timePeriodInMilliseconds: 3_600_000 }],
        keySelector: "#[attributes.headers['x-agent']]",
        mcpMethods: ['tools/call'],
        exposeHeaders: true,
      }),
      policy('header-injection', '1.3.2', {
        inboundHeaders: [{ key: 'X-Agent-Seen', value: "#[attributes.headers['x-agent']]" }],
        outboundHeaders: [{ key: 'X-Served-By', value: 'portico' }],
      }),
      policy('header-removal', '1.1.2', { inboundHeaders: ['X-Debug-Token'] }),
      policy('mcp-pii-detector', '1.0.0', { entities: ['Email'], action: 'Redact' }),
    );
    const agent = { 'x-agent': randomUUID(), 'x-debug-token': 'internal' };
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await postMcp(endpoint(instance, i % 2), echo(i, `reach me at a${i}@example.com`), agent));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers.map((a) => a.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0', '0']);
    expect(answers[4]!.headers['retry-after']).toMatch(/^\d+$/);
    expect(answers[0]!.headers['x-served-by']).toBe('portico');
    expect(JSON.parse(answers[0]!.body).result.content[0].text).toBe('reach me at [REDACTED:Email]');
    const seen = upstream.requests.at(-1)!.headers;
    expect(seen['x-agent-seen']).toBe(agent['x-agent']);
    expect(seen['x-debug-token']).toBeUndefined();
    // Another agent has its own quota.
    expect((await postMcp(endpoint(instance, 1), echo(9, 'hi'), { 'x-agent': randomUUID() })).status).toBe(200);
  });

  it("limits each client application to its contract's SLA tier, on both replicas", async () => {
    const instance = await deploy(
      policy('rate-limiting-sla-based', '1.3.1', {
        clientSecretExpression: "#[attributes.headers['client_secret']]",
        exposeHeaders: true,
      }),
    );
    const tiers = `${instance.apisPath}/${instance.apiId}/tiers`;
    const tier = async (name: string, maximumRequests: number, autoApprove: boolean) => {
      const created = await cp.request('POST', tiers, {
        token: tenant.token,
        json: { name, autoApprove, limits: [{ maximumRequests, timePeriodInMilliseconds: 3_600_000 }] },
      });
      expect(created.status).toBe(201);
      return created.body.id as number;
    };
    const [gold, bronze] = [await tier('Gold', 3, true), await tier('Bronze', 1, false)];
    const application = async (tierId: number) => {
      const app = await cp.request('POST', `/exchange/api/v2/organizations/${tenant.organizationId}/applications`, {
        token: tenant.token,
        json: { name: uniqueName('agent') },
      });
      const contract = await cp.request('POST', `${instance.apisPath}/${instance.apiId}/contracts`, {
        token: tenant.token,
        json: { applicationId: app.body.id, requestedTierId: tierId },
      });
      expect(contract.status).toBe(201);
      return { client_id: app.body.clientId as string, client_secret: app.body.clientSecret as string, contract: contract.body };
    };
    const goldApp = await application(gold);
    expect(goldApp.contract).toMatchObject({ status: 'APPROVED', tierId: gold, tier: { name: 'Gold' } });
    const bronzeApp = await application(bronze);
    expect(bronzeApp.contract).toMatchObject({ status: 'PENDING', tierId: null, requestedTierId: bronze });
    await rolledOut(cp, tenant, instance);

    const call = (i: number, credentials: { client_id: string; client_secret: string }) =>
      postMcp(endpoint(instance, i % 2), echo(i, 'hi'), {
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
      });
    const gold5 = [];
    for (let i = 0; i < 4; i++) gold5.push(await call(i, goldApp));
    expect(gold5.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(gold5[0]!.headers['x-ratelimit-limit']).toBe('3');
    // Not approved yet: no contract the gateway knows of.
    expect((await call(0, bronzeApp)).status).toBe(401);
    const approved = await cp.request(
      'POST',
      `${instance.apisPath}/${instance.apiId}/contracts/${bronzeApp.contract.id}/approve`,
      {
        token: tenant.token,
      },
    );
    expect(approved.body).toMatchObject({ status: 'APPROVED', tierId: bronze });
    await rolledOut(cp, tenant, instance);
    expect([(await call(0, bronzeApp)).status, (await call(1, bronzeApp)).status]).toEqual([200, 429]);
    expect((await call(0, { ...goldApp, client_secret: 'wrong' })).status).toBe(401);
  });
});
