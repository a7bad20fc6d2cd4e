/**
 * One federated MCP endpoint (mcp-transcoding-router) over three real MCP servers — two test
 * servers (one answering JSON, one SSE) and server-everything — driven by the SDK client through
 * the in-process gateway: capabilities merged, lists merged and paginated, names routed by the
 * configured routes and the prefix rule, progress from a member reaching the client, a member
 * killed mid-session, and the rest of the policy chain applying to the federated endpoint.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  type Progress,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { type EverythingServer, postMcp, startEverythingServer, startMcpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

/**
 * An MCP server of the stateless 2026-07-28 revision, which the SDK does not implement yet: no
 * initialize (answered 400), `server/discover`, every request carrying `_meta` and the mirrored
 * Mcp-Method / Mcp-Name headers (a mismatch is a 400), one tool `forecast`.
 */
async function startStatelessServer(): Promise<{
  url: string;
  requests: { method: string; mcpName?: string }[];
  close(): Promise<void>;
}> {
  const requests: { method: string; mcpName?: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      const send = (status: number, message: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(message));
      };
      const message = JSON.parse(body || '{}') as { id?: number | string; method: string; params?: Record<string, any> };
      requests.push({ method: message.method, mcpName: req.headers['mcp-name'] as string | undefined });
      const valid =
        req.headers['mcp-protocol-version'] === '2026-07-28' &&
        req.headers['mcp-method'] === message.method &&
        message.params?._meta?.['io.modelcontextprotocol/protocolVersion'] === '2026-07-28';
      if (!valid)
        return send(400, {
          jsonrpc: '2.0',
          id: message.id ?? null,
          error: { code: -32022, message: 'Unsupported protocol version' },
        });
      const result = (value: Record<string, unknown>) =>
        send(200, { jsonrpc: '2.0', id: message.id, result: { resultType: 'complete', ...value } });
      if (message.method === 'server/discover') return result({ supportedVersions: ['2026-07-28'], capabilities: { tools: {} } });
      if (message.method === 'tools/list')
        return result({ tools: [{ name: 'forecast', description: 'The weather tomorrow', inputSchema: { type: 'object' } }] });
      if (message.method === 'tools/call' && req.headers['mcp-name'] === message.params?.name)
        return result({ content: [{ type: 'text', text: 'sunny' }] });
      return send(200, { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('a federated MCP endpoint', () => {
  let modern: Awaited<ReturnType<typeof startStatelessServer>>;
  let alpha: TestMcpServer;
  let beta: TestMcpServer;
  let everything: EverythingServer;
  let gateway: TestGateway;
  let port: number;

  const origin = (server: { url: string }) => server.url.replace(/mcp$/, '');

  beforeAll(async () => {
    [alpha, beta, everything, modern] = await Promise.all([
      startMcpServer({ name: 'alpha', jsonResponse: true }),
      startMcpServer({ name: 'beta' }),
      startEverythingServer(),
      startStatelessServer(),
    ]);
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        {
          id: '1',
          name: 'tools-hub',
          port,
          basePath: '/hub',
          upstream: [
            { label: 'alpha', url: origin(alpha) },
            { label: 'beta', url: origin(beta) },
            { label: 'everything', url: everything.baseUrl },
          ],
          policies: [
            'mcp-support',
            {
              type: 'mcp-transcoding-router',
              configuration: { routes: [{ upstreamName: 'alpha', tools: ['echo'] }], pageSize: 5 },
            },
            { type: 'mcp-global-access-policy', configuration: { rules: [{ rule: 'Block', value: 'fail' }] } },
          ],
        },
        {
          id: '3',
          name: 'mixed-eras',
          port,
          basePath: '/mixed',
          upstream: [
            { label: 'alpha', url: origin(alpha) },
            { label: 'modern', url: origin(modern) },
          ],
          policies: ['mcp-support', 'mcp-transcoding-router'],
        },
        {
          id: '4',
          name: 'guarded',
          port,
          basePath: '/guarded',
          upstream: [
            { label: 'alpha', url: origin(alpha) },
            { label: 'beta', url: origin(beta) },
          ],
          policies: [
            'mcp-support',
            'mcp-transcoding-router',
            { type: 'http-basic-authentication', configuration: { username: 'agent', password: 'secret-1' } },
            {
              type: 'rate-limiting',
              configuration: { rateLimits: [{ maximumRequests: 3, timePeriodInMilliseconds: 60_000 }], clusterizable: false },
            },
          ],
        },
      ]),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([alpha?.close(), beta?.close(), everything?.close(), modern?.close()]);
  });

  async function connect(capabilities = {}): Promise<Client> {
    const client = new Client({ name: 'federation-test', version: '1.0.0' }, { capabilities });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/hub/mcp`)));
    return client;
  }

  async function allTools(client: Client): Promise<string[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      expect(page.tools.length).toBeLessThanOrEqual(5);
      names.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
    } while (cursor);
    return names;
  }

  it('initializes every member and answers as one server with their capabilities merged', async () => {
    const client = await connect();
    expect(client.getServerVersion()).toEqual({ name: 'tools-hub', version: '1.0.0' });
    const capabilities = client.getServerCapabilities()!;
    expect(Object.keys(capabilities)).toEqual(expect.arrayContaining(['tools', 'resources', 'prompts']));
    await client.close();
  });

  it('merges and paginates the lists, the routes and the prefix rule naming clashes', async () => {
    const client = await connect();
    const names = await allTools(client);
    // alpha's route keeps only its echo, and claims the plain name; the others' echo are prefixed.
    expect(names).toContain('echo');
    expect(names).toContain('beta_echo');
    expect(names).toContain('everything_echo');
    // beta alone lists slow now (alpha's is routed away); fail is blocked by the policy after the router.
    expect(names).toContain('slow');
    expect(names).not.toContain('fail');
    expect(names).not.toContain('alpha_slow');
    expect(names.filter((n) => n === 'echo')).toHaveLength(1);
    expect(new Set(names).size).toBe(names.length);
    await expect(client.callTool({ name: 'fail', arguments: { message: 'x' } })).rejects.toThrow(/fail/);
    expect(names.length).toBeGreaterThan(5);
    await client.close();
  });

  it('routes each call to the member that owns the name, under the member’s own name', async () => {
    const client = await connect();
    const text = async (name: string, args: Record<string, unknown>) =>
      ((await client.callTool({ name, arguments: args })).content as { text: string }[])[0]!.text;
    expect(await text('echo', { text: 'to alpha' })).toBe('to alpha');
    expect(await text('beta_echo', { text: 'to beta' })).toBe('to beta');
    expect(await text('everything_echo', { message: 'to everything' })).toBe('Echo: to everything');
    const before = beta.requests.length;
    await text('beta_echo', { text: 'again' });
    expect(beta.requests.slice(before).some((r) => r.method === 'POST')).toBe(true);
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/Unknown tool: nope/);
    await client.close();
  });

  it('relays a member’s progress notifications to the client', async () => {
    const client = await connect();
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'slow', arguments: { ms: 10 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(result.isError).toBeFalsy();
    expect(progress.length).toBeGreaterThan(0);
    await client.close();
  });

  it("sends a client's cancellation to the members, which stop the call", async () => {
    const client = await connect();
    const before = { alpha: alpha.requests.length, beta: beta.requests.length };
    const cancel = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { ms: 10_000 } }, undefined, { signal: cancel.signal });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    cancel.abort('no longer needed');
    await expect(call).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
    // notifications/cancelled reached every member (the one running the call ignores no request).
    await new Promise((r) => setTimeout(r, 200));
    expect(alpha.requests.length).toBeGreaterThan(before.alpha);
    expect(beta.requests.length).toBeGreaterThan(before.beta + 1);
    await client.close();
  });

  it("routes a member's sampling and elicitation requests to the client, and the client's answers back", async () => {
    const client = await connect({ sampling: {}, elicitation: {} });
    const sampled: string[] = [];
    client.setRequestHandler(CreateMessageRequestSchema, async (_request, extra) => {
      sampled.push(String(extra.requestId));
      return {
        role: 'assistant',
        content: { type: 'text', text: 'a sampled answer' },
        model: 'test-model',
        stopReason: 'endTurn',
      };
    });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
    const sampling = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello', maxTokens: 20 } });
    expect(JSON.stringify(sampling.content)).toContain('a sampled answer');
    expect(sampled).toEqual([expect.stringMatching(/^pf:everything\|/)]);
    const elicited = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(JSON.stringify(elicited.content)).toMatch(/decline/i);
    await client.close();
  });

  it("merges the members' event streams: a resource update reaches the client on its GET stream", async () => {
    const client = await connect();
    const { resources } = await client.listResources();
    const uri = resources[0]!.uri;
    const updated = new Promise<string>((resolve) =>
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)),
    );
    await client.subscribeResource({ uri });
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await expect(updated).resolves.toBe(uri);
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    // and a member's log messages, after logging/setLevel went to every member
    const logged = new Promise<string>((resolve) =>
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => resolve(n.params.level)),
    );
    await client.setLoggingLevel('debug');
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    await expect(logged).resolves.toEqual(expect.any(String));
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    await client.close();
  });

  it('serves resources and prompts of the member that has them', async () => {
    const client = await connect();
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const read = await client.readResource({ uri: resources[0]!.uri });
    expect(read.contents.length).toBeGreaterThan(0);
    // A URI no list shows goes to the member whose resource template it matches.
    const { resourceTemplates } = await client.listResourceTemplates();
    const dynamic = resourceTemplates[0]!.uriTemplate.replace(/\{[^}]*\}/g, '1');
    expect(resources.map((r) => r.uri)).not.toContain(dynamic);
    expect((await client.readResource({ uri: dynamic })).contents[0]?.uri).toBe(dynamic);
    const { prompts } = await client.listPrompts();
    expect(prompts.length).toBeGreaterThan(0);
    // completion/complete goes to the member that owns the prompt.
    const completed = await client.complete({
      ref: { type: 'ref/prompt', name: 'completable-prompt' },
      argument: { name: 'department', value: 'E' },
    });
    expect(completed.completion.values).toContain('Engineering');
    await client.close();
  });

  it('serves a stateless (2026-07-28) client request by request, ending the members’ sessions after each', async () => {
    const url = `http://127.0.0.1:${port}/hub/mcp`;
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'modern-client', version: '1.0.0' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const post = (id: number, method: string, params: Record<string, unknown> = {}, name?: string) =>
      postMcp(
        url,
        { jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } },
        { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}) },
      );
    const answer = (response: { body: string }) => {
      const text = response.body.trim();
      const json = text.startsWith('{')
        ? text
        : text
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .at(-1)!;
      return JSON.parse(json) as { result?: Record<string, unknown>; error?: { message: string } };
    };
    const deletesBefore = alpha.requests.filter((r) => r.method === 'DELETE').length;

    const discover = answer(await post(1, 'server/discover'));
    expect(discover.result).toMatchObject({
      resultType: 'complete',
      supportedVersions: ['2026-07-28'],
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'tools-hub' } },
    });
    expect(Object.keys(discover.result!.capabilities as object)).toEqual(
      expect.arrayContaining(['tools', 'resources', 'prompts']),
    );

    const listed = answer(await post(2, 'tools/list'));
    expect(listed.result?.resultType).toBe('complete');
    expect((listed.result?.tools as { name: string }[]).map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'beta_echo']),
    );

    const called = answer(await post(3, 'tools/call', { name: 'beta_echo', arguments: { text: 'stateless' } }, 'beta_echo'));
    expect(called.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'stateless' }] });

    // Each request opened member sessions of its own and closed them.
    await new Promise((r) => setTimeout(r, 200));
    expect(alpha.requests.filter((r) => r.method === 'DELETE').length - deletesBefore).toBeGreaterThanOrEqual(3);
  });

  it('applies identity and rate limits to the federated endpoint as to one server', async () => {
    const url = `http://127.0.0.1:${port}/guarded/mcp`;
    const as = (password: string) => ({ authorization: `Basic ${Buffer.from(`agent:${password}`).toString('base64')}` });
    const ping = (headers: Record<string, string>, id: number) => postMcp(url, { jsonrpc: '2.0', id, method: 'ping' }, headers);
    expect((await ping({}, 1)).status).toBe(401);
    expect((await ping(as('wrong'), 2)).status).toBe(401);
    const client = new Client({ name: 'federation-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: as('secret-1') } }));
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(
        await client.callTool({ name: 'beta_echo', arguments: { text: 'hi' } }).then(
          () => 'ok',
          (err: Error) => (/429|rate/i.test(err.message) ? 'limited' : err.message),
        ),
      );
    }
    // Three requests a minute: the session's opening requests count too, then the calls run out.
    expect(outcomes[0]).toBe('ok');
    expect(outcomes.at(-1)).toBe('limited');
    expect(outcomes.every((o) => o === 'ok' || o === 'limited')).toBe(true);
    await client.close();
  });

  it('federates a member of the stateless revision with a session-based one, for a session-based client', async () => {
    const client = new Client({ name: 'federation-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mixed/mcp`)));
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'slow', 'forecast']));
    const forecast = await client.callTool({ name: 'forecast', arguments: {} });
    expect((forecast.content as { text: string }[])[0]!.text).toBe('sunny');
    expect((await client.callTool({ name: 'echo', arguments: { text: 'old era' } })).content).toEqual([
      { type: 'text', text: 'old era' },
    ]);
    // The stateless member was never sent initialize or a session, and its calls carried the mirrored name.
    expect(modern.requests.map((r) => r.method)).toEqual(expect.arrayContaining(['server/discover', 'tools/list', 'tools/call']));
    expect(modern.requests.find((r) => r.method === 'tools/call')?.mcpName).toBe('forecast');
    await client.close();
  });

  it('keeps working when a member goes away mid-session: its items disappear, a call to it fails clearly', async () => {
    const lone = await startMcpServer({ name: 'lone' });
    const [solo] = (await freePorts(1)) as [number];
    await gateway.apply(
      gatewayConfig([
        {
          id: '2',
          name: 'pair',
          port: solo,
          basePath: '/pair',
          upstream: [
            { label: 'lone', url: origin(lone) },
            { label: 'everything', url: everything.baseUrl },
          ],
          policies: ['mcp-support', { type: 'mcp-transcoding-router', configuration: {} }],
        },
      ]),
    );
    const client = new Client({ name: 'federation-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${solo}/pair/mcp`)));
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('lone_echo');
    await lone.close();
    await expect(client.callTool({ name: 'lone_echo', arguments: { text: 'x' } })).rejects.toThrow(
      /upstream lone is unavailable/,
    );
    const after = (await client.listTools()).tools.map((t) => t.name);
    expect(after).not.toContain('lone_echo');
    expect(after).toContain('echo'); // no clash any more: everything's echo keeps its name
    await expect(client.callTool({ name: 'lone_echo', arguments: { text: 'x' } })).rejects.toThrow(/Unknown tool: lone_echo/);
    const everythingEcho = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
    expect((everythingEcho.content as { text: string }[])[0]!.text).toBe('Echo: still here');
    await client.close();
  });

  it('refuses, as a failure of that API alone, a federated chain with a policy bound to one upstream, and a disclosure chain judged in the wrong order', async () => {
    const [other] = (await freePorts(1)) as [number];
    const served = await gateway.apply(
      gatewayConfig([
        {
          id: '5',
          port: other,
          basePath: '/bound',
          upstream: [
            { id: 'u1', label: 'alpha', url: origin(alpha) },
            { id: 'u2', label: 'beta', url: origin(beta) },
          ],
          policies: ['mcp-support', 'mcp-transcoding-router', { type: 'mcp-schema-validation', upstreamIds: ['u1'] }],
        },
        {
          id: '6',
          port: other,
          basePath: '/misordered',
          upstream: origin(alpha),
          policies: [
            'mcp-support',
            { type: 'mcp-global-access-policy', configuration: { rules: [{ rule: 'Block', value: 'fail' }] } },
            'mcp-tools-progressive-disclosure',
          ],
        },
      ]),
    );
    const reasons = Object.fromEntries(served.failures.map((f) => [f.apiId, f.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['5', '6']);
    expect(reasons['5']).toMatch(
      /policy \d+ \(mcp-schema-validation\) is bound to upstreams, which a federated API \(mcp-transcoding-router\) cannot honour/,
    );
    expect(reasons['6']).toMatch(/\(mcp-global-access-policy\) comes before mcp-tools-progressive-disclosure/);
  });
});
