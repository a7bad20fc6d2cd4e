/**
 * Streaming through the gateway: JSON and SSE answers, stateless upstreams, Last-Event-ID
 * resumption, SSE passed byte for byte and without buffering, keep-alive comments only between
 * events, and no timeout on an open event stream.
 */
import type { ServerResponse } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SseParser } from '#portico/mcp-jsonrpc';
import { startHttpServer, startMcpServer, type TestHttpServer, type TestMcpServer, MCP_POST_HEADERS } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

/** Reads a fetch body chunk by chunk as text. */
function textReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    get text() {
      return text;
    },
    /** Reads until `predicate(text)` holds; false when the stream ended first. */
    async until(predicate: (text: string) => boolean): Promise<boolean> {
      while (!predicate(text)) {
        const { value, done } = await reader.read();
        if (done) return false;
        text += decoder.decode(value, { stream: true });
      }
      return true;
    },
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

/** A deferred the test resolves to let an upstream continue. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('streaming through the gateway', () => {
  let jsonUpstream: TestMcpServer;
  let statelessUpstream: TestMcpServer;
  let resumableUpstream: TestMcpServer;
  let raw: TestHttpServer;
  let gateway: TestGateway;
  let port: number;
  const gates = new Map<string, ReturnType<typeof gate>>();
  /** Exactly what the raw upstream sends on POST /sse: CRLF and CR line endings, comments, retry, a priming event. */
  const SSE_BYTES = [
    ': welcome\r\n\r\nretry: 2500\rid: prime-1\rdata:\r\n\r\n',
    'event: message\nid: e-2\ndata: {"jsonrpc":"2.0","id":1,\ndata: "result":{}}\n\n',
  ];

  beforeAll(async () => {
    [jsonUpstream, statelessUpstream, resumableUpstream] = await Promise.all([
      startMcpServer({ jsonResponse: true }),
      startMcpServer({ stateful: false }),
      startMcpServer({ resumable: true }),
    ]);
    raw = await startHttpServer(async (req, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      if (url.pathname === '/sse') {
        res.write(SSE_BYTES[0]);
        await gates.get(url.searchParams.get('gate') ?? '')?.opened;
        res.end(SSE_BYTES[1]);
      }
    });
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        { id: 'json', port, basePath: '/json', upstream: `http://127.0.0.1:${jsonUpstream.port}/` },
        { id: 'stateless', port, basePath: '/stateless', upstream: `http://127.0.0.1:${statelessUpstream.port}/` },
        { id: 'resumable', port, basePath: '/resumable', upstream: `http://127.0.0.1:${resumableUpstream.port}/` },
        { id: 'raw', port, basePath: '/raw', upstream: `${raw.origin}/` },
      ]),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([jsonUpstream?.close(), statelessUpstream?.close(), resumableUpstream?.close(), raw?.close()]);
  });

  it('serves a JSON-response upstream to the SDK client', async () => {
    const client = new Client({ name: 't', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/json/mcp`)));
    const result = await client.callTool({ name: 'echo', arguments: { text: 'json' } });
    expect(result.content).toEqual([{ type: 'text', text: 'json' }]);
    const failed = await client.callTool({ name: 'fail', arguments: { message: 'boom' } });
    expect(failed).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringContaining('boom') }] });
    await client.close();
    const last = jsonUpstream.requests.at(-1)!;
    expect(last.headers['mcp-session-id']).toBeDefined();
  });

  it('answers JSON with application/json and its Content-Length', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/json/mcp`, {
      method: 'POST',
      headers: MCP_POST_HEADERS,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', id: 1, result: { serverInfo: { name: 'test-mcp-server' } } });
    expect(response.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves a stateless upstream (no session id)', async () => {
    const client = new Client({ name: 't', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/stateless/mcp`));
    await client.connect(transport);
    expect(transport.sessionId).toBeUndefined();
    const result = await client.callTool({ name: 'echo', arguments: { text: 'stateless' } });
    expect(result.content).toEqual([{ type: 'text', text: 'stateless' }]);
    await client.close();
  });

  it('resumes a broken POST stream with Last-Event-ID on a GET and delivers the result there', async () => {
    const client = new Client({ name: 't', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/resumable/mcp`));
    await client.connect(transport);
    const headers = {
      ...MCP_POST_HEADERS,
      'mcp-session-id': transport.sessionId!,
      'mcp-protocol-version': transport.protocolVersion!,
    };
    const controller = new AbortController();
    const post = await fetch(`http://127.0.0.1:${port}/resumable/mcp`, {
      method: 'POST',
      headers,
      signal: controller.signal,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 42,
        method: 'tools/call',
        params: { name: 'slow', arguments: { ms: 300 }, _meta: { progressToken: 'p' } },
      }),
    });
    const parser = new SseParser();
    const reader = post.body!.getReader();
    let progressId: string | undefined;
    while (progressId === undefined) {
      const { value } = await reader.read();
      progressId = parser.push(value!).find((e) => e.data?.includes('notifications/progress'))?.id;
    }
    controller.abort();

    const resumed = await fetch(`http://127.0.0.1:${port}/resumable/mcp`, {
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': progressId },
    });
    expect(resumed.status).toBe(200);
    const replay = new SseParser();
    const resumedReader = resumed.body!.getReader();
    let result: { id?: number; result?: unknown } | undefined;
    while (!result) {
      const { value } = await resumedReader.read();
      const event = replay.push(value!).find((e) => e.data?.includes('"id":42'));
      if (event) result = JSON.parse(event.data!);
    }
    expect(result).toMatchObject({ id: 42, result: { content: [{ type: 'text', text: 'slept 300 ms' }] } });
    await resumedReader.cancel();
    await client.close();
  });

  it('passes SSE through byte for byte, each event as soon as it is complete', async () => {
    const g = gate();
    gates.set('a', g);
    const response = await fetch(`http://127.0.0.1:${port}/raw/sse?gate=a`, {
      method: 'POST',
      headers: MCP_POST_HEADERS,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = textReader(response.body!);
    // The first part arrives while the upstream still holds the stream open.
    expect(await reader.until((t) => t.length >= SSE_BYTES[0]!.length)).toBe(true);
    expect(reader.text).toBe(SSE_BYTES[0]);
    g.open();
    expect(await reader.until(() => false)).toBe(false);
    expect(reader.text).toBe(SSE_BYTES.join(''));
  });
});

describe('event stream keep-alive', () => {
  let raw: TestHttpServer;
  let gateway: TestGateway;
  let port: number;
  const release = gate();

  beforeAll(async () => {
    raw = await startHttpServer(async (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      if (req.url === '/partial') {
        res.write(': hi\n\ndata: par');
        await release.opened;
        res.end('tial\n\n');
      }
    });
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([{ id: '1', port, basePath: '/', upstream: `${raw.origin}/`, responseTimeoutMs: 200 }]),
      {
        sseKeepAliveMs: 50,
      },
    );
  });

  afterAll(async () => {
    release.open();
    await gateway?.close();
    await raw?.close();
  });

  it('sends keep-alive comments while the upstream is silent, never inside an event, and never times the stream out', async () => {
    // A stream no request awaits an answer on (a notification's) is passed through raw, so the
    // upstream's half event reaches the client.
    const post = await fetch(`http://127.0.0.1:${port}/partial`, {
      method: 'POST',
      headers: MCP_POST_HEADERS,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } }),
    });
    const partial = textReader(post.body!);
    const silent = textReader(
      (await fetch(`http://127.0.0.1:${port}/silent`, { headers: { accept: 'text/event-stream' } })).body!,
    );
    // Six keep-alives on the silent stream: longer than the 200 ms response timeout, and several
    // keep-alive periods during which the partial stream sat inside an event.
    expect(await silent.until((t) => t.split(': keepalive\n\n').length > 6)).toBe(true);
    expect(silent.text).toMatch(/^(: keepalive\n\n)+$/);
    await partial.until((t) => t.includes('data: par'));
    release.open();
    await partial.until((t) => t.endsWith('tial\n\n'));
    expect(partial.text).toMatch(/^: hi\n\n(: keepalive\n\n)*data: partial\n\n$/);
    await silent.cancel();
  });
});
