/**
 * MCP traffic for the soak and fault benches: SDK clients with sessions (`McpAgent`), what each
 * call came to as clients see it (`Outcome`), and the two ways load is sent — an open loop at a
 * fixed rate that does not slow down when answers do (`OpenLoop`), and back-to-back loops for
 * long calls (`closedLoops`).
 *
 * A call's outcome `kind` is `ok` or names what the client saw, in this order of precedence:
 * `client timeout` (the SDK's own request timeout, counted as a hang), `JSON-RPC <code>
 * [<data.reason>]` (an error response), `HTTP <status> [<reason>]` (a non-2xx answer; the reason is
 * the JSON-RPC error's `data.reason` in the body, when there is one), `unexpected content type`,
 * `connection <code>` (the request never got an answer: ECONNREFUSED, ECONNRESET, …),
 * `invalid answer (<error>)` (a 2xx answer the SDK could not parse). A failure while opening the
 * session is prefixed `initialize: `.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { percentile } from './stats.js';

/** What one call came to. Times are on the `performance.now()` clock, in ms. */
export interface Outcome {
  /** What the call was (the bench's label: `echo`, `progress`, `denied`, …). */
  label: string;
  agent: string;
  /** `ok`, or what the client saw (see the module comment). */
  kind: string;
  /** For a failure: the error's message (the JSON-RPC error message when there is one), at most 160 characters. */
  message?: string;
  startedAt: number;
  ms: number;
}

/** The message of a failed call: the JSON-RPC error's message in an HTTP error's body, else the error's own. */
export function failureMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const inBody = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  return (inBody ?? text).slice(0, 160);
}

/** The kind of a failed call, from the error the SDK threw. */
export function describeFailure(err: unknown): string {
  if (err instanceof McpError) {
    // The SDK raises RequestTimeout itself when its `timeout` passes; the gateway never sends −32001.
    if (err.code === ErrorCode.RequestTimeout) return 'client timeout';
    if (err.code === ErrorCode.ConnectionClosed) return 'connection closed';
    const reason = (err.data as { reason?: unknown } | undefined)?.reason;
    return `JSON-RPC ${err.code}${typeof reason === 'string' ? ` ${reason}` : ''}`;
  }
  if (err instanceof StreamableHTTPError) {
    if (err.code === -1) return 'unexpected content type';
    const reason = /"reason"\s*:\s*"(\w+)"/.exec(err.message)?.[1];
    return `HTTP ${err.code}${reason ? ` ${reason}` : ''}`;
  }
  if (err instanceof Error) {
    // fetch() failures are TypeError('fetch failed', { cause }) with the socket error as cause.
    const cause = (err as { cause?: { code?: string; name?: string } }).cause;
    if (err.name === 'TypeError' && cause) return `connection ${cause.code ?? cause.name ?? 'failed'}`;
    if (err.name === 'ZodError' || err.name === 'SyntaxError') return `invalid answer (${err.name})`;
    return `${err.name}: ${err.message.slice(0, 80)}`;
  }
  return String(err);
}

export interface CallOptions {
  /** The SDK's request timeout (also for opening the session): past it the call counts as `client timeout`. */
  timeoutMs: number;
  /** Ask for progress notifications (a progressToken) and count them. */
  progress?: boolean;
  /** Checks a successful result: undefined when it is right, else the kind to count the call as. */
  check?: (result: CallToolResult, progressNotifications: number) => string | undefined;
}

/**
 * One MCP client (an SDK `Client` over Streamable HTTP) holding a session, with `headers` on
 * every request. It reacts as a careful client would: a 404 (session unknown) starts a new
 * session with the next call; a connection failure, when it has more than one endpoint (gateway
 * replicas without a load balancer), moves the session to the next endpoint. Calls in flight on
 * the old connection are left to end as the SDK ends them.
 */
export class McpAgent {
  private client?: Promise<Client>;
  private transport?: StreamableHTTPClientTransport;
  private sessionId?: string;
  private protocolVersion?: string;
  private endpointIndex = 0;
  /** Bumped whenever the session or the endpoint changes, so that one failure reacts once. */
  private generation = 0;
  private readonly retired: Promise<Client>[] = [];
  /** Sessions opened, and moves to another endpoint. */
  readonly stats = { sessions: 0, endpointSwitches: 0 };

  constructor(
    readonly name: string,
    private readonly endpoints: readonly string[],
    private readonly headers: Record<string, string> = {},
  ) {
    if (endpoints.length === 0) throw new Error(`agent ${name}: no endpoint`);
  }

  /** The endpoint the next call goes to. */
  get endpoint(): string {
    return this.endpoints[this.endpointIndex]!;
  }

  /** Calls `tool`, opening a session first when there is none. Never throws. */
  async call(label: string, tool: string, args: Record<string, unknown>, options: CallOptions): Promise<Outcome> {
    const startedAt = performance.now();
    const generation = this.generation;
    let kind: string;
    let message: string | undefined;
    let stage = 'initialize: ';
    try {
      const client = await this.session(options.timeoutMs);
      stage = '';
      let notifications = 0;
      const result = (await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: options.timeoutMs,
        ...(options.progress ? { onprogress: () => void notifications++ } : {}),
      })) as CallToolResult;
      kind = options.check?.(result, notifications) ?? (result.isError ? 'tool error (isError)' : 'ok');
    } catch (err) {
      kind = describeFailure(err);
      message = failureMessage(err);
      this.react(kind, generation);
      kind = `${stage}${kind}`;
    }
    return {
      label,
      agent: this.name,
      kind,
      ...(message === undefined ? {} : { message }),
      startedAt,
      ms: performance.now() - startedAt,
    };
  }

  /** Ends the session (DELETE) and closes the client; a failure is returned as a kind, never thrown. */
  async terminate(timeoutMs: number): Promise<string | undefined> {
    const transport = this.transport;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (transport?.sessionId)
        await Promise.race([
          transport.terminateSession(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new McpError(ErrorCode.RequestTimeout, 'DELETE timed out')), timeoutMs);
          }),
        ]);
      return undefined;
    } catch (err) {
      return describeFailure(err);
    } finally {
      clearTimeout(timer);
      await this.close();
    }
  }

  /** Closes the client and every client it left behind (their calls in flight end as connection closed). */
  async close(): Promise<void> {
    const clients = [...this.retired.splice(0), ...(this.client ? [this.client] : [])];
    this.client = undefined;
    await Promise.allSettled(clients.map(async (c) => (await c).close()));
  }

  private session(timeoutMs: number): Promise<Client> {
    if (!this.client) {
      const opening = this.open(timeoutMs);
      this.client = opening;
      opening.catch(() => {
        if (this.client === opening) this.client = undefined;
      });
    }
    return this.client;
  }

  private async open(timeoutMs: number): Promise<Client> {
    const resumed = this.sessionId !== undefined;
    const transport = new StreamableHTTPClientTransport(new URL(this.endpoint), {
      requestInit: { headers: this.headers },
      sessionId: this.sessionId,
    });
    const client = new Client({ name: `bench-${this.name}`, version: '1.0.0' });
    // With a session id the SDK does not initialize again; the protocol version header must be set by hand.
    await client.connect(transport, { timeout: timeoutMs });
    if (resumed && this.protocolVersion) transport.setProtocolVersion(this.protocolVersion);
    else this.stats.sessions++;
    this.transport = transport;
    this.sessionId = transport.sessionId;
    this.protocolVersion = transport.protocolVersion ?? this.protocolVersion;
    return client;
  }

  /** A failure of a call made in `generation`: start a new session (404) or move to the next endpoint (connection failure). */
  private react(kind: string, generation: number): void {
    if (generation !== this.generation) return;
    const sessionGone = kind.startsWith('HTTP 404');
    const endpointGone = kind.startsWith('connection') && this.endpoints.length > 1;
    if (!sessionGone && !endpointGone) return;
    this.generation++;
    if (this.client) this.retired.push(this.client);
    this.client = undefined;
    if (sessionGone) this.sessionId = undefined;
    if (endpointGone) {
      this.endpointIndex = (this.endpointIndex + 1) % this.endpoints.length;
      this.stats.endpointSwitches++;
    }
  }
}

/**
 * Starts `launch(n)` for n = 0, 1, 2, … at `ratePerS`, on schedule whether or not earlier calls
 * have answered (an open loop: a slow system gets the same load, and its slowness shows in the
 * latencies instead of in a lower rate). When the event loop was late, the calls that were due
 * are started at once. At most `maxInFlight` calls run; a call due beyond that is skipped and
 * counted.
 */
export class OpenLoop {
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private started = 0;
  private next = 0;
  private stopped = false;
  private maxLag = 0;
  /** Calls not started because `maxInFlight` were running. */
  skipped = 0;

  constructor(
    private readonly ratePerS: number,
    private readonly launch: (n: number) => Promise<void>,
    private readonly maxInFlight = 5_000,
  ) {}

  start(): void {
    this.started = performance.now();
    this.tick();
  }

  /** Calls running now. */
  get running(): number {
    return this.inFlight.size;
  }

  /** The latest a call was started after its due time since the last reading, in ms (the load generator's own lag). */
  takeMaxLag(): number {
    const lag = this.maxLag;
    this.maxLag = 0;
    return lag;
  }

  /** Stops starting calls and waits for those running. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private tick = (): void => {
    if (this.stopped) return;
    const now = performance.now();
    const interval = 1000 / this.ratePerS;
    for (; this.started + this.next * interval <= now; this.next++) {
      this.maxLag = Math.max(this.maxLag, now - (this.started + this.next * interval));
      if (this.inFlight.size >= this.maxInFlight) {
        this.skipped++;
        continue;
      }
      const call = this.launch(this.next).finally(() => this.inFlight.delete(call));
      this.inFlight.add(call);
    }
    this.timer = setTimeout(this.tick, Math.max(0, this.started + this.next * interval - performance.now()));
  };
}

/** Runs `count` loops, each calling `body(loop)` again as soon as it returns, until `stop()`; stop waits for the last calls. */
export function closedLoops(count: number, body: (loop: number) => Promise<void>): { stop(): Promise<void> } {
  let stopped = false;
  const loops = Array.from({ length: count }, async (_, loop) => {
    while (!stopped) await body(loop);
  });
  return {
    async stop() {
      stopped = true;
      await Promise.allSettled(loops);
    },
  };
}

/** Outcomes counted by kind, most frequent first. */
export function countKinds(outcomes: readonly Outcome[]): [kind: string, count: number][] {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** The first message seen for each kind of failure: what the kinds mean in the clients' words. */
export function messagesByKind(outcomes: readonly Outcome[]): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const o of outcomes) if (o.message !== undefined) messages[o.kind] ??= o.message;
  return messages;
}

/** p50, p99 and max of the outcomes' durations (NaN when there are none). */
export function latencies(outcomes: readonly Outcome[]): { p50Ms: number; p99Ms: number; maxMs: number } {
  const ms = outcomes.map((o) => o.ms);
  return { p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: ms.length ? Math.max(...ms) : Number.NaN };
}
