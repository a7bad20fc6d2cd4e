/**
 * No client waits for an answer that will not come: an upstream answer that is not MCP becomes a
 * 502 with a JSON-RPC error for the request, an event stream that ends, is cut or is ended by a
 * gateway shutdown before answering gets one error event per unanswered request, and a shutdown
 * drains first (awaited-answers.ts, pipeline.ts, DataPlane.close). Real sockets, real SDK client.
 */
import type { ServerResponse } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  postMcp,
  startHttpServer,
  startMcpServer,
  startTcpProxy,
  type TcpProxy,
  type TestHttpServer,
  type TestMcpServer,
} from '#portico/testing';
import {
  type ApiSpec,
  freePorts,
  gatewayConfig,
  limitHits,
  startTestGateway,
  type TestGateway,
  type TestGatewayOptions,
} from '../../test/support/in-process-gateway.js';

const CALL = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x', arguments: {} } };
const ANSWER_LIMIT = 64 * 1024;

/** The upstream's misbehaviours, by path. `body` is the request the gateway forwarded. */
function misbehave(path: string, res: ServerResponse, body: string): void {
  const json = (status: number, text: string): void =>
    void res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  const sse = () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
  };
  switch (path) {
    case '/html':
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    case '/no-type':
      return void res.writeHead(200).end('hello');
    case '/not-json':
      return json(200, '<html>maintenance</html>');
    case '/not-jsonrpc':
      return json(200, '{"ok":true}');
    case '/wrong-id':
      return json(200, '{"jsonrpc":"2.0","id":999,"result":{}}');
    case '/batch-partial': {
      const first = (JSON.parse(body) as { id: number }[])[0]!;
      return json(200, JSON.stringify([{ jsonrpc: '2.0', id: first.id, result: {} }]));
    }
    case '/huge':
      return json(200, JSON.stringify({ jsonrpc: '2.0', id: 7, result: { text: 'x'.repeat(ANSWER_LIMIT * 2) } }));
    case '/truncated':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"jsonrpc":"2.0",');
      return void setTimeout(() => res.socket?.destroy(), 50);
    case '/accepted':
      return void res.writeHead(202).end();
    case '/error-page':
      return void res.writeHead(500, { 'content-type': 'text/html' }).end('<html>oops</html>');
    case '/sse-ok':
      sse();
      return void res.end('data: {"jsonrpc":"2.0","id":7,"result":{}}\n\n');
    case '/sse-garbage':
      // Labelled an event stream, but the message is not in a data field.
      sse();
      return void res.end('{"jsonrpc":"2.0","id":7,"result":{}}\n');
    case '/sse-cut':
      sse();
      res.write('data: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"working"}}\n\n');
      res.write('data: {"jsonrpc":"2.0","id":7,"res');
      return void setTimeout(() => res.socket?.destroy(), 50);
    case '/sse-slow':
      sse();
      res.write(': working\n\n');
      return void setTimeout(() => res.end('data: {"jsonrpc":"2.0","id":7,"result":{"late":true}}\n\n'), 300);
    case '/sse-huge':
      sse();
      return void res.end(`data: {"jsonrpc":"2.0","id":7,"result":{"text":"${'x'.repeat(ANSWER_LIMIT * 2)}"}}\n\n`);
    case '/sse-never':
      sse();
      return void res.write(': working\n\n'); // holds the stream open
    case '/json-never':
      return; // holds the request open
    default:
      return void res.writeHead(404).end();
  }
}

/** The JSON-RPC messages of an event stream's data fields (the torn-event marker's events skipped). */
function events(body: string): { event: string | undefined; data: unknown }[] {
  return body
    .split('\n\n')
    .filter((block) => block.includes('data:') || block.includes('event:'))
    .map((block) => {
      const lines = block.split('\n');
      const event = lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim();
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      let parsed: unknown = data;
      try {
        parsed = JSON.parse(data);
      } catch {
        // a torn event keeps its text
      }
      return { event, data: parsed };
    });
}

/** The event that closes a stream for request 7 (JSON-RPC −32603 with `data.reason`). */
function errorEvent(message: string, reason: string) {
  return { event: 'message', data: { jsonrpc: '2.0', id: 7, error: { code: -32603, message, data: { reason } } } };
}

/** A gateway serving the misbehaving upstream at /raw. */
interface Misbehaving {
  readonly raw: TestHttpServer;
  readonly gateway: TestGateway;
  url(path: string): string;
  close(): Promise<void>;
}

async function misbehaving(options: TestGatewayOptions, api: Partial<ApiSpec> = {}): Promise<Misbehaving> {
  const raw = await startHttpServer((req, res, body) => misbehave(new URL(req.url ?? '/', 'http://x').pathname, res, body));
  const [port] = (await freePorts(1)) as [number];
  const gateway = await startTestGateway(
    gatewayConfig([{ id: 'raw', port, basePath: '/raw', upstream: `${raw.origin}/`, ...api }]),
    options,
  );
  return {
    raw,
    gateway,
    url: (path) => `http://127.0.0.1:${port}/raw${path}`,
    close: async () => {
      await gateway.close();
      await raw.close();
    },
  };
}

describe('upstream answers that are not MCP', () => {
  let served: Misbehaving;
  const url = (path: string) => served.url(path);

  beforeAll(async () => {
    served = await misbehaving({ answerLimitBytes: ANSWER_LIMIT }, { responseTimeoutMs: 2_000 });
  });

  afterAll(() => served?.close());

  it.each([
    ['/html', 'The upstream answered with text/html, not JSON-RPC'],
    ['/no-type', 'The upstream answered without a Content-Type, not JSON-RPC'],
    ['/not-json', 'The upstream answered with a body that is not JSON'],
    ['/not-jsonrpc', 'The upstream answered with JSON that is not JSON-RPC'],
    ['/wrong-id', "The upstream's answer does not respond to the request"],
    ['/huge', `The upstream answer is larger than ${ANSWER_LIMIT} bytes`],
  ])('answers %s with 502 and a JSON-RPC error for the request', async (path, message) => {
    const response = await postMcp(url(path), CALL);
    expect(response.status).toBe(502);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32603, message, data: { reason: 'UPSTREAM_INVALID' } },
    });
  });

  it('counts an answer past the answer limit as a hit of that limit', async () => {
    const before = await limitHits(served.gateway, 'raw', 'answer-size');
    expect((await postMcp(url('/huge'), CALL)).status).toBe(502);
    expect(await limitHits(served.gateway, 'raw', 'answer-size')).toBe(before + 1);
  });

  it('answers a truncated JSON answer with 502 UPSTREAM_UNAVAILABLE for the request', async () => {
    const response = await postMcp(url('/truncated'), CALL);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body)).toMatchObject({ id: 7, error: { code: -32603, data: { reason: 'UPSTREAM_UNAVAILABLE' } } });
  });

  it('answers a JSON answer that never completes with 504 for the request', async () => {
    const response = await postMcp(url('/json-never'), CALL);
    expect(response.status).toBe(504);
    expect(JSON.parse(response.body)).toMatchObject({ id: 7, error: { data: { reason: 'UPSTREAM_TIMEOUT' } } });
  });

  it('adds an error for each request of a batch the upstream left unanswered', async () => {
    const batch = [CALL, { ...CALL, id: 8 }];
    // A batch is a 2025-03-26 feature.
    const response = await postMcp(url('/batch-partial'), batch, { 'mcp-protocol-version': '2025-03-26' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual([
      { jsonrpc: '2.0', id: 7, result: {} },
      {
        jsonrpc: '2.0',
        id: 8,
        error: {
          code: -32603,
          message: "The upstream's answer left this request unanswered",
          data: { reason: 'UPSTREAM_INVALID' },
        },
      },
    ]);
  });

  it('passes on what is not an answer to check: 202, an error status, an answer to notifications only', async () => {
    expect((await postMcp(url('/accepted'), CALL)).status).toBe(202);
    const page = await postMcp(url('/error-page'), CALL);
    expect(page.status).toBe(500);
    expect(page.body).toBe('<html>oops</html>');
    const notification = await postMcp(url('/html'), { jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(notification.status).toBe(200);
    expect(notification.body).toBe('<html>maintenance</html>');
  });

  it('relays a well-formed event stream as it is', async () => {
    const response = await postMcp(url('/sse-ok'), CALL);
    expect(response.body).toBe('data: {"jsonrpc":"2.0","id":7,"result":{}}\n\n');
  });

  it('closes an event stream that ended without answering with an error event for the request', async () => {
    const response = await postMcp(url('/sse-garbage'), CALL);
    expect(response.status).toBe(200);
    const got = events(response.body);
    // The upstream's unterminated block is closed with a type clients ignore, so nobody reads it as a message.
    expect(got[0]).toMatchObject({ event: 'portico-torn' });
    expect(got).toHaveLength(2);
    expect(got[1]).toEqual(errorEvent('The upstream ended its event stream without answering the request', 'UPSTREAM_INVALID'));
  });

  it('ends a stream cut inside an event with an error event within 1 s of the cut; the half event never reaches the client', async () => {
    const started = Date.now();
    const response = await postMcp(url('/sse-cut'), CALL);
    // The upstream cut 50 ms after its head; the gateway answers at once.
    expect(Date.now() - started).toBeLessThan(1_000);
    const got = events(response.body);
    expect(got).toHaveLength(2);
    expect(got[0]!.data).toMatchObject({ method: 'notifications/message' });
    expect(response.body).not.toContain('"res');
    expect(got[1]).toEqual(errorEvent('The upstream connection failed before the request was answered', 'UPSTREAM_UNAVAILABLE'));
    const metrics = await served.gateway.metrics.getSingleMetricAsString('portico_gateway_errors_total');
    expect(metrics).toMatch(/kind="upstream-unavailable"/);
  });
});

describe('an SDK client whose tool call loses its upstream mid-stream', () => {
  let upstream: TestMcpServer;
  let proxy: TcpProxy;
  let gateway: TestGateway;
  let port: number;

  beforeAll(async () => {
    upstream = await startMcpServer({ resumable: true });
    proxy = await startTcpProxy(upstream.port);
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([{ id: 'mcp', port, basePath: '/', upstream: `http://127.0.0.1:${proxy.port}/` }]),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
    await upstream?.close();
  });

  it('gets a JSON-RPC error within 1 s of the cut instead of hanging', async () => {
    const client = new Client({ name: 't', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
    let progressed!: () => void;
    const progress = new Promise<void>((resolve) => (progressed = resolve));
    const call = client.callTool({ name: 'slow', arguments: { ms: 30_000 } }, undefined, {
      onprogress: () => progressed(),
      timeout: 60_000,
    });
    const failed = call.then(
      () => undefined,
      (err: Error) => err,
    );
    await progress;
    const cut = Date.now();
    await proxy.down();
    const err = await failed;
    expect(Date.now() - cut).toBeLessThan(1_000);
    expect(err?.message).toMatch(/upstream connection failed before the request was answered/);
    await proxy.up();
    await client.close();
  });
});

describe('graceful shutdown', () => {
  it('lets requests finish within the drain period, then answers what is left with shutting-down errors', async () => {
    const { raw, gateway, url, close } = await misbehaving({ drainMs: 1_000 }, { responseTimeoutMs: 30_000 });
    const finishing = postMcp(url('/sse-slow'), CALL);
    const stream = postMcp(url('/sse-never'), CALL);
    const json = postMcp(url('/json-never'), CALL);
    // All three reached the upstream before the shutdown starts.
    while (raw.requests.filter((r) => r.method === 'POST').length < 3) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await gateway.close();
    const took = Date.now() - started;
    await close();
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3_000);

    expect(events((await finishing).body)).toEqual([
      { event: undefined, data: { jsonrpc: '2.0', id: 7, result: { late: true } } },
    ]);
    const shuttingDown = {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32603,
        message: 'The gateway is shutting down; retry the request',
        data: { reason: 'GATEWAY_SHUTTING_DOWN' },
      },
    };
    expect(events((await stream).body).at(-1)).toEqual({ event: 'message', data: shuttingDown });
    const answer = await json;
    expect(answer.status).toBe(503);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toEqual(shuttingDown);
  });
});

describe('an event past the size limit', () => {
  it('closes the stream with an error event, counts the hit, and leaves no upstream request behind', async () => {
    const served = await misbehaving({ answerLimitBytes: ANSWER_LIMIT });
    try {
      const stream = await postMcp(served.url('/sse-huge'), CALL);
      expect(events(stream.body).at(-1)).toEqual(
        errorEvent(`An event of the upstream's stream is larger than ${ANSWER_LIMIT} bytes`, 'UPSTREAM_INVALID'),
      );
      expect(await limitHits(served.gateway, 'raw', 'event-size')).toBe(1);
    } finally {
      // An upstream request left paused would keep its pool, and so the close, waiting for good.
      const closing = Date.now();
      await served.close();
      expect(Date.now() - closing).toBeLessThan(3_000);
    }
  });
});

describe('event streams whose upstream goes silent', () => {
  let served: Misbehaving;
  const url = (path: string) => served.url(path);

  beforeAll(async () => {
    served = await misbehaving({ streamIdleMs: 400, sseKeepAliveMs: 100 });
  });

  afterAll(() => served?.close());

  it('ends a POST stream silent past the idle limit with an error event for the request', async () => {
    const idled = await limitHits(served.gateway, 'raw', 'stream-idle');
    const started = Date.now();
    const response = await postMcp(url('/sse-never'), CALL);
    // Between the limit and 1.25 × it, plus scheduling on a loaded machine.
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The gateway's own keep-alive comments do not count as the upstream speaking.
    expect(response.body).toContain(': keepalive');
    expect(events(response.body).at(-1)).toEqual(
      errorEvent('The upstream sent nothing on its event stream for 400 ms', 'UPSTREAM_TIMEOUT'),
    );
    expect(await limitHits(served.gateway, 'raw', 'stream-idle')).toBe(idled + 1);
  });

  it('ends a silent GET stream cleanly (its client reconnects)', async () => {
    const idled = await limitHits(served.gateway, 'raw', 'stream-idle');
    const response = await fetch(url('/sse-never'), { headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(200);
    // The body ends (no reset): text() resolves.
    expect(await response.text()).toMatch(/^: working\n\n(: keepalive\n\n)*$/);
    expect(await limitHits(served.gateway, 'raw', 'stream-idle')).toBe(idled + 1);
  });
});
