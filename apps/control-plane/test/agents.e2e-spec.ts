/**
 * Agents and agent → MCP mapping (issue 20, seed 003) end to end: agents configured over REST
 * (custom, bound to a client application; predefined, from the shipped list), mapped to MCP
 * backends of a registered gateway in front of the test MCP server, and enforced there — by the
 * client id of a validated JWT, and by the clientInfo name on an unauthenticated backend; a
 * mapping's tools hide the others; the access log and the workflow graph name the agent; each
 * write needs Configure Agents, and another organization's agent is a 404.
 */
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import {
  type GatewayProcess,
  postMcp,
  startGatewayProcess,
  startIdentityProvider,
  startMcpServer,
  type TestIdentityProvider,
  type TestMcpServer,
} from '#portico/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { queryAudit } from './support/audit.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newApiInstance, newTenant, newUser, type TestTenant, uniqueName } from './support/factories.js';
import {
  deployWithPolicies,
  eventually,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  rolledOut,
} from './support/gateways.js';

const initialize = (clientName: string) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: clientName, version: '1.0.0' } },
});

describe('agents and agent → MCP mapping', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let upstream: TestMcpServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let idp: TestIdentityProvider;
  let jwksUrl: string;
  let sign: (claims: Record<string, unknown>) => Promise<string>;
  let agents: string;
  let analytics: string;
  /** The custom agent bound to a client application, and that application's client id. */
  let bot: { id: string; name: string };
  let botClientId: string;
  let claudeCode: { id: string; name: string };
  let cursor: { id: string; name: string };
  let jwtBackend: McpInstance;
  let openBackend: McpInstance;

  const mapping = (instance: McpInstance) =>
    `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/backends/${instance.apiId}/agents`;

  /** An SDK client named `clientName` connected through `instance` with `headers`; closed after `use`. */
  const withClient = async <T>(
    instance: McpInstance,
    clientName: string,
    headers: Record<string, string>,
    use: (client: Client) => Promise<T>,
  ): Promise<T> => {
    const client = new Client({ name: clientName, version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${instance.proxyUrl}/mcp`), { requestInit: { headers } }));
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  };

  const deploy = (prefix: string, policies: Parameters<typeof deployWithPolicies>[3] = []) =>
    deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: upstream.url.replace(/mcp$/, ''), targetId: registered.gatewayId, prefix },
      policies,
    );

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    agents = `/mcpgateway/api/v1/organizations/${tenant.organizationId}/agents`;
    analytics = `/analytics/1.0/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    upstream = await startMcpServer();
    idp = await startIdentityProvider();
    jwksUrl = idp.jwksUrl;
    sign = (claims) => idp.sign(claims);
    registered = await registerGateway(cp, tenant, uniqueName('agents'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await idp?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('lists the predefined agents and creates custom and predefined agents, each recognised by rules of its own', async () => {
    const predefined = await cp.request('GET', `${agents}/predefined`, { token: tenant.token });
    expect(predefined.status).toBe(200);
    expect(predefined.body.agents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'claude-code', name: 'Claude Code', clientInfoNames: ['claude-code'] }),
        expect.objectContaining({ key: 'cursor', clientInfoNames: expect.arrayContaining(['cursor-vscode']) }),
      ]),
    );

    const app = await cp.request('POST', `/exchange/api/v2/organizations/${tenant.organizationId}/applications`, {
      token: tenant.token,
      json: { name: uniqueName('bot-app') },
    });
    expect(app.status).toBe(201);
    botClientId = app.body.clientId;
    const created = await cp.request('POST', agents, {
      token: tenant.token,
      json: { name: 'Build bot', description: 'CI', applicationIds: [app.body.id], clientIds: ['build-bot-legacy'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Build bot',
      predefined: null,
      clientIds: ['build-bot-legacy'],
      applicationIds: [app.body.id],
      applications: [{ id: app.body.id, name: app.body.name, clientId: botClientId }],
      backends: [],
    });
    bot = created.body;

    const fromShipped = await cp.request('POST', agents, { token: tenant.token, json: { predefined: 'claude-code' } });
    expect(fromShipped.status).toBe(201);
    expect(fromShipped.body).toMatchObject({
      name: 'Claude Code',
      predefined: 'claude-code',
      clientInfoNames: ['claude-code'],
      clientMetadataUrls: ['https://claude.ai/oauth/claude-code-client-metadata'],
    });
    claudeCode = fromShipped.body;
    cursor = (await cp.request('POST', agents, { token: tenant.token, json: { predefined: 'cursor' } })).body;

    const again = await cp.request('POST', agents, { token: tenant.token, json: { predefined: 'claude-code' } });
    expect([again.status, again.body.code]).toEqual([409, 'AGENT_ALREADY_EXISTS']);
    const sameName = await cp.request('POST', agents, {
      token: tenant.token,
      json: { name: 'My Claude', clientInfoNames: ['Claude-Code'] },
    });
    expect([sameName.status, sameName.body.code]).toEqual([409, 'AGENT_RECOGNITION_CONFLICT']);
    expect(sameName.body.message).toBe('clientInfo name "claude-code" already recognises agent "Claude Code"');
    const sameApp = await cp.request('POST', agents, { token: tenant.token, json: { name: 'Twin', clientIds: [botClientId] } });
    expect([sameApp.status, sameApp.body.message]).toEqual([
      409,
      `client id "${botClientId}" already recognises agent "Build bot"`,
    ]);
    const noRule = await cp.request('POST', agents, { token: tenant.token, json: { name: 'Nobody' } });
    expect([noRule.status, noRule.body.message]).toEqual([
      400,
      'body: needs at least one of clientIds, clientMetadataUrls, clientInfoNames or applicationIds',
    ]);
    const unknownShipped = await cp.request('POST', agents, { token: tenant.token, json: { predefined: 'hal-9000' } });
    expect(unknownShipped.status).toBe(400);
    expect(unknownShipped.body.message).toMatch(/^body\.predefined: must be one of the predefined agents/);
    const other = await newTenant(cp);
    const foreignApp = await cp.request('POST', `/exchange/api/v2/organizations/${other.organizationId}/applications`, {
      token: other.token,
      json: { name: uniqueName('foreign') },
    });
    const stolen = await cp.request('POST', agents, {
      token: tenant.token,
      json: { name: 'Thief', applicationIds: [foreignApp.body.id] },
    });
    expect([stolen.status, stolen.body.message]).toEqual([
      400,
      `body.applicationIds.0: client application ${foreignApp.body.id} is not an application of organization ${tenant.organizationId}`,
    ]);

    const renamed = await cp.request('PATCH', `${agents}/${cursor.id}`, {
      token: tenant.token,
      json: { description: 'The editor' },
    });
    expect(renamed.body).toMatchObject({ name: 'Cursor', description: 'The editor', predefined: 'cursor' });
    const emptied = await cp.request('PATCH', `${agents}/${cursor.id}`, { token: tenant.token, json: { clientInfoNames: [] } });
    expect(emptied.status).toBe(400);
    const listed = await cp.request('GET', agents, { token: tenant.token });
    expect(listed.body.agents.map((a: { name: string }) => a.name)).toEqual(['Build bot', 'Claude Code', 'Cursor']);
    expect((await cp.request('GET', `${agents}/${bot.id}`, { token: tenant.token })).body).toEqual(listed.body.agents[0]);

    const scratch = await cp.request('POST', agents, { token: tenant.token, json: { name: 'Scratch', clientIds: ['scratch'] } });
    expect((await cp.request('DELETE', `${agents}/${scratch.body.id}`, { token: tenant.token })).status).toBe(204);
    expect((await cp.request('GET', `${agents}/${scratch.body.id}`, { token: tenant.token })).status).toBe(404);
    const trail = await queryAudit(cp, tenant.token, tenant.organizationId);
    const records = trail.data.filter((e) => e.objectType === 'agent' && e.objectId === scratch.body.id);
    expect(records.map((e) => e.action).sort()).toEqual(['create', 'delete']);
  });

  it('restricts a backend to its mapped agents, recognised by the client id of a validated JWT, and hides tools the mapping leaves out', async () => {
    jwtBackend = await deploy('agent-jwt', [
      {
        groupId: POLICY_GROUP_ID,
        assetId: 'jwt-validation',
        assetVersion: '0.12.0',
        configurationData: {
          jwtOrigin: 'httpBearerAuthenticationHeader',
          jwtKeyOrigin: 'jwks',
          jwksUrl,
          signingMethod: 'rsa',
          issuer: 'https://idp.test',
          skipClientIdValidation: true,
        },
      },
    ]);
    const nightly = await cp.request('POST', agents, {
      token: tenant.token,
      json: { name: 'Nightly job', clientIds: ['nightly'] },
    });
    expect(nightly.status).toBe(201);
    const put = await cp.request('PUT', mapping(jwtBackend), {
      token: tenant.token,
      json: { restricted: true, agents: [{ agentId: bot.id, tools: ['echo'] }] },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      apiId: jwtBackend.apiId,
      name: expect.any(String),
      restricted: true,
      agents: [{ agentId: bot.id, name: 'Build bot', tools: ['echo'] }],
    });
    expect((await cp.request('GET', mapping(jwtBackend), { token: tenant.token })).body).toEqual(put.body);
    expect((await cp.request('GET', `${agents}/${bot.id}`, { token: tenant.token })).body.backends).toEqual([
      { apiId: jwtBackend.apiId, environmentId: tenant.sandboxId, name: put.body.name, tools: ['echo'] },
    ]);
    await rolledOut(cp, tenant, jwtBackend);

    const botToken = { authorization: `Bearer ${await sign({ sub: 'ci', client_id: botClientId })}` };
    await withClient(jwtBackend, 'anything', botToken, async (client) => {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
      expect(await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).toMatchObject({ content: [{ text: 'hi' }] });
      await expect(client.callTool({ name: 'fail', arguments: { message: 'x' } })).rejects.toThrow('Unknown tool: fail');
    });

    const initializeAs = async (clientId: string) =>
      postMcp(`${jwtBackend.proxyUrl}/mcp`, initialize('claude-code'), {
        authorization: `Bearer ${await sign({ sub: 'someone', client_id: clientId })}`,
      });
    const refused = async (clientId: string) => {
      const res = await initializeAs(clientId);
      return [res.status, JSON.parse(res.body)];
    };
    expect(await refused('nightly')).toEqual([
      403,
      {
        jsonrpc: '2.0',
        id: 1,
        error: {
          code: -32600,
          message: `Agent Nightly job is not allowed to use MCP server ${put.body.name}`,
          data: { reason: 'AGENT_NOT_ALLOWED' },
        },
      },
    ]);
    // The client id decides on an authenticated backend: a mapped clientInfo name does not help a stranger.
    expect(await refused('stranger')).toEqual([
      403,
      expect.objectContaining({
        error: expect.objectContaining({
          message: `MCP server ${put.body.name} serves only the agents mapped to it, and this client is an unrecognised agent`,
        }),
      }),
    ]);

    const unrestricted = await cp.request('PUT', mapping(jwtBackend), {
      token: tenant.token,
      json: { restricted: false, agents: [{ agentId: bot.id, tools: ['echo'] }] },
    });
    expect(unrestricted.body.restricted).toBe(false);
    await rolledOut(cp, tenant, jwtBackend);
    expect((await initializeAs('nightly')).status).toBe(200);
    await withClient(jwtBackend, 'anything', botToken, async (client) => {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    });

    const trail = await queryAudit(cp, tenant.token, tenant.organizationId);
    const changes = trail.data.filter((e) => e.objectType === 'agent-mapping' && e.objectId === String(jwtBackend.apiId));
    expect(changes.map((e) => [e.action, e.payload.before.restricted, e.payload.after.restricted])).toEqual(
      expect.arrayContaining([
        ['update', false, true],
        ['update', true, false],
      ]),
    );
  });

  it('recognises agents by the clientInfo name on an unauthenticated backend (advisory)', async () => {
    openBackend = await deploy('agent-open');
    await cp.request('PUT', mapping(openBackend), {
      token: tenant.token,
      json: { restricted: true, agents: [{ agentId: claudeCode.id }] },
    });
    await rolledOut(cp, tenant, openBackend);

    const echoed = await withClient(openBackend, 'claude-code', {}, async (client) => {
      const result = await client.callTool({ name: 'echo', arguments: { text: 'from claude' } });
      return (result.content as { text: string }[])[0]!.text;
    });
    expect(echoed).toBe('from claude');

    const cursorTry = await postMcp(`${openBackend.proxyUrl}/mcp`, initialize('cursor-vscode'));
    expect(cursorTry.status).toBe(403);
    expect(JSON.parse(cursorTry.body).error).toEqual({
      code: -32600,
      message: `Agent Cursor is not allowed to use MCP server ${(await cp.request('GET', mapping(openBackend), { token: tenant.token })).body.name}`,
      data: { reason: 'AGENT_NOT_ALLOWED' },
    });
    await expect(withClient(openBackend, 'my-script', {}, async () => undefined)).rejects.toThrow(
      'this client is an unrecognised agent',
    );
  });

  it('names the agent in the access log, filters by it, and draws agent → MCP edges in the workflow graph', async () => {
    const logs = await eventually(async () => {
      const res = await cp.request('GET', `${analytics}/access-logs?apiId=${jwtBackend.apiId}&agent=Build%20bot`, {
        token: tenant.token,
      });
      const calls = (res.body.data ?? []).filter((e: { mcpMethod: string }) => e.mcpMethod === 'tools/call');
      return calls.length >= 2 ? res.body.data : undefined;
    }, 'the build bot’s calls in the access log');
    expect(logs.every((e: { agent: string; clientId: string }) => e.agent === 'Build bot' && e.clientId === botClientId)).toBe(
      true,
    );
    expect(logs.find((e: { mcpName: string }) => e.mcpName === 'fail')).toMatchObject({
      jsonRpcErrorCode: -32602,
      verdicts: [expect.objectContaining({ policyType: 'agent-access', verdict: 'reject' })],
    });

    const refusals = await eventually(async () => {
      const res = await cp.request('GET', `${analytics}/access-logs?apiId=${openBackend.apiId}&agent=Cursor`, {
        token: tenant.token,
      });
      return res.body.data?.length ? res.body.data : undefined;
    }, 'the refused Cursor initialize');
    expect(refusals[0]).toMatchObject({ httpStatus: 403, mcpMethod: 'initialize', gatewayError: 'agent-not-allowed' });

    const graph = await eventually(async () => {
      const res = await cp.request('GET', `${analytics}/workflow-graph`, { token: tenant.token });
      const has = (source: string, apiId: number) =>
        res.body.edges?.some((e: { source: string; target: string }) => e.source === source && e.target === `api:${apiId}`);
      return has('named:Build bot', jwtBackend.apiId) && has('named:Claude Code', openBackend.apiId) ? res.body : undefined;
    }, 'agent → MCP edges');
    expect(graph.nodes).toEqual(
      expect.arrayContaining([
        { id: 'named:Build bot', kind: 'agent', label: 'Build bot', agent: 'Build bot', clientId: null, userAgent: null },
        expect.objectContaining({ id: 'named:Claude Code', label: 'Claude Code', agent: 'Claude Code' }),
      ]),
    );
  });

  it('needs Configure Agents for writes, View APIs Configuration (or Configure Agents) for reads, and keeps organizations apart', async () => {
    const reader = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
    const envReader = await newUser(cp, tenant.organizationId, ['read:api_configuration'], tenant.sandboxId);
    const manager = await newUser(cp, tenant.organizationId, ['manage:api_configuration']);
    const configurer = await newUser(cp, tenant.organizationId, ['configure:agents']);
    const member = await newUser(cp, tenant.organizationId, ['read:organization']);
    const body = { restricted: true, agents: [{ agentId: claudeCode.id }] };

    for (const user of [reader, envReader, configurer])
      expect((await cp.request('GET', agents, { token: user.token })).status).toBe(200);
    expect((await cp.request('GET', `${agents}/predefined`, { token: member.token })).status).toBe(200);
    const memberList = await cp.request('GET', agents, { token: member.token });
    expect([memberList.status, memberList.body.code]).toEqual([403, 'FORBIDDEN']);
    for (const user of [reader, manager]) {
      expect(
        (await cp.request('POST', agents, { token: user.token, json: { name: uniqueName('a'), clientIds: [uniqueName('c')] } }))
          .status,
      ).toBe(403);
      expect(
        (await cp.request('PATCH', `${agents}/${cursor.id}`, { token: user.token, json: { description: 'x' } })).status,
      ).toBe(403);
      expect((await cp.request('DELETE', `${agents}/${cursor.id}`, { token: user.token })).status).toBe(403);
      expect((await cp.request('PUT', mapping(openBackend), { token: user.token, json: body })).status).toBe(403);
    }
    expect((await cp.request('GET', mapping(openBackend), { token: reader.token })).status).toBe(200);
    const made = await cp.request('POST', agents, {
      token: configurer.token,
      json: { name: uniqueName('a'), clientIds: [uniqueName('c')] },
    });
    expect(made.status).toBe(201);
    expect((await cp.request('PUT', mapping(openBackend), { token: configurer.token, json: body })).status).toBe(200);

    const other = await newTenant(cp);
    const theirs = await cp.request('POST', `/mcpgateway/api/v1/organizations/${other.organizationId}/agents`, {
      token: other.token,
      json: { name: 'Theirs', clientIds: ['theirs'] },
    });
    expect(theirs.status).toBe(201);
    const foreign = await cp.request('PUT', mapping(openBackend), {
      token: tenant.token,
      json: { restricted: true, agents: [{ agentId: claudeCode.id }, { agentId: theirs.body.id }] },
    });
    expect([foreign.status, foreign.body.code, foreign.body.message]).toEqual([
      404,
      'AGENT_NOT_FOUND',
      `agents[1].agentId: agent ${theirs.body.id} not found in organization ${tenant.organizationId}`,
    ]);
    expect((await cp.request('GET', `${agents}/${theirs.body.id}`, { token: tenant.token })).status).toBe(404);
    expect(
      (await cp.request('PATCH', `${agents}/${theirs.body.id}`, { token: tenant.token, json: { description: 'x' } })).status,
    ).toBe(404);
    expect(
      (
        await cp.request('GET', `/mcpgateway/api/v1/organizations/${other.organizationId}/agents`, { token: other.token })
      ).body.agents.map((a: { name: string }) => a.name),
    ).toEqual(['Theirs']);
    expect((await cp.request('GET', `${agents}/${bot.id}`, { token: other.token })).status).toBe(404);
    const http = await newApiInstance(tenant, { endpointType: 'http' });
    const notMcp = `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/backends/${http.id}/agents`;
    expect((await cp.request('GET', notMcp, { token: tenant.token })).status).toBe(404);
    const twice = await cp.request('PUT', mapping(openBackend), {
      token: tenant.token,
      json: { restricted: true, agents: [{ agentId: claudeCode.id }, { agentId: claudeCode.id }] },
    });
    expect([twice.status, twice.body.message]).toEqual([400, `body.agents.1.agentId: names agent ${claudeCode.id} twice`]);
  });
});
