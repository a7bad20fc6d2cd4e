/**
 * Federation configured the way users configure it — an API instance with labelled upstreams and
 * the mcp-transcoding-router policy over the REST API — and served by a real gateway process to
 * the MCP SDK client: one endpoint over two servers, each call's access event naming the member
 * that answered it. A route naming no upstream of the instance is refused with 400, naming the field.
 */
import { freePort, type GatewayProcess, startGatewayProcess, startMcpServer, type TestMcpServer } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newMcpAsset, newTenant, type TestTenant } from './support/factories.js';
import { eventually, MCP_SUPPORT, registerGateway, withMcpClient } from './support/gateways.js';

const ROUTER = { groupId: MCP_SUPPORT.groupId, assetId: 'mcp-transcoding-router', assetVersion: '1.0.0' };

describe('a federated instance configured over REST', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let jira: TestMcpServer;
  let github: TestMcpServer;
  let gateway: GatewayProcess;
  let port: number;
  let apis: string;
  let apiId: number;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    [jira, github] = await Promise.all([
      startMcpServer({ name: 'jira' }),
      startMcpServer({ name: 'github', jsonResponse: true }),
    ]);
    const registered = await registerGateway(cp, tenant, 'edge');
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    port = await freePort();
    apis = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
    const created = await cp.request('POST', apis, {
      token: tenant.token,
      json: {
        technology: 'flexGateway',
        spec: await newMcpAsset(tenant.organizationId),
        endpoint: { deploymentType: 'HY', type: 'mcp', isCloudHub: null, proxyUri: `http://0.0.0.0:${port}/hub` },
        // An MCP route holds one upstream: one route per member (the router, not the routes, decides).
        routing: [
          { label: 'jira', upstreams: [{ uri: jira.url.replace(/mcp$/, ''), label: 'jira' }] },
          { label: 'github', upstreams: [{ uri: github.url.replace(/mcp$/, ''), label: 'github' }] },
        ],
      },
    });
    expect(created.status).toBe(201);
    apiId = created.body.id;
    const deployed = await cp.request('POST', `${apis}/${apiId}/deployments`, {
      token: tenant.token,
      json: {
        type: 'HY',
        targetId: registered.gatewayId,
        targetName: 'edge',
        gatewayVersion: '1.0.0',
        environmentId: tenant.sandboxId,
      },
    });
    expect(deployed.status).toBe(201);
    const support = await cp.request('POST', `${apis}/${apiId}/policies`, {
      token: tenant.token,
      json: { ...MCP_SUPPORT, configurationData: {} },
    });
    expect(support.status).toBe(201);
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([jira?.close(), github?.close()]);
    await cp?.close();
    await closeTestPrisma();
  });

  it('refuses a route naming no upstream of the instance, and writes nothing', async () => {
    const refused = await cp.request('POST', `${apis}/${apiId}/policies`, {
      token: tenant.token,
      json: { ...ROUTER, configurationData: { routes: [{ upstreamName: 'gitlab', tools: ['echo'] }] } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe(
      `configurationData.routes[0].upstreamName: no upstream of API instance ${apiId} is labelled "gitlab" (its upstreams: jira, github)`,
    );
    const policies = await cp.request('GET', `${apis}/${apiId}/policies?fullInfo=false`, { token: tenant.token });
    expect(policies.body.map((p: { assetId: string }) => p.assetId)).toEqual(['mcp-support']);
  });

  it('serves one MCP endpoint over both servers once the router is applied', async () => {
    const applied = await cp.request('POST', `${apis}/${apiId}/policies`, {
      token: tenant.token,
      json: { ...ROUTER, configurationData: { routes: [{ upstreamName: 'jira', tools: ['echo'] }] } },
    });
    expect(applied.status).toBe(201);
    const url = `http://127.0.0.1:${port}/hub/mcp`;
    const names = await eventually(async () => {
      const tools = await withMcpClient(url, {}, async (client) => (await client.listTools()).tools.map((t) => t.name));
      return tools.includes('github_echo') ? tools : undefined;
    }, 'the federated tool list');
    expect(names).toEqual(expect.arrayContaining(['echo', 'github_echo', 'fail', 'slow']));
    const answer = await withMcpClient(url, {}, async (client) => {
      const [mine, theirs] = [
        await client.callTool({ name: 'echo', arguments: { text: 'to jira' } }),
        await client.callTool({ name: 'github_echo', arguments: { text: 'to github' } }),
      ];
      return [mine, theirs].map((r) => (r.content as { text: string }[])[0]!.text);
    });
    expect(answer).toEqual(['to jira', 'to github']);
    expect(jira.requests.some((r) => r.method === 'POST')).toBe(true);
    expect(github.requests.some((r) => r.method === 'POST')).toBe(true);

    // The access log names the member that answered each call; the federation's own answers none.
    const analytics = `/analytics/1.0/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    const calls = await eventually(async () => {
      const res = await cp.request('GET', `${analytics}/access-logs?apiId=${apiId}&method=tools/call`, { token: tenant.token });
      return res.body.data?.length >= 2 ? (res.body.data as { mcpName: string; upstreamName: string | null }[]) : undefined;
    }, 'the access events of the two calls');
    expect(calls.map((e) => [e.mcpName, e.upstreamName]).sort()).toEqual([
      ['echo', 'jira'],
      ['github_echo', 'github'],
    ]);
    const lists = await cp.request('GET', `${analytics}/access-logs?apiId=${apiId}&method=tools/list`, { token: tenant.token });
    expect(lists.body.data.map((e: { upstreamName: string | null }) => e.upstreamName)).toContain(null);
  });
});
