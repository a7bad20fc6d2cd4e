/**
 * The upstream call of one exchange: one request on the upstream's pool, its timeouts, and how
 * its failures map to the errors table. It never writes to the client; pipeline.ts answers.
 *
 * Contract:
 * - {@link UpstreamCall.start} sends the request and resolves with the response head (status and
 *   headers), or rejects when the upstream cannot be reached or sends no head in time. The body
 *   then goes to exactly one consumer ({@link UpstreamBody}): what arrived before it attached
 *   first, in order. A consumer that returns false from `data` pauses the upstream until
 *   `resume()`.
 * - Timeouts: a free connection of a pool at its cap, connect (the pool's), response headers
 *   (`timeoutMs` each: undici's headersTimeout starts only once the request is written), and
 *   a whole body that is not an event stream by the same deadline from the start of the call.
 *   The body deadline costs a timer only when the body is still incomplete once a consumer
 *   attached (a small JSON answer usually arrives with its head). An event stream has no
 *   deadline; it ends when its upstream stays silent past the idle limit ({@link UpstreamCall.watchIdle}).
 * - A client that goes away before its response finished aborts the upstream request, and so
 *   does {@link UpstreamCall.abort} (shutdown). That is not an upstream failure: `aborted` tells
 *   the caller there is nobody to answer (or that an open stream should just end).
 * - A request body streamed from the client goes through a PassThrough: undici destroys a
 *   failed request's body stream, and the client socket must stay usable for the error answer.
 * - Failures map to `upstream-timeout` (any undici timeout, or the body deadline) or
 *   `upstream-unavailable` (everything else: refused, reset, TLS, an address the address policy
 *   denies, …), see {@link upstreamError}.
 *
 * Performance: this is undici's `dispatch()` with a handler object, not `request()`: no
 * AbortSignal, no body stream and no async resource per request, and the pool delivers chunks
 * straight to the consumer (for a pass-through, straight to the client socket).
 */
import { type GatewayError } from '#portico/policy-engine';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import { EventTooLarge } from '../data-plane/event-stream.js';
import { mediaType } from '../data-plane/headers.js';
import { UpstreamAddressDenied } from './address-policy.js';

/** What to send upstream. */
export interface UpstreamRequest {
  readonly method: string;
  readonly path: string;
  /** Flat name/value list, as undici and node:http take it. */
  readonly headers: string[];
  /** A read body, the client request itself (streamed), or none. */
  readonly body: Buffer | IncomingMessage | undefined;
}

/** Response headers as undici parsed them (lower-case names). */
export type UpstreamHeaders = Record<string, string | string[] | undefined>;

/** The response head. */
export interface UpstreamHead {
  readonly statusCode: number;
  readonly headers: UpstreamHeaders;
  /** The Content-Type's media type, lower case (see headers.ts mediaType). */
  readonly mediaType: string | undefined;
}

/** Receives an upstream response body. */
export interface BodyConsumer {
  /** One chunk; false pauses the upstream until {@link UpstreamBody.resume}. */
  data(chunk: Buffer): boolean;
  /** The body is complete; `last` is its final chunk when it was still undelivered (so it can go out with the end). */
  end(last: Buffer | undefined): void;
  /** The body failed (upstream error, timeout, abort). Nothing follows. */
  error(err: unknown): void;
}

/** An upstream response body, consumed once. */
export interface UpstreamBody {
  consume(consumer: BodyConsumer): void;
  /** Continues after a consumer paused. */
  resume(): void;
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The upstream failure, as the table of errors.ts words it. */
export function upstreamError(timedOut: boolean, err: unknown): GatewayError {
  if (err instanceof AnswerTooLarge) {
    return { kind: 'upstream-invalid', message: `The upstream answer is larger than ${err.limitBytes} bytes` };
  }
  if (err instanceof ConnectionWaitTimeout) {
    return { kind: 'upstream-timeout', message: 'The upstream server did not respond in time' };
  }
  if (err instanceof UpstreamAddressDenied) {
    // Neither the address nor the rule: the client learns nothing of the gateway's network (the log has both).
    return { kind: 'upstream-unavailable', message: 'The upstream address is not allowed by the gateway' };
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  if (timedOut || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return { kind: 'upstream-timeout', message: 'The upstream server did not respond in time' };
  }
  return { kind: 'upstream-unavailable', message: 'The upstream server is unavailable' };
}

/**
 * The resource limit of the gateway an upstream failure comes from, as `portico_gateway_limit_hits_total`
 * names it; undefined for any other failure.
 */
export function limitOf(err: unknown): 'answer-size' | 'event-size' | 'connection-wait' | undefined {
  if (err instanceof AnswerTooLarge) return 'answer-size';
  if (err instanceof EventTooLarge) return 'event-size';
  if (err instanceof ConnectionWaitTimeout) return 'connection-wait';
  return undefined;
}

/** No connection of the upstream's pool became free within the response timeout. */
class ConnectionWaitTimeout extends Error {
  override readonly name = 'ConnectionWaitTimeout';
  readonly code = 'PORTICO_UPSTREAM_CONNECTION_WAIT_TIMEOUT';
  constructor() {
    super('no upstream connection became free in time (PORTICO_GATEWAY_UPSTREAM_CONNECTIONS)');
  }
}

/** Why the gateway itself ended an upstream request. */
class CallEnded extends Error {
  override readonly name = 'CallEnded';
}

/** An upstream answer read whole (to check or inspect it) was larger than the gateway reads. */
export class AnswerTooLarge extends Error {
  override readonly name = 'AnswerTooLarge';
  constructor(readonly limitBytes: number) {
    super(`the upstream answer is larger than ${limitBytes} bytes`);
  }
}

/** How many times the idle watch looks at an event stream within its idle limit. */
const IDLE_LOOKS = 4;

const IGNORE: BodyConsumer = { data: () => true, end: () => undefined, error: () => undefined };

/**
 * One exchange's upstream request, from its start to the end of its response body; the undici
 * dispatch handler of that request.
 */
export class UpstreamCall implements Dispatcher.DispatchHandler, UpstreamBody {
  private readonly deadline: number;
  private controller: Dispatcher.DispatchController | undefined;
  private head: { resolve: (head: UpstreamHead) => void; reject: (err: unknown) => void } | undefined;
  private consumer: BodyConsumer | undefined;
  /** Chunks that arrived before the consumer attached. */
  private early: Buffer[] | undefined;
  private eventStream = false;
  private ended = false;
  private failure: { err: unknown } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private cancelled = false;
  private expired = false;
  /** Event streams: data arrived since the idle watch last looked; the watch's timer; its verdict. */
  private heard = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private silent = false;
  /** Sees every chunk of the response body as it arrives, whoever consumes it (the access log's sniffer). */
  watch: ((chunk: Buffer) => void) | undefined;

  constructor(
    res: ServerResponse,
    private readonly timeoutMs: number,
  ) {
    this.deadline = Date.now() + timeoutMs;
    // A client that left while the exchange was still in its policies: 'close' was already emitted.
    if (res.destroyed && !res.writableFinished) this.cancelled = true;
    res.on('close', () => {
      if (!res.writableFinished) this.abort();
    });
  }

  /** The client went away or abort() was called: nobody waits for an answer. */
  get aborted(): boolean {
    return this.cancelled && !this.expired && !this.silent;
  }

  /** The body deadline passed. */
  get timedOut(): boolean {
    return this.expired;
  }

  /** The event stream was ended by {@link watchIdle}: its upstream had gone silent. */
  get idle(): boolean {
    return this.silent;
  }

  /**
   * Ends an event stream whose upstream sends nothing for `idleMs` (0: never): it is looked at
   * every quarter of that, and ended after four looks in a row found no data, so between `idleMs`
   * and 1.25 × `idleMs` of silence. A chunk costs one flag.
   */
  watchIdle(idleMs: number): void {
    if (idleMs <= 0 || !this.eventStream) return;
    let quiet = 0;
    this.idleTimer = setInterval(
      () => {
        quiet = this.heard ? 0 : quiet + 1;
        this.heard = false;
        if (quiet < IDLE_LOOKS) return;
        this.silent = true;
        this.abort();
      },
      Math.max(1, Math.ceil(idleMs / IDLE_LOOKS)),
    );
    this.idleTimer.unref();
  }

  /** Sends the request; resolves with the response head. */
  start(dispatcher: Dispatcher, request: UpstreamRequest): Promise<UpstreamHead> {
    let body: Buffer | PassThrough | undefined;
    if (request.body === undefined || Buffer.isBuffer(request.body)) {
      body = request.body;
    } else {
      body = new PassThrough();
      request.body.pipe(body);
    }
    const head = new Promise<UpstreamHead>((resolve, reject) => (this.head = { resolve, reject }));
    const dispatched = dispatcher.dispatch(
      {
        method: request.method as Dispatcher.HttpMethod,
        path: request.path,
        headers: request.headers,
        body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: 0,
      },
      this,
    );
    // Not written yet and the pool is full: it may wait for a free connection (pools.ts).
    if (!dispatched && !this.controller) this.armConnectionWait();
    return head;
  }

  consume(consumer: BodyConsumer): void {
    this.consumer = consumer;
    const early = this.early;
    this.early = undefined;
    if (early) {
      const deliver = this.ended && !this.failure ? early.length - 1 : early.length;
      for (let i = 0; i < deliver; i++) if (!consumer.data(early[i]!)) this.controller?.pause();
      if (deliver < early.length) {
        consumer.end(early[deliver]);
        return;
      }
    }
    if (this.failure) consumer.error(this.failure.err);
    else if (this.ended) consumer.end(undefined);
    else if (!this.eventStream) this.armDeadline();
  }

  /** Reads and drops the body (the connection stays reusable). */
  discard(): void {
    this.consume(IGNORE);
  }

  /**
   * The whole body in one buffer. A body past `limitBytes` ends the upstream request and rejects
   * with {@link AnswerTooLarge}.
   */
  readAll(limitBytes: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      this.consume({
        data: (chunk) => {
          size += chunk.length;
          if (size > limitBytes) {
            this.controller?.abort(new AnswerTooLarge(limitBytes));
            return false;
          }
          chunks.push(chunk);
          return true;
        },
        end(last) {
          if (last) chunks.push(last);
          resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
        },
        error: reject,
      });
    });
  }

  /** The body as an async iterable, pulled chunk by chunk (the upstream waits for the reader). */
  async *chunks(): AsyncGenerator<Buffer> {
    const queue: Buffer[] = [];
    let done = false;
    let failure: { err: unknown } | undefined;
    let wake: (() => void) | undefined;
    const signal = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    this.consume({
      data(chunk) {
        queue.push(chunk);
        signal();
        return false;
      },
      end(last) {
        if (last) queue.push(last);
        done = true;
        signal();
      },
      error(err) {
        failure = { err };
        signal();
      },
    });
    try {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          yield chunk;
          continue;
        }
        if (failure) throw failure.err;
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          this.resume();
        });
      }
    } finally {
      // The reader stopped before the end (an event past the size limit): the upstream request,
      // paused on its last chunk, would otherwise hold its connection for good.
      if (!done && !failure) this.controller?.abort(new CallEnded('the gateway stopped reading the answer'));
    }
  }

  resume(): void {
    this.controller?.resume();
  }

  /** Ends the upstream request (the client went away, or shutdown of an open stream). */
  abort(): void {
    this.cancelled = true;
    this.controller?.abort(new CallEnded('the exchange ended before the upstream answer'));
  }

  /** The response was handled: stops the body deadline and the idle watch. */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.idleTimer) clearInterval(this.idleTimer);
  }

  // undici dispatch handler

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    clearTimeout(this.timer);
    if (this.cancelled) controller.abort(new CallEnded('the exchange ended before the request was sent'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: UpstreamHeaders): void {
    if (statusCode < 200) return; // informational (102, 103): the final head follows
    const type = mediaType(headers['content-type']);
    this.eventStream = type === 'text/event-stream';
    const head = this.head;
    this.head = undefined;
    head?.resolve({ statusCode, headers, mediaType: type });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.heard = true;
    this.watch?.(chunk);
    const consumer = this.consumer;
    if (consumer) {
      if (!consumer.data(chunk)) controller.pause();
    } else {
      (this.early ??= []).push(chunk);
    }
  }

  onResponseEnd(): void {
    this.ended = true;
    this.finish();
    this.consumer?.end(undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.finish();
    const head = this.head;
    if (head) {
      this.head = undefined;
      head.reject(err);
      return;
    }
    this.failure = { err };
    this.consumer?.error(err);
  }

  /** A request still waiting for a connection after `timeoutMs` gets its answer now, and is dropped unsent when its turn comes. */
  private armConnectionWait(): void {
    this.timer = setTimeout(() => {
      if (this.controller) return;
      this.expired = true;
      this.cancelled = true;
      const head = this.head;
      this.head = undefined;
      head?.reject(new ConnectionWaitTimeout());
    }, this.timeoutMs);
  }

  private armDeadline(): void {
    this.timer = setTimeout(
      () => {
        this.expired = true;
        this.abort();
      },
      Math.max(1, this.deadline - Date.now()),
    );
  }
}
