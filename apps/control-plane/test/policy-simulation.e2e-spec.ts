/**
 * Explain: POST …/apis/{id}/policies/simulate answers, policy by policy, what the chain would
 * decide for a hypothetical MCP call and caller — and the gateway then decides the same on real
 * traffic (a registered gateway in front of `@modelcontextprotocol/server-everything`, the SDK
 * client): allowed with the message the upstream gets, denied with the error the client gets,
 * schema validation given the upstream's tool list, a list answer filtered and renamed, identity
 * conditions, shadow mode, and bad input.
 */
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { type EverythingServer, type GatewayProcess, startEverythingServer, startGatewayProcess } from '#portico/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import {
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  deployWithPolicies,
  type PolicyToApply,
} from './support/gateways.js';

const MCP_ACL = { groupId: POLICY_GROUP_ID, assetId: 'mcp-acl', assetVersion: '1.0.0' };
const TOOL_MAPPING = { groupId: POLICY_GROUP_ID, assetId: 'mcp-tool-mapping', assetVersion: '1.0.0' };
const SCHEMA_VALIDATION = { groupId: POLICY_GROUP_ID, assetId: 'mcp-schema-validation', assetVersion: '1.1.0' };

describe('policy simulation', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let upstreamTools: Record<string, unknown>[];
  const clients: Client[] = [];

  const withPolicies = (...policies: PolicyToApply[]): Promise<McpInstance> =>
    deployWithPolicies(cp, tenant, { upstreamUrl: everything.baseUrl, targetId: registered.gatewayId, prefix: 'sim' }, policies);

  const connect = async (target: string, headers: Record<string, string> = {}): Promise<Client> => {
    const client = new Client({ name: 'portico-tests', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${target}/mcp`), { requestInit: { headers } }));
    clients.push(client);
    return client;
  };

  const simulate = (instance: McpInstance, body: unknown, token = tenant.token) =>
    cp.request('POST', `${instance.apisPath}/${instance.apiId}/policies/simulate`, { token, json: body });

  /** What the gateway answers a tools/call with: its content, or the JSON-RPC error. */
  const gatewayCall = (client: Client, name: string, args: Record<string, unknown>) =>
    client.callTool({ name, arguments: args }).then(
      (result) => ({ content: result.content }),
      (error: { code: number; message: string }) => ({
        code: error.code,
        message: error.message.replace(/^MCP error -?\d+: /, ''),
      }),
    );

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    registered = await registerGateway(cp, tenant, uniqueName('sim'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    upstreamTools = (await (await connect(everything.baseUrl.replace(/\/$/, ''))).listTools()).tools as Record<string, unknown>[];
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

  it('explains each policy of a chain, and the gateway decides the same on real traffic', async () => {
    const instance = await withPolicies(
      {
        ...MCP_ACL,
        configurationData: {
          rules: [
            { feature: 'tools', methods: ['tools/list'] },
            { feature: 'tools', methods: ['tools/call'], condition: "#[attributes.headers['x-team'] == 'blue']" },
          ],
        },
      },
      { ...TOOL_MAPPING, configurationData: { toolMappings: [{ sourceToolName: 'echo', mappedToolName: 'say' }] } },
      { ...SCHEMA_VALIDATION, configurationData: { validateToolSchema: true } },
    );
    const blue = await connect(instance.proxyUrl, { 'x-team': 'blue' });
    const red = await connect(instance.proxyUrl, { 'x-team': 'red' });
    const call = (message: unknown) => ({ method: 'tools/call', params: { name: 'say', arguments: { message } } });

    // Allowed: every policy's verdict, and the message the upstream gets (echo, named back).
    const allowed = await simulate(instance, { message: call('hi'), caller: { headers: { 'X-Team': 'blue' } } });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({
      decision: 'allowed',
      forwarded: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } },
    });
    expect(
      allowed.body.policies.map((p: { policyTemplateId: string; outcome: string }) => [p.policyTemplateId, p.outcome]),
    ).toEqual([
      ['mcp-support', 'pass'],
      ['mcp-acl', 'pass'],
      ['mcp-tool-mapping', 'mutate'],
      ['mcp-schema-validation', 'pass'],
    ]);
    expect(allowed.body.policies.map((p: { order: number }) => p.order)).toEqual([1, 2, 3, 4]);
    expect(await gatewayCall(blue, 'say', { message: 'hi' })).toEqual({ content: [{ type: 'text', text: 'Echo: hi' }] });

    // Denied by the ACL: the error the client gets, which the gateway then gives.
    const denied = await simulate(instance, { message: call('hi'), caller: { headers: { 'x-team': 'red' } } });
    expect(denied.body).toMatchObject({ decision: 'denied', answer: { httpStatus: 200 } });
    expect(denied.body.reason).toMatch(/^policy \d+ \(mcp-acl\) denied: Access denied to: say$/);
    expect(denied.body.policies.map((p: { outcome: string; reason: string }) => [p.outcome, p.reason])).toEqual([
      ['pass', 'passed'],
      ['reject', 'denied: Access denied to: say'],
      ['skipped', 'not reached: an earlier policy denied the call'],
      ['skipped', 'not reached: an earlier policy denied the call'],
    ]);
    const { error } = denied.body.answer.body;
    expect(await gatewayCall(red, 'say', { message: 'hi' })).toEqual({ code: error.code, message: error.message });

    // Arguments outside the input schema, given the upstream's tool list.
    const invalid = await simulate(instance, { message: call(5), caller: { headers: { 'x-team': 'blue' } }, upstreamTools });
    expect(invalid.body.decision).toBe('denied');
    expect(invalid.body.policies[3]).toMatchObject({ policyTemplateId: 'mcp-schema-validation', outcome: 'reject' });
    const invalidError = invalid.body.answer.body.error;
    expect(invalidError.message).toContain('arguments.message');
    expect(await gatewayCall(blue, 'say', { message: 5 })).toEqual({ code: invalidError.code, message: invalidError.message });

    // A list answer: filtered and renamed by the response hooks, as the client then sees it.
    const listed = await simulate(instance, { message: { method: 'tools/list' }, upstreamResult: { tools: upstreamTools } });
    expect(listed.body.decision).toBe('allowed');
    const simulatedNames = listed.body.response.result.tools.map((t: { name: string }) => t.name).sort();
    expect(simulatedNames).toContain('say');
    expect(simulatedNames).toEqual((await red.listTools()).tools.map((t) => t.name).sort());
    expect(listed.body.policies.filter((p: { phase: string }) => p.phase === 'response')).toEqual([
      expect.objectContaining({ policyTemplateId: 'mcp-schema-validation', outcome: 'pass' }),
      expect.objectContaining({ policyTemplateId: 'mcp-tool-mapping', outcome: 'mutate' }),
      expect.objectContaining({ policyTemplateId: 'mcp-acl', outcome: 'pass' }),
    ]);
  });

  it('decides on the caller identity an authentication policy would establish, and explains shadow mode', async () => {
    const instance = await withPolicies(
      {
        groupId: POLICY_GROUP_ID,
        assetId: 'http-basic-authentication',
        assetVersion: '1.3.2',
        configurationData: { username: 'alice', password: 'secret' },
      },
      {
        ...MCP_ACL,
        configurationData: {
          rules: [
            { feature: 'tools', methods: ['tools/list', 'tools/call'], condition: "#[authentication.principal == 'alice']" },
          ],
        },
      },
    );
    const echo = { method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } };
    const alice = await simulate(instance, {
      message: echo,
      caller: { identity: { principal: 'alice', claims: { sub: 'alice' } } },
    });
    expect(alice.body.decision).toBe('allowed');
    expect(alice.body.policies[1]).toMatchObject({
      policyTemplateId: 'http-basic-authentication',
      outcome: 'skipped',
      reason: expect.stringContaining('runs on the HTTP request before any MCP message'),
    });
    const bob = await simulate(instance, { message: echo, caller: { identity: { principal: 'bob' } } });
    expect(bob.body).toMatchObject({
      decision: 'denied',
      answer: { httpStatus: 200, body: { error: { code: -32602, message: 'Unknown tool: echo' } } },
    });

    const shadow = await withPolicies({ ...MCP_ACL, configurationData: {}, mode: 'shadow' });
    const shadowed = await simulate(shadow, { message: echo });
    expect(shadowed.body.decision).toBe('allowed');
    expect(shadowed.body.policies[1]).toMatchObject({
      policyTemplateId: 'mcp-acl',
      mode: 'shadow',
      outcome: 'reject',
      enforced: false,
      reason: 'denied: Unknown tool: echo (shadow mode: logged and counted, not applied)',
    });
    expect(await gatewayCall(await connect(shadow.proxyUrl), 'echo', { message: 'x' })).toEqual({
      content: [{ type: 'text', text: 'Echo: x' }],
    });
  });

  it('refuses bad input with a message naming the field, and hides other tenants’ instances', async () => {
    const instance = await withPolicies();
    const missing = await simulate(instance, { caller: {} });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('message');
    const badAddress = await simulate(instance, { message: { method: 'ping' }, caller: { clientAddress: 'here' } });
    expect(badAddress.status).toBe(400);
    expect(badAddress.text).toContain('must be an IP address');
    const unnamed = await simulate(instance, { message: { method: 'tools/call', params: {} } });
    expect(unnamed.status).toBe(200);
    expect(unnamed.body).toMatchObject({ decision: 'denied', answer: { body: { error: { code: -32602 } } }, policies: [] });
    const stranger = await newTenant(cp);
    expect((await simulate(instance, { message: { method: 'ping' } }, stranger.token)).status).toBe(404);
  });
});
