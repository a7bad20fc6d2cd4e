/**
 * The AI inventory end to end (issue 20): a control plane, a registered gateway process and a
 * real MCP server whose tool list the test changes; instances configured over REST with JWT
 * validation (required scopes), the DLP guardrail and a tool mapping that disables a tool. After
 * real tools/list and tools/call through the gateway, the inventory shows the tools the gateway
 * saw (as the server listed them, with description hashes and first/last seen), what the policies
 * make of them, the DLP action, the deployment and replica status and the activity of the access
 * events; a tool the server drops becomes unlisted; CSV exports parse back; disabled backends,
 * bad parameters, other tenants and missing permissions are handled.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { readRegistration } from '#portico/gateway-registration';
import type { ConnectRequest, ObservedToolEntry } from '#portico/proto-ts';
import { freePort, type GatewayProcess, startGatewayProcess } from '#portico/testing';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, type TestTenant, testPrisma, uniqueName } from './support/factories.js';
import { hello, syncClient } from './support/sync-stream.js';
import {
  deployMcpInstance,
  deployWithPolicies,
  eventually,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  withMcpClient,
} from './support/gateways.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const HMAC_KEY = 'inventory-e2e-hmac-key-of-32-bytes-or-more';
const SECRET_DESCRIPTION = 'Reads "secrets", then leaves';

/**
 * A stateless MCP server (JSON answers) whose tools are `tools` at each request: name ->
 * description. `fail` throws (an isError result); the others echo their text.
 */
async function startToolServer(): Promise<{ url: string; tools: Map<string, string>; close(): Promise<void> }> {
  const tools = new Map([
    ['echo', 'Returns its text'],
    ['fail', 'Always fails'],
    ['secret', SECRET_DESCRIPTION],
  ]);
  const server: Server = createServer((req, res) => {
    const mcp = new McpServer({ name: 'inventory-upstream', version: '1.0.0' });
    for (const [name, description] of tools) {
      mcp.registerTool(name, { description, inputSchema: { text: z.string().optional() } }, ({ text }) => {
        if (name === 'fail') throw new Error('failed on purpose');
        return { content: [{ type: 'text', text: text ?? name }] };
      });
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    void mcp
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    tools,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** RFC 4180 text back into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

/** CSV rows as records keyed by the header row. */
const records = (text: string) => {
  const [header, ...lines] = parseCsv(text);
  return lines.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]])));
};

describe('AI inventory', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let upstream: Awaited<ReturnType<typeof startToolServer>>;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let guarded: McpInstance;
  let plain: McpInstance;
  let inventoryPath: string;

  const token = (sub: string, clientId: string) =>
    new SignJWT({ client_id: clientId, scope: 'tools:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setExpirationTime('5m')
      .sign(Buffer.from(HMAC_KEY));
  const get = (query = '', options: { token?: string; headers?: Record<string, string> } = {}) =>
    cp.request('GET', `${inventoryPath}${query}`, { token: options.token ?? tenant.token, headers: options.headers });
  const rowOf = async (instance: McpInstance, query = '?includeDisabled=true') =>
    (await get(query)).body.data.find((r: { apiId: number }) => r.apiId === instance.apiId);
  const asAgent = <T>(sub: string, clientId: string, use: Parameters<typeof withMcpClient<T>>[2]) =>
    token(sub, clientId).then((jwt) => withMcpClient(`${guarded.proxyUrl}/mcp`, { authorization: `Bearer ${jwt}` }, use));

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    inventoryPath = `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/inventory`;
    upstream = await startToolServer();
    registered = await registerGateway(cp, tenant, uniqueName('inventory'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    guarded = await deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: upstream.url, targetId: registered.gatewayId, prefix: 'guarded' },
      [
        {
          groupId: POLICY_GROUP_ID,
          assetId: 'jwt-validation',
          assetVersion: '0.12.0',
          configurationData: {
            jwtOrigin: 'httpBearerAuthenticationHeader',
            signingMethod: 'hmac',
            signingKeyLength: 256,
            jwtKeyOrigin: 'text',
            textKey: HMAC_KEY,
            skipClientIdValidation: true,
            scopes: 'tools:read',
          },
        },
        {
          groupId: POLICY_GROUP_ID,
          assetId: 'mcp-pii-detector',
          assetVersion: '1.0.0',
          configurationData: { entities: ['Email'], action: 'Redact' },
        },
        {
          groupId: POLICY_GROUP_ID,
          assetId: 'mcp-tool-mapping',
          assetVersion: '1.0.0',
          configurationData: { toolMappings: [{ sourceToolName: 'secret', enabled: false }] },
        },
      ],
    );
    plain = await deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: upstream.url, targetId: registered.gatewayId, prefix: 'plain' },
      [],
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('shows the tools a gateway saw, what the policies make of them, the DLP action and the activity of real traffic', async () => {
    const before = Date.now();
    const shown = await asAgent('alice', 'agent-a', async (client) => {
      const listed = await client.listTools();
      await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
      await client.callTool({ name: 'echo', arguments: { text: 'again' } });
      expect(await client.callTool({ name: 'fail', arguments: {} })).toMatchObject({ isError: true });
      return listed.tools.map((t) => t.name);
    });
    // Clients never see the disabled tool; the inventory shows what the server offers.
    expect(shown).toEqual(['echo', 'fail']);
    await asAgent('bob', 'agent-b', (client) => client.callTool({ name: 'echo', arguments: { text: 'hi' } }));

    const row = await eventually(async () => {
      const found = await rowOf(guarded, '');
      return found?.tools.length === 3 && found.activity.calls === 7 ? found : undefined;
    }, 'the observed tools and the access events');
    expect(row).toMatchObject({
      apiId: guarded.apiId,
      federated: false,
      enabled: true,
      status: 'active',
      upstreams: [{ name: '', uri: upstream.url }],
      deployment: { state: 'applied', targetId: registered.gatewayId, replicas: 1, replicasUpToDate: 1, errorMessage: null },
      toolCount: 3,
      authentication: ['jwt-validation'],
      scopes: { required: ['tools:read'], criteria: 'AND', supported: [], authorizationServers: [] },
      dlp: {
        action: 'redact',
        requests: { action: 'redact', mode: 'enforce' },
        responses: { action: 'redact', mode: 'enforce' },
      },
      callerDependentPolicies: [],
      // initialize + tools/list + 3 calls (alice), initialize + 1 call (bob); the failed call is the error.
      activity: { calls: 7, errors: 1, toolCalls: 4, agents: 2, users: 2 },
    });
    expect(Date.parse(row.activity.lastCallAt)).toBeGreaterThanOrEqual(before - 1000);
    const byName = Object.fromEntries(row.tools.map((t: { name: string }) => [t.name, t]));
    expect(byName.echo).toMatchObject({
      upstreamName: '',
      description: 'Returns its text',
      descriptionSha256: sha256('Returns its text'),
      listed: true,
      enabled: true,
      exposedName: 'echo',
      hiddenBy: null,
    });
    expect(byName.secret).toMatchObject({
      description: SECRET_DESCRIPTION,
      descriptionSha256: sha256(SECRET_DESCRIPTION),
      listed: true,
      enabled: false,
      exposedName: null,
      hiddenBy: { policyType: 'mcp-tool-mapping' },
    });
    for (const tool of row.tools) {
      expect(Date.parse(tool.firstSeenAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(tool.lastSeenAt).toBe(tool.firstSeenAt);
    }

    // A server nobody called: its row is there, without tools or activity.
    expect(await rowOf(plain, '')).toMatchObject({
      tools: [],
      toolCount: 0,
      dlp: { action: 'none', requests: null, responses: null },
      activity: { calls: 0, errors: 0, agents: 0, users: 0, lastCallAt: null },
    });
  });

  it('marks a tool the server stopped listing as listed: false after the next tools/list', async () => {
    const first = await eventually(async () => {
      const row = await rowOf(guarded, '');
      return row?.tools.length === 3 ? row : undefined;
    }, 'the first list');
    const firstEcho = first.tools.find((t: { name: string }) => t.name === 'echo');
    upstream.tools.delete('fail');
    await asAgent('alice', 'agent-a', (client) => client.listTools());
    const row = await eventually(async () => {
      const found = await rowOf(guarded, '');
      return found?.tools.find((t: { name: string; listed: boolean }) => t.name === 'fail' && !t.listed) ? found : undefined;
    }, 'fail unlisted');
    const byName = Object.fromEntries(row.tools.map((t: { name: string }) => [t.name, t]));
    expect(byName.fail).toMatchObject({ listed: false, enabled: false, exposedName: null });
    expect(byName.echo).toMatchObject({ listed: true, enabled: true, firstSeenAt: firstEcho.firstSeenAt });
    expect(Date.parse(byName.echo.lastSeenAt)).toBeGreaterThan(Date.parse(firstEcho.lastSeenAt));
    expect(row.toolCount).toBe(2);
    // Listed tools are searched; one no longer listed is still shown.
    expect((await get('?search=SECRET')).body.data.map((r: { apiId: number }) => r.apiId)).toEqual([guarded.apiId]);
  });

  it('exports CSV that parses back: one line per server, or per tool', async () => {
    const csv = await get('?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const servers = records(csv.text);
    const line = servers.find((r) => r.apiId === String(guarded.apiId))!;
    expect(line).toMatchObject({
      deploymentState: 'applied',
      enabled: 'true',
      tools: 'echo;secret',
      toolCount: '2',
      authentication: 'jwt-validation',
      requiredScopes: 'tools:read',
      dlpAction: 'redact',
      dlpRequests: 'redact',
      calls: expect.stringMatching(/^\d+$/),
    });
    expect(servers.map((r) => r.apiId).sort()).toEqual([String(guarded.apiId), String(plain.apiId)].sort());

    const accepted = await get('', { headers: { accept: 'text/csv' } });
    expect(accepted.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(parseCsv(accepted.text)[0]).toEqual(parseCsv(csv.text)[0]);

    const tools = records((await get(`?format=csv&rows=tools&search=${encodeURIComponent('Returns')}`)).text);
    expect(tools).toEqual([]);
    const perTool = records((await get('?format=csv&rows=tools&dlpAction=redact')).text);
    expect(perTool.map((r) => [r.tool, r.listed, r.enabled])).toEqual([
      ['echo', 'true', 'true'],
      ['fail', 'false', 'false'],
      ['secret', 'true', 'false'],
    ]);
    expect(perTool.find((r) => r.tool === 'secret')).toMatchObject({
      description: SECRET_DESCRIPTION,
      descriptionSha256: sha256(SECRET_DESCRIPTION),
      hiddenBy: expect.stringMatching(/^mcp-tool-mapping \d+$/),
    });
  });

  it('filters, sorts and pages, and refuses what it does not take with a 400 naming it', async () => {
    const ids = async (query: string) => {
      const res = await get(query);
      expect(res.status).toBe(200);
      return res.body.data.map((r: { apiId: number }) => r.apiId);
    };
    expect(await ids('?dlpAction=redact')).toEqual([guarded.apiId]);
    expect(await ids('?dlpAction=none')).toEqual([plain.apiId]);
    expect(await ids('?status=applied&search=echo')).toEqual([guarded.apiId]);
    expect(await ids('?status=failed,none')).toEqual([]);
    expect(await ids(`?apiId=${plain.apiId}`)).toEqual([plain.apiId]);
    expect(await ids('?apiId=999999')).toEqual([]);
    expect(await ids('?sort=calls&order=desc')).toEqual([guarded.apiId, plain.apiId]);
    expect(await ids('?sort=tools&order=asc')).toEqual([plain.apiId, guarded.apiId]);
    const page = await get('?sort=calls&order=desc&offset=1&limit=1');
    expect(page.body).toMatchObject({ total: 2, data: [{ apiId: plain.apiId }] });
    // The window: nothing before the traffic.
    expect((await rowOf(guarded, '?to=2026-01-01T00:00:00Z')).activity.calls).toBe(0);

    for (const [query, named] of [
      ['?sort=popularity', 'query.sort'],
      ['?order=up', 'query.order'],
      ['?dlpAction=encrypt', 'query.dlpAction'],
      ['?status=running', 'query.status'],
      ['?owner=me', 'query.owner'],
      ['?apiId=abc', 'query.apiId'],
      ['?apiId=0', 'query.apiId'],
      ['?rows=tools', 'query.rows'],
      ['?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'query.from'],
    ] as const) {
      const refused = await get(query);
      expect([query, refused.status, refused.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      // A list's bad item is named by its position: query.status.0.
      expect(refused.body.message).toMatch(new RegExp(`^${named.replace('.', '\\.')}(\\.\\d+)?: `));
    }
  });

  it('leaves out switched-off backends unless asked, and answers only those allowed to read the environment', async () => {
    await testPrisma().apiInstance.update({ where: { id: plain.apiId }, data: { backendEnabled: false } });
    const ids = async (query: string) => (await get(query)).body.data.map((r: { apiId: number }) => r.apiId);
    expect(await ids('')).toEqual([guarded.apiId]);
    expect((await get('')).body.total).toBe(1);
    expect(await ids('?includeDisabled=true&sort=name')).toHaveLength(2);
    expect((await rowOf(plain)).enabled).toBe(false);
    expect(await ids('?enabled=false')).toEqual([plain.apiId]);
    expect(await ids('?enabled=true&includeDisabled=true')).toEqual([guarded.apiId]);

    const stranger = await newTenant(cp);
    const foreign = await get('', { token: stranger.token });
    expect(foreign.status).toBe(404);
    const reader = await newUser(cp, tenant.organizationId, ['read:analytics']);
    const forbidden = await get('', { token: reader.token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const viewer = await newUser(cp, tenant.organizationId, ['read:api_configuration'], tenant.sandboxId);
    expect((await get('', { token: viewer.token })).status).toBe(200);
  });

  it("takes a gateway's tool lists only for its own APIs and their upstreams; a page of a list unlists nothing", async () => {
    // A second gateway, speaking the sync protocol directly, with an API of its own.
    const other = await registerGateway(cp, tenant, uniqueName('raw'));
    const own = await deployMcpInstance(cp, tenant, {
      upstreamUrl: upstream.url,
      port: await freePort(),
      basePath: `/${uniqueName('raw')}`,
      targetId: other.gatewayId,
    });
    const client = syncClient(await readRegistration(other.dir));
    const stream = client.connect();
    stream.on('error', () => undefined);
    const entry = (name: string): ObservedToolEntry => ({
      name,
      description: `${name} it`,
      descriptionSha256: sha256(`${name} it`),
    });
    const report = (apiId: number, names: string[], complete = true, upstreamName = ''): ConnectRequest => ({
      message: { $case: 'toolsObserved', value: { apiId: String(apiId), upstreamName, tools: names.map(entry), complete } },
    });
    const toolsOf = async (instance: McpInstance) =>
      Object.fromEntries(
        ((await rowOf(instance))?.tools ?? []).map((t: { name: string; listed: boolean }) => [t.name, t.listed]),
      );
    /** Sends `messages`, then a marker list, and waits for the marker: the stream's messages are handled in order. */
    let marker = 0;
    const sent = async (...messages: ConnectRequest[]) => {
      for (const message of messages) stream.write(message);
      const name = `marker${++marker}`;
      stream.write(report(own.apiId, [name], false));
      await eventually(async () => ((await toolsOf(own))[name] ? true : undefined), name);
    };
    try {
      stream.write(hello('raw-replica'));
      await sent(report(own.apiId, ['alpha', 'beta']));
      expect(await toolsOf(own)).toMatchObject({ alpha: true, beta: true });

      // A page adds, never unlists; a complete list unlists what it lacks.
      await sent(report(own.apiId, ['gamma'], false));
      expect(await toolsOf(own)).toMatchObject({ alpha: true, beta: true, gamma: true });
      await sent(report(own.apiId, ['alpha']));
      expect(await toolsOf(own)).toMatchObject({ alpha: true, beta: false, gamma: false });

      // Another gateway's API, an upstream the API does not have, a malformed list: dropped.
      await sent(report(guarded.apiId, ['intruder']), report(own.apiId, ['ghost'], true, 'ghost-upstream'), {
        message: {
          $case: 'toolsObserved',
          value: {
            apiId: String(own.apiId),
            upstreamName: '',
            tools: [{ ...entry('x'), descriptionSha256: 'nope' }],
            complete: true,
          },
        },
      });
      expect(await toolsOf(guarded)).not.toHaveProperty('intruder');
      const ownTools = await toolsOf(own);
      expect(ownTools).not.toHaveProperty('ghost');
      expect(ownTools).not.toHaveProperty('x');
      expect(ownTools).toMatchObject({ alpha: true });
      expect(await testPrisma().observedTool.count({ where: { apiId: own.apiId, upstreamName: 'ghost-upstream' } })).toBe(0);
    } finally {
      stream.cancel();
      client.close();
    }
  });

  it('counts an agent once however many client ids it calls with', async () => {
    const created = await cp.request('POST', `/mcpgateway/api/v1/organizations/${tenant.organizationId}/agents`, {
      token: tenant.token,
      json: { name: 'Pair', clientIds: ['agent-c', 'agent-d'] },
    });
    expect(created.status).toBe(201);
    const echo: Parameters<typeof withMcpClient>[2] = (client) => client.callTool({ name: 'echo', arguments: { text: 'pair' } });
    // Once the gateway knows the agent, its events name it.
    await eventually(async () => {
      await asAgent('carol', 'agent-c', echo);
      return (await testPrisma().accessEvent.count({ where: { apiId: guarded.apiId, agent: 'Pair' } })) > 0 ? true : undefined;
    }, 'the gateway recognising Pair');
    const from = new Date().toISOString();
    await asAgent('carol', 'agent-c', echo);
    await asAgent('carol', 'agent-d', echo);
    const row = await eventually(async () => {
      const found = await rowOf(guarded, `?from=${encodeURIComponent(from)}`);
      return found?.activity.calls === 4 ? found : undefined;
    }, 'the calls of both client ids');
    // initialize + tools/call from each client id: one agent, one user.
    expect(row.activity).toMatchObject({ calls: 4, toolCalls: 2, agents: 1, users: 1 });
  });
});
