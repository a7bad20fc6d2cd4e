/**
 * Issue 11 end to end: MCP traffic through a real gateway process (mcp-acl and the DLP guardrail
 * configured over REST) reaches the control plane as access events within seconds, and the log
 * search, the analytics, the workflow graph and Anypoint's event report show it as it happened.
 */
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { type GatewayProcess, postMcp, startGatewayProcess, startMcpServer, type TestMcpServer } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import { deployWithPolicies, eventually, type McpInstance, registerGateway, type RegisteredGateway } from './support/gateways.js';

const call = (id: number, name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});
const AGENT = { 'user-agent': 'e2e-agent/2.0' };

describe('access logs of real traffic', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let upstream: TestMcpServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let instance: McpInstance;
  let analytics: string;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    analytics = `/analytics/1.0/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    upstream = await startMcpServer({ stateful: false, jsonResponse: true });
    registered = await registerGateway(cp, tenant, uniqueName('logged'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    instance = await deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: upstream.url.replace(/mcp$/, ''), targetId: registered.gatewayId, prefix: 'logged' },
      [
        {
          groupId: POLICY_GROUP_ID,
          assetId: 'mcp-acl',
          assetVersion: '1.0.0',
          configurationData: {
            rules: [{ feature: 'tools', methods: ['tools/call'], namePatternType: 'LITERAL', namePattern: 'echo' }],
          },
        },
        {
          groupId: POLICY_GROUP_ID,
          assetId: 'mcp-pii-detector',
          assetVersion: '1.0.0',
          configurationData: { entities: ['Email'], action: 'Redact' },
        },
      ],
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('shows every call in the log search within seconds, with what the gateway saw and decided', async () => {
    const endpoint = `${instance.proxyUrl}/mcp`;
    const sent = Date.now();
    expect((await postMcp(endpoint, call(1, 'echo', { text: 'hello' }), AGENT)).status).toBe(200);
    expect((await postMcp(endpoint, call(2, 'echo', { text: 'mail me at a@example.com' }), AGENT)).status).toBe(200);
    const denied = await postMcp(endpoint, call(3, 'fail', {}), AGENT);
    expect(JSON.parse(denied.body).error.code).toBe(-32602);

    const logs = await eventually(async () => {
      const res = await cp.request('GET', `${analytics}/access-logs?apiId=${instance.apiId}`, { token: tenant.token });
      return res.body.data?.length === 3 ? res.body.data : undefined;
    }, 'three access events');
    const shownAfterMs = Date.now() - sent;
    expect(shownAfterMs).toBeLessThan(10_000);

    const [fail, redacted, hello] = logs;
    for (const event of logs) {
      expect(event).toMatchObject({
        apiId: instance.apiId,
        gatewayId: registered.gatewayId,
        replicaId: gateway.replicaId,
        httpMethod: 'POST',
        httpStatus: 200,
        mcpMethod: 'tools/call',
        clientAddress: '127.0.0.1',
        userAgent: 'e2e-agent/2.0',
      });
      expect(event.requestId).toEqual(expect.any(String));
      expect(event.durationUs).toBeGreaterThan(0);
      expect(event.bytesIn).toBeGreaterThan(0);
      expect(event.bytesOut).toBeGreaterThan(0);
      expect(new Date(event.time).getTime()).toBeGreaterThanOrEqual(sent - 1000);
    }
    expect(hello).toMatchObject({ jsonRpcId: '1', mcpName: 'echo', jsonRpcErrorCode: null, verdicts: [], dlp: [] });
    expect(hello.upstreamLatencyUs).toBeGreaterThan(0);
    expect(redacted).toMatchObject({
      jsonRpcId: '2',
      mcpName: 'echo',
      verdicts: [],
      dlp: [expect.objectContaining({ categories: ['Email'], action: 'redacted' })],
    });
    expect(fail).toMatchObject({
      jsonRpcId: '3',
      mcpName: 'fail',
      jsonRpcErrorCode: -32602,
      upstreamLatencyUs: null,
      verdicts: [expect.objectContaining({ policyType: 'mcp-acl', verdict: 'reject', mode: 'enforce' })],
    });

    const byDenial = await cp.request('GET', `${analytics}/access-logs?deniedBy=mcp-acl&apiId=${instance.apiId}`, {
      token: tenant.token,
    });
    expect(byDenial.body.data.map((e: { id: string }) => e.id)).toEqual([fail.id]);
    const byDlp = await cp.request('GET', `${analytics}/access-logs?dlp=redacted&apiId=${instance.apiId}`, {
      token: tenant.token,
    });
    expect(byDlp.body.data.map((e: { id: string }) => e.id)).toEqual([redacted.id]);
  });

  it('counts the same calls in the analytics, the workflow graph and the Anypoint event report', async () => {
    const filter = `apiId=${instance.apiId}`;
    const stats = await cp.request('GET', `${analytics}/mcp-analytics?${filter}`, { token: tenant.token });
    expect(stats.body.totals).toMatchObject({ requests: 3, errors: 1, denials: 1, dlpFindings: 1 });
    expect(stats.body.tools.map((t: { name: string; requests: number }) => [t.name, t.requests])).toEqual([
      ['echo', 2],
      ['fail', 1],
    ]);
    expect(stats.body.policies).toEqual([expect.objectContaining({ policyType: 'mcp-acl', denials: 1 })]);

    const graph = await cp.request('GET', `${analytics}/workflow-graph?${filter}`, { token: tenant.token });
    expect(graph.body.edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'agent:e2e-agent/2.0', target: `api:${instance.apiId}`, requests: 3, errors: 1 }),
        expect.objectContaining({
          source: `api:${instance.apiId}`,
          target: `tool:${instance.apiId}:echo`,
          requests: 2,
          errors: 0,
        }),
        expect.objectContaining({
          source: `api:${instance.apiId}`,
          target: `tool:${instance.apiId}:fail`,
          requests: 1,
          errors: 1,
        }),
      ]),
    );

    const report = await cp.request(
      'GET',
      `${analytics}/events?apiVersionIds=${instance.apiId}&fields=Verb.Status%20Code.Request%20Outcome.Violated%20Policy%20Name.User%20Agent%20Name`,
      {
        token: tenant.token,
      },
    );
    expect(report.body).toEqual([
      {
        Verb: 'POST',
        'Status Code': 200,
        'Request Outcome': 'PROCESSED',
        'Violated Policy Name': '',
        'User Agent Name': 'e2e-agent',
      },
      {
        Verb: 'POST',
        'Status Code': 200,
        'Request Outcome': 'PROCESSED',
        'Violated Policy Name': '',
        'User Agent Name': 'e2e-agent',
      },
      {
        Verb: 'POST',
        'Status Code': 200,
        'Request Outcome': 'BLOCKED',
        'Violated Policy Name': 'mcp-acl',
        'User Agent Name': 'e2e-agent',
      },
    ]);

    const replicas = await cp.request(
      'GET',
      `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/gateways/${registered.gatewayId}/replicas`,
      { token: tenant.token },
    );
    expect(replicas.body.content).toEqual([expect.objectContaining({ nodeId: gateway.replicaId, droppedEvents: 0 })]);
  });
});
