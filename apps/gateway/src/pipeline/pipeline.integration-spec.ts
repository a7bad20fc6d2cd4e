/**
 * The policy pipeline over real sockets, proven with small test policies registered through the
 * PolicyFactory interface: order, reject / mutate / shadow, failure modes, method scoping,
 * pointcuts, response hooks on JSON, SSE and resumed GET streams, batches, original bytes.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SseParser, type SseEvent } from '#portico/mcp-jsonrpc';
import { PolicyMode } from '#portico/proto-ts';
import {
  startHttpServer,
  startMcpServer,
  type TestHttpServer,
  type TestMcpServer,
  MCP_POST_HEADERS,
  postMcp,
} from '#portico/testing';
import {
  freePorts,
  gatewayConfig,
  startTestGateway,
  type ApiSpec,
  type TestGateway,
} from '../../test/support/in-process-gateway.js';
import {
  denyTool,
  explode,
  hideTools,
  recorder,
  redact,
  requireToken,
  shout,
  vetoResponse,
  type Sighting,
} from '../../test/support/test-policies.js';

const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** Parses an SSE body into its JSON messages. */
function sseMessages(body: string): unknown[] {
  const parser = new SseParser();
  const events = [...parser.push(body), ...parser.end().events];
  return events.filter((e) => e.data).map((e) => JSON.parse(e.data!));
}

describe('policy pipeline', () => {
  let sse: TestMcpServer;
  let json: TestMcpServer;
  let statelessJson: TestMcpServer;
  let statelessSse: TestMcpServer;
  let resumable: TestMcpServer;
  let raw: TestHttpServer;
  let gateway: TestGateway;
  let port: number;
  const sightings: Sighting[] = [];
  const url = (base: string) => `http://127.0.0.1:${port}${base}/mcp`;

  beforeAll(async () => {
    [sse, json, statelessJson, statelessSse, resumable] = await Promise.all([
      startMcpServer(),
      startMcpServer({ jsonResponse: true }),
      startMcpServer({ stateful: false, jsonResponse: true }),
      startMcpServer({ stateful: false }),
      startMcpServer({ resumable: true }),
    ]);
    raw = await startHttpServer((_req, res, body) => {
      const id = (JSON.parse(body) as { id?: number }).id ?? null;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result: { content: [] } }));
    });
    [port] = (await freePorts(1)) as [number];
    const on = (server: { port: number }) => `http://127.0.0.1:${server.port}/`;
    const apis: ApiSpec[] = [
      {
        id: 'order',
        port,
        basePath: '/order',
        upstream: on(sse),
        policies: [
          'mcp-support',
          { type: 'recorder', configuration: { label: 'first', methods: { 'tools/*': 'request' } } },
          { type: 'deny-tool', configuration: { tool: 'fail' } },
          { type: 'shout' },
          { type: 'recorder', configuration: { label: 'after-shout', methods: { 'tools/call': 'both' } } },
        ],
      },
      {
        id: 'json-hooks',
        port,
        basePath: '/json-hooks',
        upstream: on(json),
        policies: [
          'mcp-support',
          { type: 'deny-tool', configuration: { tool: 'fail', hide: true } },
          { type: 'hide-tools', configuration: { tools: ['fail'] } },
          'redact',
        ],
      },
      {
        id: 'sse-hooks',
        port,
        basePath: '/sse-hooks',
        upstream: on(sse),
        policies: ['mcp-support', { type: 'hide-tools', configuration: { tools: ['fail', 'slow'] } }, 'redact'],
      },
      { id: 'veto', port, basePath: '/veto', upstream: on(json), policies: ['mcp-support', 'veto-response'] },
      {
        id: 'onion',
        port,
        basePath: '/onion',
        upstream: on(json),
        policies: [
          'mcp-support',
          { type: 'recorder', configuration: { label: 'outer', methods: { 'tools/list': 'both' } } },
          { type: 'recorder', configuration: { label: 'inner', methods: { 'tools/list': 'both' } } },
        ],
      },
      {
        id: 'shadow',
        port,
        basePath: '/shadow',
        upstream: on(sse),
        policies: [
          'mcp-support',
          { type: 'deny-tool', mode: PolicyMode.POLICY_MODE_SHADOW, configuration: { tool: 'fail' } },
          { type: 'shout', mode: PolicyMode.POLICY_MODE_SHADOW },
        ],
      },
      { id: 'auth', port, basePath: '/auth', upstream: on(json), policies: ['mcp-support', 'require-token'] },
      {
        id: 'open',
        port,
        basePath: '/open',
        upstream: on(statelessJson),
        policies: ['mcp-support', { type: 'explode', configuration: { failureMode: 'fail-open' } }],
      },
      { id: 'closed', port, basePath: '/closed', upstream: on(statelessJson), policies: ['mcp-support', 'explode'] },
      {
        id: 'batch-json',
        port,
        basePath: '/batch-json',
        upstream: on(statelessJson),
        policies: ['mcp-support', { type: 'deny-tool', configuration: { tool: 'fail' } }, 'redact'],
      },
      {
        id: 'batch-sse',
        port,
        basePath: '/batch-sse',
        upstream: on(statelessSse),
        policies: ['mcp-support', { type: 'deny-tool', configuration: { tool: 'fail' } }],
      },
      {
        id: 'bytes',
        port,
        basePath: '/bytes',
        upstream: `${raw.origin}/`,
        policies: ['mcp-support', { type: 'recorder', configuration: { label: 'bytes' } }],
      },
      { id: 'mutated-bytes', port, basePath: '/mutated-bytes', upstream: `${raw.origin}/`, policies: ['mcp-support', 'shout'] },
      { id: 'resume', port, basePath: '/resume', upstream: on(resumable), policies: ['mcp-support', 'redact'] },
      {
        id: 'scoped',
        port,
        basePath: '/scoped',
        upstream: [
          { id: 'main', url: on(statelessJson) },
          { id: 'other', url: on(statelessJson) },
        ],
        routes: [{ label: 'main', upstreams: [{ upstreamId: 'main', weight: 1 }] }],
        policies: [
          'mcp-support',
          { type: 'recorder', pointcuts: [{ methodRegex: 'GET', uriTemplateRegex: '' }], configuration: { label: 'get-only' } },
          {
            type: 'recorder',
            pointcuts: [{ methodRegex: 'POST|GET', uriTemplateRegex: '/mcp' }],
            configuration: { label: 'post-mcp' },
          },
          { type: 'recorder', upstreamIds: ['other'], configuration: { label: 'other-upstream' } },
        ],
      },
    ];
    gateway = await startTestGateway(gatewayConfig(apis), {
      policies: [denyTool, shout, hideTools, redact, vetoResponse, requireToken, explode, recorder(sightings)],
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([sse, json, statelessJson, statelessSse, resumable, raw].map((s) => s?.close()));
  });

  beforeEach(() => sightings.splice(0));

  const connect = async (base: string) => {
    const client = new Client({ name: 'pipeline-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url(base)));
    await client.connect(transport);
    return { client, transport };
  };

  describe('request phase', () => {
    it('runs policies in order; the first reject ends the call with the policy error and POLICY_DENIED data', async () => {
      const { client } = await connect('/order');
      await expect(client.callTool({ name: 'fail', arguments: {} })).rejects.toMatchObject({
        code: -32050,
        message: 'MCP error -32050: Tool fail is not allowed',
        data: { reason: 'POLICY_DENIED', policy: 'deny-tool' },
      });
      // The recorder before the denying policy saw the call; the one after it did not.
      expect(sightings.filter((s) => s.method === 'tools/call').map((s) => s.label)).toEqual(['first']);
      await client.close();
    });

    it('passes a mutated message to later policies and to the upstream', async () => {
      const { client } = await connect('/order');
      const result = await client.callTool({ name: 'echo', arguments: { text: 'quiet' } });
      expect(result.content).toEqual([{ type: 'text', text: 'QUIET' }]);
      const calls = sightings.filter((s) => s.method === 'tools/call' && s.phase === 'request');
      expect(calls.map((s) => [s.label, s.arguments])).toEqual([
        ['first', { text: 'quiet' }],
        ['after-shout', { text: 'QUIET' }],
      ]);
      await client.close();
    });

    it('runs request hooks in the applied order and response hooks in reverse (the policy nearest the upstream first)', async () => {
      const { client } = await connect('/onion');
      await client.listTools();
      const seen = sightings.filter((s) => s.method === 'tools/list').map((s) => `${s.phase} ${s.label}`);
      expect(seen).toEqual(['request outer', 'request inner', 'response inner', 'response outer']);
      await client.close();
    });

    it('scopes hooks by method: a tools/* request hook never sees initialize or a response', async () => {
      const { client } = await connect('/order');
      await client.listTools();
      const first = sightings.filter((s) => s.label === 'first');
      expect(first.map((s) => `${s.phase} ${s.method}`)).toEqual(['request tools/list']);
      await client.close();
    });

    it('hides a denied tool as Unknown tool with −32602 and no POLICY_DENIED data', async () => {
      const response = await postMcp(url('/json-hooks'), call(3, 'fail'));
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({
        jsonrpc: '2.0',
        id: 3,
        error: { code: -32602, message: 'Unknown tool: fail' },
      });
    });

    it('in shadow mode logs and counts the would-be reject and lets the call pass, unmutated', async () => {
      const { client } = await connect('/shadow');
      const result = await client.callTool({ name: 'fail', arguments: { message: 'upstream ran' } });
      expect(result).toMatchObject({ isError: true, content: [{ text: expect.stringContaining('upstream ran') }] });
      const echo = await client.callTool({ name: 'echo', arguments: { text: 'as sent' } });
      expect(echo.content).toEqual([{ type: 'text', text: 'as sent' }]);
      expect(gateway.logs).toContainEqual(
        expect.objectContaining({
          msg: 'shadow policy verdict not enforced',
          policy: 'deny-tool',
          verdict: 'reject',
          error: 'policy-denied',
        }),
      );
      const counter = await gateway.metrics.getSingleMetricAsString('policy_verdicts_total');
      expect(counter).toContain('policy_verdicts_total{policy="deny-tool",verdict="reject",mode="shadow"} 1');
      expect(counter).toContain('policy_verdicts_total{policy="shout",verdict="mutate",mode="shadow"} 1');
      await client.close();
    });

    it('answers 401 with WWW-Authenticate for a policy that rejects the credentials', async () => {
      const response = await postMcp(url('/auth'), call(1, 'echo', { text: 'x' }));
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource"',
      );
      expect(JSON.parse(response.body)).toEqual({ code: 'UNAUTHORIZED', message: 'A bearer token is required' });
      const allowed = await postMcp(url('/auth'), call(1, 'echo', { text: 'x' }), { authorization: 'Bearer t' });
      expect(allowed.status).not.toBe(401);
    });

    it('fails closed (500 Internal error) or open (passes) when a policy hook throws', async () => {
      const closed = await postMcp(url('/closed'), call(8, 'echo', { text: 'x' }));
      expect(closed.status).toBe(500);
      expect(JSON.parse(closed.body)).toEqual({ jsonrpc: '2.0', id: 8, error: { code: -32603, message: 'Internal error' } });
      const open = await postMcp(url('/open'), call(9, 'echo', { text: 'x' }));
      expect(open.status).toBe(200);
      expect(JSON.parse(open.body)).toMatchObject({ id: 9, result: { content: [{ text: 'x' }] } });
      const counter = await gateway.metrics.getSingleMetricAsString('policy_verdicts_total');
      expect(counter).toContain('policy_verdicts_total{policy="explode",verdict="error",mode="enforce"} 2');
    });

    it('drops a rejected notification with 202 and never forwards it', async () => {
      const before = statelessJson.requests.length;
      const response = await postMcp(url('/closed'), { jsonrpc: '2.0', method: 'notifications/initialized' });
      expect(response.status).toBe(202);
      // notifications/initialized is not a tools/call, so explode does not apply: it is forwarded.
      expect(statelessJson.requests.length).toBe(before + 1);
      const denied = await postMcp(url('/batch-json'), { jsonrpc: '2.0', method: 'tools/call', params: { name: 'fail' } });
      expect(denied.status).toBe(202);
      expect(denied.body).toBe('');
      expect(statelessJson.requests.length).toBe(before + 1);
    });

    it('applies policies only where their pointcuts and upstream_ids match', async () => {
      await postMcp(url('/scoped'), call(1, 'echo', { text: 'x' }));
      expect(sightings.map((s) => s.label)).toEqual(['post-mcp', 'post-mcp']);
      expect(sightings[0]).toMatchObject({ phase: 'request', upstreamId: 'main', method: 'tools/call', target: 'echo' });
    });

    it('forwards the original bytes when nothing changed, and a re-serialised message when a policy mutated it', async () => {
      const body = '{ "id" : 5 ,"jsonrpc":"2.0",  "method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}} }';
      await postMcp(url('/bytes'), body);
      expect(raw.requests.at(-1)!.body).toBe(body);
      await postMcp(url('/mutated-bytes'), body);
      expect(JSON.parse(raw.requests.at(-1)!.body)).toEqual({
        id: 5,
        jsonrpc: '2.0',
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'X' } },
      });
      expect(raw.requests.at(-1)!.headers['content-length']).toBe(String(Buffer.byteLength(raw.requests.at(-1)!.body)));
    });

    it('counts MCP calls per API and method, unknown methods as other', async () => {
      await postMcp(url('/bytes'), call(1, 'echo'));
      await postMcp(url('/bytes'), { jsonrpc: '2.0', id: 2, method: 'vendor/made-up' });
      const metric = await gateway.metrics.getSingleMetricAsString('portico_mcp_calls_total');
      expect(metric).toMatch(/portico_mcp_calls_total\{api="bytes",method="tools\/call"\} \d+/);
      expect(metric).toContain('portico_mcp_calls_total{api="bytes",method="other"} 1');
    });
  });

  describe('response phase', () => {
    it('rewrites JSON answers: filters tools/list and redacts tools/call results', async () => {
      const { client } = await connect('/json-hooks');
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['echo', 'slow']);
      const echo = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      expect(echo.content).toEqual([{ type: 'text', text: 'redacted:hi' }]);
      await client.close();
    });

    it('rewrites only the event carrying the inspected response in an SSE answer', async () => {
      const { client, transport } = await connect('/sse-hooks');
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toEqual(['echo']);
      const response = await fetch(url('/sse-hooks'), {
        method: 'POST',
        headers: {
          ...MCP_POST_HEADERS,
          'mcp-session-id': transport.sessionId!,
          'mcp-protocol-version': transport.protocolVersion!,
        },
        body: JSON.stringify({
          ...call(77, 'slow', { ms: 1 }),
          params: { name: 'slow', arguments: { ms: 1 }, _meta: { progressToken: 't' } },
        }),
      });
      const messages = sseMessages(await response.text());
      expect(messages).toEqual([
        { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 0, total: 1 } },
        { jsonrpc: '2.0', id: 77, result: { content: [{ type: 'text', text: 'redacted:slept 1 ms' }] } },
      ]);
      await client.close();
    });

    it('replaces a response a policy rejects with the policy error, same id', async () => {
      const { client } = await connect('/veto');
      await expect(client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toMatchObject({
        code: -32051,
        data: { reason: 'POLICY_DENIED', policy: 'veto-response' },
      });
      await client.close();
    });

    it('applies response hooks to a result that arrives on a resumed GET stream', async () => {
      const { client, transport } = await connect('/resume');
      const headers = {
        ...MCP_POST_HEADERS,
        'mcp-session-id': transport.sessionId!,
        'mcp-protocol-version': transport.protocolVersion!,
      };
      const controller = new AbortController();
      const post = await fetch(url('/resume'), {
        method: 'POST',
        headers,
        signal: controller.signal,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 'r-1',
          method: 'tools/call',
          params: { name: 'slow', arguments: { ms: 300 }, _meta: { progressToken: 'p' } },
        }),
      });
      const parser = new SseParser();
      const reader = post.body!.getReader();
      let progressId: string | undefined;
      while (progressId === undefined)
        progressId = parser.push((await reader.read()).value!).find((e) => e.data?.includes('progress'))?.id;
      controller.abort();

      const resumed = await fetch(url('/resume'), {
        headers: { ...headers, accept: 'text/event-stream', 'last-event-id': progressId },
      });
      const replay = new SseParser();
      const resumedReader = resumed.body!.getReader();
      let result: SseEvent | undefined;
      while (!result) result = replay.push((await resumedReader.read()).value!).find((e) => e.data?.includes('"r-1"'));
      expect(JSON.parse(result.data!)).toEqual({
        jsonrpc: '2.0',
        id: 'r-1',
        result: { content: [{ type: 'text', text: 'redacted:slept 300 ms' }] },
      });
      // The upstream's event id is kept, so the client can resume after it.
      expect(result.id).toMatch(/_[0-9a-f-]{36}$/);
      await resumedReader.cancel();
      await client.close();
    });
  });

  describe('batches (2025-03-26 clients)', () => {
    const batch = [
      call(1, 'echo', { text: 'a' }),
      call(2, 'fail'),
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } },
      call(3, 'echo', { text: 'b' }),
    ];

    // Exactly one answer per id: had the rejected call reached the upstream, it would answer id 2 too.
    it('removes rejected elements and adds their errors to a JSON answer, with response hooks per element', async () => {
      const response = await postMcp(url('/batch-json'), batch);
      expect(response.status).toBe(200);
      const messages = JSON.parse(response.body) as { id: number }[];
      expect(messages.sort((a, b) => a.id - b.id)).toEqual([
        { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'redacted:a' }] } },
        {
          jsonrpc: '2.0',
          id: 2,
          error: { code: -32050, message: 'Tool fail is not allowed', data: { reason: 'POLICY_DENIED', policy: 'deny-tool' } },
        },
        { jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text: 'redacted:b' }] } },
      ]);
    });

    it('adds the errors of rejected elements as extra events to an SSE answer', async () => {
      const response = await postMcp(url('/batch-sse'), batch);
      expect(response.headers['content-type']).toBe('text/event-stream');
      const messages = sseMessages(response.body) as { id: number }[];
      expect(messages.map((m) => m.id).sort()).toEqual([1, 2, 3]);
      expect(messages.find((m) => m.id === 2)).toMatchObject({ error: { code: -32050 } });
    });

    it('answers a batch whose requests are all rejected without calling the upstream', async () => {
      const before = statelessJson.requests.length;
      const response = await postMcp(url('/batch-json'), [call(4, 'fail'), call(5, 'fail')]);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual([
        {
          jsonrpc: '2.0',
          id: 4,
          error: { code: -32050, message: 'Tool fail is not allowed', data: { reason: 'POLICY_DENIED', policy: 'deny-tool' } },
        },
        {
          jsonrpc: '2.0',
          id: 5,
          error: { code: -32050, message: 'Tool fail is not allowed', data: { reason: 'POLICY_DENIED', policy: 'deny-tool' } },
        },
      ]);
      expect(statelessJson.requests.length).toBe(before);
    });
  });
});
