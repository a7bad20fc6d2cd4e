/**
 * Graceful drain of a gateway process on SIGTERM (issue 21), as an operator's orchestrator stops
 * a replica: a real control plane, a real gateway process (one process, then two workers) and a
 * real MCP server (server-everything, whose `trigger-long-running-operation` answers on an SSE
 * stream, a progress notification every 500 ms for 3 s). SIGTERM arrives once the first progress
 * notification is through:
 * - new connections are refused at once, and an idle keep-alive connection is closed, while the
 *   call goes on;
 * - with a drain period (PORTICO_GATEWAY_DRAIN_MS) longer than the call, the call ends with its
 *   real result and every notification;
 * - with a shorter one, the stream ends cleanly (a whole response, not a cut connection) with the
 *   JSON-RPC `shutting-down` error event for the call;
 * - either way the process exits 0 right after.
 */
import { request, type IncomingMessage } from 'node:http';
import net, { type Socket } from 'node:net';
import {
  type EverythingServer,
  freePort,
  type GatewayProcess,
  MCP_POST_HEADERS,
  postMcp,
  startEverythingServer,
  startGatewayProcess,
} from '#portico/testing';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant } from './support/factories.js';
import { deployMcpInstance, INITIALIZE, type McpInstance, registerGateway, rolledOut } from './support/gateways.js';

/** The long call: 6 steps of 500 ms, a progress notification after each. */
const STEPS = 6;
const CALL_ID = 42;
const LONG_CALL = {
  jsonrpc: '2.0',
  id: CALL_ID,
  method: 'tools/call',
  params: {
    name: 'trigger-long-running-operation',
    arguments: { duration: 3, steps: STEPS },
    _meta: { progressToken: 'drain-progress' },
  },
};
/** Longer than the whole call (and what is left of it at SIGTERM). */
const LONG_DRAIN_MS = 15_000;
/** Ends while the call still has about 1.5 s to go. */
const SHORT_DRAIN_MS = 1_000;
/** Refusing new connections is the first thing the gateway does on SIGTERM. */
const REFUSED_WITHIN_MS = 2_000;
/** After its last request ended, the gateway closes its sync stream and access-log publisher, then exits. */
const EXIT_WITHIN_MS = 3_000;

interface StreamedCall {
  /** The JSON-RPC messages of the event stream, in order. */
  readonly messages: Record<string, any>[];
  /** Resolves with the first progress notification; rejects when the answer ends before one. */
  readonly progressed: Promise<void>;
  /** Resolves when the response ends: `complete` (its whole body arrived) or not (the connection was cut). */
  readonly ended: Promise<{ complete: boolean; at: number; status: number; contentType: string | undefined }>;
}

/** POSTs `body` on a connection of its own and follows the SSE answer event by event. */
function streamCall(url: string, sessionId: string, body: unknown): StreamedCall {
  const messages: Record<string, any>[] = [];
  let progressed!: () => void;
  let noProgress!: (err: Error) => void;
  const progress = new Promise<void>((resolve, reject) => {
    progressed = resolve;
    noProgress = reject;
  });
  const ended = new Promise<{ complete: boolean; at: number; status: number; contentType: string | undefined }>(
    (resolve, reject) => {
      const req = request(url, { method: 'POST', agent: false, headers: { ...MCP_POST_HEADERS, 'mcp-session-id': sessionId } });
      req.on('error', (err) => {
        noProgress(err);
        reject(err);
      });
      req.on('response', (res: IncomingMessage) => {
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          const events = buffered.split(/\r?\n\r?\n/);
          buffered = events.pop()!;
          for (const event of events) {
            const data = event
              .split(/\r?\n/)
              .filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trimStart())
              .join('\n');
            if (!data) continue;
            let message: Record<string, any>;
            try {
              message = JSON.parse(data) as Record<string, any>;
            } catch {
              req.destroy();
              return reject(new Error(`an event that is not JSON: ${data}`));
            }
            messages.push(message);
            if (message.method === 'notifications/progress') progressed();
          }
        });
        const done = () => {
          noProgress(new Error(`the call ended before any progress: HTTP ${res.statusCode}, ${JSON.stringify(messages)}`));
          resolve({
            complete: res.complete,
            at: Date.now(),
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
          });
        };
        res.on('end', done);
        // A cut connection: 'aborted', an error, then 'close' with the body incomplete.
        res.on('error', done);
        res.on('close', done);
      });
      req.end(JSON.stringify(body));
    },
  );
  return { messages, progressed: progress, ended };
}

/** Opens an MCP session through the gateway (initialize, then notifications/initialized); its id. */
async function openSession(mcpUrl: string): Promise<string> {
  const initialized = await postMcp(mcpUrl, INITIALIZE);
  expect(initialized.status).toBe(200);
  const sessionId = initialized.headers['mcp-session-id'] as string;
  const notified = await postMcp(
    mcpUrl,
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { 'mcp-session-id': sessionId, 'mcp-protocol-version': INITIALIZE.params.protocolVersion },
  );
  expect(notified.status).toBe(202);
  return sessionId;
}

/**
 * A keep-alive connection that served one request (ping) and now sits idle; resolves with its
 * socket, whose `close` says when the gateway dropped it.
 */
function idleKeepAliveConnection(mcpUrl: string, sessionId: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = request(mcpUrl, {
      method: 'POST',
      agent: false,
      headers: { ...MCP_POST_HEADERS, connection: 'keep-alive', 'mcp-session-id': sessionId },
    });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      if (res.statusCode !== 200 || res.headers.connection !== 'keep-alive')
        return reject(new Error(`ping: HTTP ${res.statusCode}, connection: ${res.headers.connection}`));
      // agent: false leaves the socket to us once the response is read: open, idle.
      res.on('end', () => resolve(req.socket!));
    });
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
  });
}

/**
 * Whether a new TCP connection to `port` of 127.0.0.1 is refused (false: it was accepted, or reset
 * while the listener goes: with workers, the primary may still accept one while the workers close
 * their handles, and resets it).
 */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNREFUSED' ? resolve(true) : err.code === 'ECONNRESET' ? resolve(false) : reject(err),
    );
  });
}

/** Resolves with the time `socket` closes. */
function closedAt(socket: Socket): Promise<number> {
  return new Promise((resolve) => (socket.destroyed ? resolve(Date.now()) : socket.once('close', () => resolve(Date.now()))));
}

describe.each([1, 2])('gateway drain on SIGTERM (PORTICO_GATEWAY_WORKERS=%i)', (workers) => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let everything: EverythingServer;
  let dir: string;
  let instance: McpInstance;
  let gateway: GatewayProcess | undefined;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    everything = await startEverythingServer();
    const registered = await registerGateway(cp, tenant, `drain-${workers}`);
    dir = registered.dir;
    instance = await deployMcpInstance(cp, tenant, {
      upstreamUrl: everything.baseUrl,
      port: await freePort(),
      basePath: '/drain',
      targetId: registered.gatewayId,
    });
  });
  afterEach(async () => {
    await gateway?.kill();
    gateway = undefined;
  });
  afterAll(async () => {
    await everything?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  const port = () => Number(new URL(instance.proxyUrl).port);

  /** A replica of the registration with `drainMs`, serving the instance with every worker. */
  async function startReplica(drainMs: number): Promise<GatewayProcess> {
    const started = await startGatewayProcess({
      dir,
      env: { PORTICO_GATEWAY_WORKERS: String(workers), PORTICO_GATEWAY_DRAIN_MS: String(drainMs) },
    });
    gateway = started;
    await started.waitForStatus(
      (s) =>
        s.sync.state === 'connected' &&
        s.ports.includes(port()) &&
        (workers === 1 || s.workers.every((w: { ready: boolean }) => w.ready)),
    );
    await rolledOut(cp, tenant, instance);
    return started;
  }

  /**
   * Starts the long call, SIGTERMs the gateway after its first progress notification and checks
   * what must hold whatever the drain period: new connections refused (a new request fails) and
   * the idle keep-alive connection closed while the call is still going.
   */
  async function sigtermDuringLongCall(replica: GatewayProcess) {
    const mcpUrl = `${instance.proxyUrl}/mcp`;
    const sessionId = await openSession(mcpUrl);
    const idle = await idleKeepAliveConnection(mcpUrl, sessionId);
    const idleClosed = closedAt(idle);
    const call = streamCall(mcpUrl, sessionId, LONG_CALL);
    await call.progressed;
    let callEndedAt: number | undefined;
    void call.ended.then(
      ({ at }) => (callEndedAt = at),
      () => undefined,
    );

    const sigterm = Date.now();
    const exit = replica.stop().then((code) => ({ code, at: Date.now() }));
    while (!(await refused(port()))) {
      if (Date.now() - sigterm > REFUSED_WITHIN_MS) throw new Error(`port ${port()} still accepts connections after SIGTERM`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expect(postMcp(mcpUrl, INITIALIZE)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await idleClosed).toBeLessThan(sigterm + REFUSED_WITHIN_MS);
    // Refused while the call was still being served.
    expect(callEndedAt).toBeUndefined();
    return { call, sigterm, exit };
  }

  it('lets a long SSE call finish with its real result when the drain period outlasts it, refusing new connections meanwhile, then exits 0', async () => {
    const replica = await startReplica(LONG_DRAIN_MS);
    const { call, exit } = await sigtermDuringLongCall(replica);

    const ended = await call.ended;
    expect(ended).toMatchObject({ complete: true, status: 200, contentType: expect.stringContaining('text/event-stream') });
    const progress = call.messages.filter((m) => m.method === 'notifications/progress');
    expect(progress.map((m) => m.params.progress)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(call.messages.at(-1)).toEqual({
      jsonrpc: '2.0',
      id: CALL_ID,
      result: { content: [{ type: 'text', text: `Long running operation completed. Duration: 3 seconds, Steps: ${STEPS}.` }] },
    });

    const exited = await exit;
    expect(exited.code).toBe(0);
    // It waited for the call, and no longer than needed after it.
    expect(exited.at).toBeGreaterThanOrEqual(ended.at - 50);
    expect(exited.at - ended.at).toBeLessThan(EXIT_WITHIN_MS);
  });

  it('ends a long SSE call still going when the drain period is over with a clean shutting-down error event, then exits 0', async () => {
    const replica = await startReplica(SHORT_DRAIN_MS);
    const { call, sigterm, exit } = await sigtermDuringLongCall(replica);

    const ended = await call.ended;
    // A whole response (the stream ended by the gateway, not a cut connection) …
    expect(ended).toMatchObject({ complete: true, status: 200, contentType: expect.stringContaining('text/event-stream') });
    expect(ended.at - sigterm).toBeGreaterThanOrEqual(SHORT_DRAIN_MS - 100);
    // … that relayed the progress made until then and closes with the error for the call, never its result.
    const progress = call.messages.filter((m) => m.method === 'notifications/progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThan(STEPS);
    expect(call.messages.filter((m) => 'result' in m)).toEqual([]);
    expect(call.messages.at(-1)).toEqual({
      jsonrpc: '2.0',
      id: CALL_ID,
      error: {
        code: -32603,
        message: 'The gateway is shutting down; retry the request',
        data: { reason: 'GATEWAY_SHUTTING_DOWN' },
      },
    });

    const exited = await exit;
    expect(exited.code).toBe(0);
    expect(exited.at - ended.at).toBeLessThan(EXIT_WITHIN_MS);
  });
});
