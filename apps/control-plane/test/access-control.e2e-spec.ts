/**
 * Access control on tools, resources and prompts, applied over REST and enforced by a registered
 * gateway in front of `@modelcontextprotocol/server-everything`, seen by the MCP SDK client:
 * seed 002's three ACL scenarios (no rules, read-only listing, one literal tool), conditions over
 * headers and arguments, shadow mode; global access (Allow/Block), tool mapping (rename,
 * describe, disable) and a chain of them in the applied order.
 */
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import {
  deployMcpInstance,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  deployWithPolicies,
  type PolicyToApply,
} from './support/gateways.js';

const MCP_ACL = { groupId: POLICY_GROUP_ID, assetId: 'mcp-acl', assetVersion: '1.0.0' };
const GLOBAL_ACCESS = { groupId: POLICY_GROUP_ID, assetId: 'mcp-global-access-policy', assetVersion: '1.0.0' };
const TOOL_MAPPING = { groupId: POLICY_GROUP_ID, assetId: 'mcp-tool-mapping', assetVersion: '1.0.0' };
const SCHEMA_VALIDATION = { groupId: POLICY_GROUP_ID, assetId: 'mcp-schema-validation', assetVersion: '1.1.0' };
const ACCESS_CONTROL = { groupId: POLICY_GROUP_ID, assetId: 'mcp-access-control', assetVersion: '1.0.1' };

describe('access control (mcp-acl)', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  const clients: Client[] = [];

  /** An MCP instance on the gateway with mcp-support, then `policies` in this order, rolled out. */
  const withPolicies = (...policies: PolicyToApply[]): Promise<McpInstance> =>
    deployWithPolicies(cp, tenant, { upstreamUrl: everything.baseUrl, targetId: registered.gatewayId, prefix: 'acl' }, policies);

  /** mcp-support and mcp-acl with `rules` (none: its default). */
  const withAcl = (rules: unknown[] | undefined, mode?: 'shadow') =>
    withPolicies({ ...MCP_ACL, configurationData: rules === undefined ? {} : { rules }, ...(mode ? { mode } : {}) });

  const connect = async (target: string, headers: Record<string, string> = {}): Promise<Client> => {
    const client = new Client({ name: 'portico-tests', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${target}/mcp`), { requestInit: { headers } }));
    clients.push(client);
    return client;
  };

  const toolNames = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();

  let allTools: string[];

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    registered = await registerGateway(cp, tenant, uniqueName('acl'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    allTools = await toolNames(await connect(everything.baseUrl.replace(/\/$/, '')));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await gateway?.stop();
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('with no rules denies everything: the client connects and pings, every list is empty, every call is unknown', async () => {
    const instance = await withAcl(undefined);
    const client = await connect(instance.proxyUrl);
    await expect(client.ping()).resolves.toEqual({});
    expect((await client.listTools()).tools).toEqual([]);
    expect((await client.listPrompts()).prompts).toEqual([]);
    expect((await client.listResources()).resources).toEqual([]);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([]);
    await expect(client.callTool({ name: 'echo', arguments: { message: 'x' } })).rejects.toMatchObject({
      code: -32602,
      message: 'MCP error -32602: Unknown tool: echo',
      data: undefined,
    });
    await expect(client.getPrompt({ name: 'simple-prompt' })).rejects.toMatchObject({
      code: -32602,
      message: 'MCP error -32602: Unknown prompt: simple-prompt',
    });
    await expect(client.readResource({ uri: 'demo://resource/static/document/architecture.md' })).rejects.toMatchObject({
      code: -32002,
      message: 'MCP error -32002: Resource not found',
      data: { uri: 'demo://resource/static/document/architecture.md' },
    });
    // A hidden tool is answered exactly like one that does not exist.
    const failure = (name: string) =>
      client.callTool({ name, arguments: {} }).then(
        () => 'answered',
        (e: Error) => e.message,
      );
    const [hidden, missing] = [await failure('echo'), await failure('no-such-tool')];
    expect(hidden.replace('echo', 'X')).toBe(missing.replace('no-such-tool', 'X'));
  });

  it('with a tools/list rule lists every tool and refuses to call them', async () => {
    const instance = await withAcl([{ feature: 'tools', methods: ['tools/list'] }]);
    const client = await connect(instance.proxyUrl);
    expect(await toolNames(client)).toEqual(allTools);
    await expect(client.callTool({ name: 'echo', arguments: { message: 'x' } })).rejects.toMatchObject({
      code: -32602,
      message: 'MCP error -32602: Access denied to: echo',
      data: { reason: 'POLICY_DENIED', policy: 'mcp-acl' },
    });
    // Prompts have no rule: still hidden.
    expect((await client.listPrompts()).prompts).toEqual([]);
  });

  it('with a LITERAL rule makes only that tool visible and callable', async () => {
    const instance = await withAcl([
      { feature: 'tools', methods: ['tools/list', 'tools/call'], namePatternType: 'LITERAL', namePattern: 'echo' },
    ]);
    const client = await connect(instance.proxyUrl);
    expect(await toolNames(client)).toEqual(['echo']);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'allowed' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: allowed' }]);
    await expect(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({
      code: -32602,
      message: 'MCP error -32602: Unknown tool: get-sum',
    });
  });

  it('with REGEX rules covers names by a whole-name RE2 match, per feature', async () => {
    const instance = await withAcl([
      { feature: 'tools', methods: ['tools/list', 'tools/call'], namePatternType: 'REGEX', namePattern: 'get-.*' },
      { feature: 'prompts', methods: ['prompts/list', 'prompts/get'], namePatternType: 'REGEX', namePattern: 'simple' },
    ]);
    const client = await connect(instance.proxyUrl);
    expect(await toolNames(client)).toEqual(allTools.filter((name) => name.startsWith('get-')));
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual([]);
    const sum = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    expect(JSON.stringify(sum.content)).toContain('3');
  });

  it('applies a rule only where its condition over the headers holds', async () => {
    const instance = await withAcl([
      {
        feature: 'tools',
        methods: ['tools/list', 'tools/call'],
        condition: "#[attributes.headers['x-team'] == 'blue']",
      },
    ]);
    const blue = await connect(instance.proxyUrl, { 'x-team': 'blue' });
    const red = await connect(instance.proxyUrl, { 'x-team': 'red' });
    const none = await connect(instance.proxyUrl);
    expect(await toolNames(blue)).toEqual(allTools);
    expect(await toolNames(red)).toEqual([]);
    expect(await toolNames(none)).toEqual([]);
    expect((await blue.callTool({ name: 'echo', arguments: { message: 'team' } })).content).toEqual([
      { type: 'text', text: 'Echo: team' },
    ]);
    await expect(red.callTool({ name: 'echo', arguments: { message: 'team' } })).rejects.toMatchObject({ code: -32602 });
  });

  it('judges a call by its arguments', async () => {
    const instance = await withAcl([
      { feature: 'tools', methods: ['tools/list'] },
      { feature: 'tools', methods: ['tools/call'], condition: "#[mcp.arguments.message != 'secret']" },
    ]);
    const client = await connect(instance.proxyUrl);
    expect((await client.callTool({ name: 'echo', arguments: { message: 'public' } })).content).toEqual([
      { type: 'text', text: 'Echo: public' },
    ]);
    await expect(client.callTool({ name: 'echo', arguments: { message: 'secret' } })).rejects.toMatchObject({
      message: 'MCP error -32602: Access denied to: echo',
    });
  });

  it('in shadow mode counts what it would deny and hide, and lets everything through', async () => {
    const instance = await withAcl(undefined, 'shadow');
    const client = await connect(instance.proxyUrl);
    expect(await toolNames(client)).toEqual(allTools);
    expect((await client.callTool({ name: 'echo', arguments: { message: 'shadow' } })).content).toEqual([
      { type: 'text', text: 'Echo: shadow' },
    ]);
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/policy_verdicts_total\{policy="mcp-acl",verdict="reject",mode="shadow"\} [1-9]/);
    expect(metrics).toMatch(/policy_verdicts_total\{policy="mcp-acl",verdict="mutate",mode="shadow"\} [1-9]/);
  });

  it('refuses a condition that does not compile, naming the rule and the cause', async () => {
    const instance = await deployMcpInstance(cp, tenant, {
      upstreamUrl: everything.baseUrl,
      port: await freePort(),
      basePath: `/${uniqueName('acl')}`,
      targetId: registered.gatewayId,
    });
    const refused = await cp.request('POST', `${instance.apisPath}/${instance.apiId}/policies`, {
      token: tenant.token,
      json: {
        ...MCP_ACL,
        configurationData: { rules: [{ feature: 'tools', methods: ['tools/list'], condition: '#[claims.role == 1]' }] },
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('configurationData.rules[0].condition');
    expect(refused.body.message).toContain('Unknown variable: claims');
  });

  it('global access shows allowed tools only, Block winning, and answers the others as missing', async () => {
    const instance = await withPolicies({
      ...GLOBAL_ACCESS,
      configurationData: {
        rules: [
          { rule: 'Allow', matchType: 'pattern', value: 'get-.*' },
          { rule: 'Block', matchType: 'literal', value: 'get-env' },
        ],
      },
    });
    const client = await connect(instance.proxyUrl);
    expect(await toolNames(client)).toEqual(allTools.filter((name) => name.startsWith('get-') && name !== 'get-env'));
    for (const name of ['get-env', 'echo']) {
      await expect(client.callTool({ name, arguments: {} })).rejects.toMatchObject({
        code: -32602,
        message: `MCP error -32602: Unknown tool: ${name}`,
      });
    }
    expect(JSON.stringify((await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })).content)).toContain('5');
  });

  it('tool mapping renames, describes and disables tools both ways, regex names included', async () => {
    const instance = await withPolicies({
      ...TOOL_MAPPING,
      configurationData: {
        toolMappings: [
          { sourceToolName: 'echo', mappedToolName: 'say', mappedDescription: 'Says it back' },
          { sourceToolName: 'get-env', enabled: false },
          { sourceToolName: 'get-(.*)', mappedToolName: 'fetch_$1', mappingType: 'regex' },
        ],
      },
    });
    // A client that never listed calls a regex-mapped name: mapped back from the name alone.
    const direct = await connect(instance.proxyUrl);
    expect(JSON.stringify((await direct.callTool({ name: 'fetch_sum', arguments: { a: 4, b: 5 } })).content)).toContain('9');

    const client = await connect(instance.proxyUrl);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toContain('say');
    expect(tools.find((t) => t.name === 'say')?.description).toBe('Says it back');
    expect(names).not.toContain('echo');
    expect(names).not.toContain('get-env');
    expect(names).not.toContain('fetch_env');
    expect(names.filter((n) => n.startsWith('fetch_')).sort()).toEqual(
      allTools
        .filter((n) => n.startsWith('get-') && n !== 'get-env')
        .map((n) => n.replace('get-', 'fetch_'))
        .sort(),
    );
    expect((await client.callTool({ name: 'say', arguments: { message: 'renamed' } })).content).toEqual([
      { type: 'text', text: 'Echo: renamed' },
    ]);
    // The disabled tool under the name the regex would give it is a name no upstream tool has.
    expect(await client.callTool({ name: 'fetch_env', arguments: {} })).toMatchObject({ isError: true });
    for (const name of ['echo', 'get-env']) {
      await expect(client.callTool({ name, arguments: {} })).rejects.toMatchObject({
        message: `MCP error -32602: Unknown tool: ${name}`,
      });
    }
  });

  it('chains access policies in the applied order: each judges the names clients see at its place', async () => {
    // Global access comes before the mapping, so it judges client names: blocking `say` hides
    // the renamed echo in lists (the mapping renamed it first on the way back) and refuses calls.
    const instance = await withPolicies(
      { ...GLOBAL_ACCESS, configurationData: { rules: [{ rule: 'Block', value: 'say' }] } },
      { ...TOOL_MAPPING, configurationData: { toolMappings: [{ sourceToolName: 'echo', mappedToolName: 'say' }] } },
      { ...MCP_ACL, configurationData: { rules: [{ feature: 'tools', methods: ['tools/list', 'tools/call'] }] } },
    );
    const client = await connect(instance.proxyUrl);
    const names = await toolNames(client);
    expect(names).not.toContain('say');
    expect(names).not.toContain('echo');
    expect(names).toContain('get-sum');
    await expect(client.callTool({ name: 'say', arguments: { message: 'x' } })).rejects.toMatchObject({
      message: 'MCP error -32602: Unknown tool: say',
    });
  });

  it('mcp-access-control authorizes with Cedar: a principal-free rule for one tool, a parse error refused', async () => {
    // No authentication policy yet: the principal is anonymous, so only principal-free rules permit.
    const instance = await withPolicies({
      ...ACCESS_CONTROL,
      configurationData: { rules: ['permit(principal, action, resource == Tool::"echo");'], authType: 'Other' },
    });
    const client = await connect(instance.proxyUrl);
    expect(await toolNames(client)).toEqual(['echo']);
    expect((await client.callTool({ name: 'echo', arguments: { message: 'cedar' } })).content).toEqual([
      { type: 'text', text: 'Echo: cedar' },
    ]);
    await expect(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } })).rejects.toMatchObject({
      message: 'MCP error -32602: Unknown tool: get-sum',
    });
    const refused = await cp.request('POST', `${instance.apisPath}/${instance.apiId}/policies`, {
      token: tenant.token,
      json: { ...ACCESS_CONTROL, configurationData: { rules: ['permit(principal, action resource);'] } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('configurationData.rules[0]');
    expect(refused.body.message).toContain('unexpected token `resource`');
  });

  it('mcp-schema-validation refuses malformed MCP requests and arguments outside the tool input schema', async () => {
    const instance = await withPolicies({ ...SCHEMA_VALIDATION, configurationData: { validateToolSchema: true } });
    // The client never listed the tools: the gateway asks the upstream for them on its session.
    const client = await connect(instance.proxyUrl);
    await expect(client.callTool({ name: 'get-sum', arguments: { a: 'one', b: 2 } })).rejects.toMatchObject({
      code: -32602,
      message: 'MCP error -32602: Invalid params: arguments.a: must be number',
    });
    expect(JSON.stringify((await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).content)).toContain('3');
    const malformed = await fetch(`${instance.proxyUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'logging/setLevel', params: { level: 'loud' } }),
    });
    expect(malformed.status).toBe(200);
    expect(((await malformed.json()) as { error: unknown }).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('Invalid params: params.level'),
    });
  });
});
