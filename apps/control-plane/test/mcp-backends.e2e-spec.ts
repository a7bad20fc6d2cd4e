/**
 * MCP backends over REST against a registered gateway in front of the test MCP server: switching
 * a backend off answers its calls 503 BACKEND_DISABLED at the gateway and keeps its
 * configuration; switching it on serves it again with the same policies; each action needs its
 * own permission.
 */
import {
  freePort,
  type GatewayProcess,
  postMcp,
  startGatewayProcess,
  startMcpServer,
  type TestMcpServer,
} from '#portico/testing';
import { queryAudit } from './support/audit.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newMcpAsset, newTenant, newUser, type TestTenant, uniqueName } from './support/factories.js';
import {
  deployWithPolicies,
  eventually,
  INITIALIZE,
  MCP_SUPPORT,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  rolledOut,
  withMcpClient,
} from './support/gateways.js';

const ROUTER = { groupId: MCP_SUPPORT.groupId, assetId: 'mcp-transcoding-router', assetVersion: '1.0.0' };

describe('MCP backends', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let upstream: TestMcpServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let backends: string;

  const echo = (instance: McpInstance) =>
    withMcpClient(`${instance.proxyUrl}/mcp`, {}, async (client) => {
      const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      return (result.content as { text: string }[])[0]!.text;
    });

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    upstream = await startMcpServer({ stateful: false });
    registered = await registerGateway(cp, tenant, uniqueName('backends'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    backends = `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/backends`;
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  const apis = () => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  const deploy = () =>
    deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: upstream.url.replace(/mcp$/, ''), targetId: registered.gatewayId, prefix: 'be' },
      [],
    );

  it('lists the MCP instances as backends with their mode, state and deployment', async () => {
    const instance = await deploy();
    const listed = await cp.request('GET', backends, { token: tenant.token });
    expect(listed.status).toBe(200);
    const backend = listed.body.backends.find((b: { apiId: number }) => b.apiId === instance.apiId);
    expect(backend).toMatchObject({
      enabled: true,
      connection: { mode: 'none' },
      deployment: { targetId: registered.gatewayId, status: 'applied', expectedStatus: 'deployed' },
    });
    const one = await cp.request('GET', `${backends}/${instance.apiId}`, { token: tenant.token });
    expect(one.body).toEqual(backend);
  });

  it('switches a backend off (503 BACKEND_DISABLED at the gateway, configuration kept) and on again', async () => {
    const instance = await deploy();
    expect(await echo(instance)).toBe('hi');
    const policiesBefore = (await cp.request('GET', `${instance.apisPath}/${instance.apiId}/policies`, { token: tenant.token }))
      .body;

    const off = await cp.request('PATCH', `${backends}/${instance.apiId}`, { token: tenant.token, json: { enabled: false } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ apiId: instance.apiId, enabled: false });
    await rolledOut(cp, tenant, instance);
    const refused = await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({
      jsonrpc: '2.0',
      id: null, // answered before the body is read, like every refusal of the API as a whole
      error: { code: -32603, data: { reason: 'BACKEND_DISABLED' } },
    });
    expect(JSON.parse(refused.body).error.message).toMatch(/^The MCP backend .+ is disabled by its administrators$/);
    const disabledOnly = await cp.request('GET', `${backends}?enabled=false`, { token: tenant.token });
    expect(disabledOnly.body.backends.map((b: { apiId: number }) => b.apiId)).toContain(instance.apiId);
    expect(disabledOnly.body.backends.every((b: { enabled: boolean }) => !b.enabled)).toBe(true);

    const on = await cp.request('PATCH', `${backends}/${instance.apiId}`, { token: tenant.token, json: { enabled: true } });
    expect(on.body.enabled).toBe(true);
    await rolledOut(cp, tenant, instance);
    expect(await echo(instance)).toBe('hi');
    const policiesAfter = (await cp.request('GET', `${instance.apisPath}/${instance.apiId}/policies`, { token: tenant.token }))
      .body;
    expect(policiesAfter).toEqual(policiesBefore);

    const trail = await queryAudit(cp, tenant.token, tenant.organizationId);
    const switches = trail.data.filter((e) => e.objectType === 'api-instance' && e.objectId === String(instance.apiId));
    expect(switches.map((e) => [e.action, e.payload.before?.enabled, e.payload.after?.enabled])).toEqual(
      expect.arrayContaining([
        ['disable', true, false],
        ['enable', false, true],
      ]),
    );
  });

  it('takes a disabled backend out of a federation over it, and puts it back when enabled', async () => {
    const github = await startMcpServer({ name: 'github' });
    try {
      const member = await deployWithPolicies(
        cp,
        tenant,
        { upstreamUrl: github.url.replace(/mcp$/, ''), targetId: registered.gatewayId, prefix: 'member' },
        [],
      );
      const port = await freePort();
      const created = await cp.request('POST', apis(), {
        token: tenant.token,
        json: {
          technology: 'flexGateway',
          spec: await newMcpAsset(tenant.organizationId),
          endpoint: { deploymentType: 'HY', type: 'mcp', isCloudHub: null, proxyUri: `http://0.0.0.0:${port}/hub` },
          routing: [
            { label: 'jira', upstreams: [{ uri: upstream.url.replace(/mcp$/, ''), label: 'jira' }] },
            { label: 'github', upstreams: [{ uri: `${member.proxyUrl}/`, label: 'github' }] },
          ],
        },
      });
      expect(created.status).toBe(201);
      const hub: McpInstance = { apiId: created.body.id, apisPath: apis(), proxyUrl: `http://127.0.0.1:${port}/hub` };
      const deployed = await cp.request('POST', `${apis()}/${hub.apiId}/deployments`, {
        token: tenant.token,
        json: {
          type: 'HY',
          targetId: registered.gatewayId,
          targetName: 'gateway',
          gatewayVersion: '1.0.0',
          environmentId: tenant.sandboxId,
        },
      });
      expect(deployed.status).toBe(201);
      for (const policy of [
        { ...MCP_SUPPORT, configurationData: {} },
        { ...ROUTER, configurationData: { routes: [{ upstreamName: 'jira', tools: ['echo'] }] } },
      ]) {
        expect((await cp.request('POST', `${apis()}/${hub.apiId}/policies`, { token: tenant.token, json: policy })).status).toBe(
          201,
        );
      }
      await rolledOut(cp, tenant, hub);
      const names = () =>
        withMcpClient(`${hub.proxyUrl}/mcp`, {}, async (client) => (await client.listTools()).tools.map((t) => t.name).sort());
      expect(await names()).toEqual(['echo', 'fail', 'github_echo', 'slow']);

      // One credential for several servers would reach them all: refused, naming why.
      const keyed = await cp.request('PUT', `${backends}/${hub.apiId}/connection`, {
        token: tenant.token,
        json: { mode: 'api-key', value: 'k' },
      });
      expect(keyed.status).toBe(409);
      expect(keyed.body.message).toMatch(/federates several servers/);

      await cp.request('PATCH', `${backends}/${member.apiId}`, { token: tenant.token, json: { enabled: false } });
      await rolledOut(cp, tenant, member);
      // jira serves only echo (its route); github's tools went with it.
      expect(await names()).toEqual(['echo']);

      await cp.request('PATCH', `${backends}/${member.apiId}`, { token: tenant.token, json: { enabled: true } });
      await rolledOut(cp, tenant, member);
      expect(await names()).toEqual(['echo', 'fail', 'github_echo', 'slow']);
    } finally {
      await github.close();
    }
  });

  it('lists the tools the server listed and enables, disables and renames them at the gateway', async () => {
    const instance = await deploy();
    const tools = `${backends}/${instance.apiId}/tools`;
    await withMcpClient(`${instance.proxyUrl}/mcp`, {}, (client) => client.listTools());
    const seen = await eventually(async () => {
      const listed = await cp.request('GET', tools, { token: tenant.token });
      return listed.body.total > 0 ? listed.body : undefined;
    }, 'the observed tools');
    expect(seen.tools.map((t: { name: string; enabled: boolean }) => [t.name, t.enabled])).toEqual([
      ['echo', true],
      ['fail', true],
      ['slow', true],
    ]);

    const toolsUser = await newUser(cp, tenant.organizationId, ['configure:mcp_tools', 'read:api_configuration']);
    const body = {
      tools: [
        { name: 'fail', enabled: false },
        { name: 'echo', exposedName: 'say', description: 'Says it back' },
      ],
    };
    expect(
      (await cp.request('PUT', tools, { token: tenant.token, json: { tools: [{ name: 'x' }, { name: 'x' }] } })).status,
    ).toBe(400);
    const manager = await newUser(cp, tenant.organizationId, ['manage:api_policies', 'update:mcp_backends']);
    expect((await cp.request('PUT', tools, { token: manager.token, json: body })).status).toBe(403);
    const set = await cp.request('PUT', tools, { token: toolsUser.token, json: body });
    expect(set.status).toBe(200);
    expect(
      set.body.tools.map((t: { name: string; enabled: boolean; exposedName: string | null }) => [
        t.name,
        t.enabled,
        t.exposedName,
      ]),
    ).toEqual([
      ['echo', true, 'say'],
      ['fail', false, null],
      ['slow', true, 'slow'],
    ]);
    await rolledOut(cp, tenant, instance);
    await withMcpClient(`${instance.proxyUrl}/mcp`, {}, async (client) => {
      const listed = (await client.listTools()).tools;
      expect(listed.map((t) => [t.name, t.description])).toEqual([
        ['say', 'Says it back'],
        ['slow', expect.any(String)],
      ]);
      const said = await client.callTool({ name: 'say', arguments: { text: 'hi' } });
      expect((said.content as { text: string }[])[0]!.text).toBe('hi');
      await expect(client.callTool({ name: 'fail', arguments: {} })).rejects.toThrow(/Unknown tool: fail/);
    });

    // Back to the server's own list: the mapping policy goes.
    const reset = await cp.request('PUT', tools, { token: toolsUser.token, json: { tools: [] } });
    expect(reset.body.tools.every((t: { enabled: boolean }) => t.enabled)).toBe(true);
    const policies = (
      await cp.request('GET', `${instance.apisPath}/${instance.apiId}/policies?fullInfo=false`, { token: tenant.token })
    ).body;
    expect(policies.map((p: { assetId: string }) => p.assetId)).toEqual(['mcp-support']);
  });

  it('answers bad input with 400 naming the field, other ids with 404', async () => {
    const instance = await deploy();
    const bad = await cp.request('PATCH', `${backends}/${instance.apiId}`, { token: tenant.token, json: { enabled: 'no' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('enabled');
    const extra = await cp.request('PATCH', `${backends}/${instance.apiId}`, {
      token: tenant.token,
      json: { enabled: true, name: 'x' },
    });
    expect(extra.status).toBe(400);
    expect((await cp.request('GET', `${backends}/999999999`, { token: tenant.token })).status).toBe(404);
    expect((await cp.request('GET', `${backends}/abc`, { token: tenant.token })).status).toBe(404);
    const other = await newTenant(cp);
    const foreign = `/mcpgateway/api/v1/organizations/${other.organizationId}/environments/${other.sandboxId}/backends/${instance.apiId}`;
    expect((await cp.request('GET', foreign, { token: other.token })).status).toBe(404);
    expect((await cp.request('PATCH', foreign, { token: other.token, json: { enabled: false } })).status).toBe(404);
    expect((await cp.request('GET', `${backends}?limit=0`, { token: tenant.token })).status).toBe(400);
  });

  it('checks Update MCP Backends and Delete MCP Backends separately', async () => {
    const instance = await deploy();
    const reader = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
    const updater = await newUser(cp, tenant.organizationId, ['update:mcp_backends', 'read:api_configuration']);
    const deleter = await newUser(cp, tenant.organizationId, ['delete:mcp_backends']);
    const manager = await newUser(cp, tenant.organizationId, ['manage:api_configuration']);
    const path = `${backends}/${instance.apiId}`;
    expect((await cp.request('GET', path, { token: reader.token })).status).toBe(200);
    for (const user of [reader, deleter, manager]) {
      const refused = await cp.request('PATCH', path, { token: user.token, json: { enabled: false } });
      expect(refused.status).toBe(403);
    }
    expect((await cp.request('PATCH', path, { token: updater.token, json: { enabled: false } })).status).toBe(200);
    for (const user of [reader, updater, manager])
      expect((await cp.request('DELETE', path, { token: user.token })).status).toBe(403);
    expect((await cp.request('DELETE', path, { token: deleter.token })).status).toBe(204);
    expect((await cp.request('GET', path, { token: tenant.token })).status).toBe(404);
    expect((await cp.request('GET', `${instance.apisPath}/${instance.apiId}`, { token: tenant.token })).status).toBe(404);
  });
});
