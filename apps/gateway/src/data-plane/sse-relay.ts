/**
 * Relaying an upstream response body to the client, for a response whose status and headers
 * pipeline.ts has already written. The relay writes only body bytes (the upstream's, the
 * inspector's replacements, and SSE keep-alive comments) and ends the response when the upstream
 * body ends; it never answers on its own. A failing upstream body rejects the returned promise
 * and the pipeline decides (it cuts the connection once the head is out).
 *
 * Contract:
 * - Backpressure: the upstream body is paused while the client socket is full.
 * - Event streams get `: keepalive` comments every `keepAliveMs` (0 = never) while the upstream
 *   wrote nothing in the last interval, only between events (never inside one), and never while
 *   the client socket is full.
 * - Inspected event streams (relayEvents) emit each event as the inspector returns it; events it
 *   leaves alone, and everything after it is done, are the upstream's exact bytes.
 */
import type { ServerResponse } from 'node:http';
import { SseBoundaryTracker } from '#portico/mcp-jsonrpc';
import type { BodyConsumer, UpstreamBody } from '../upstream/forward.js';
import { inspectEventStream, type EventStreamInspector } from './event-stream.js';

const KEEPALIVE = ': keepalive\n\n';
const BLANK_LINE = Buffer.from('\n\n');

const NO_KEEPALIVE = (): void => undefined;
/**
 * Ends an event the upstream left half-written with a type of its own, so that clients (which
 * act on `message` events only) drop it instead of reading a truncated message.
 */
const TORN_EVENT_END = 'event: portico-torn\n\n';

/** Starts keep-alive comments; returns the function that stops them. */
function keepAlive(res: ServerResponse, tracker: SseBoundaryTracker, activity: { wrote: boolean }, interval: number): () => void {
  if (interval <= 0) return NO_KEEPALIVE;
  const timer = setInterval(() => {
    if (!activity.wrote && tracker.atBoundary && !res.writableNeedDrain) {
      res.write(KEEPALIVE);
      tracker.update(BLANK_LINE);
    }
    activity.wrote = false;
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}

/** The pass-through consumer: upstream chunks go straight to the client socket. */
class Relay implements BodyConsumer {
  private readonly tracker: SseBoundaryTracker | undefined;
  private readonly activity = { wrote: false };
  private readonly stopKeepAlive: () => void;

  constructor(
    private readonly res: ServerResponse,
    private readonly body: UpstreamBody,
    eventStream: boolean,
    keepAliveMs: number,
    private readonly done: (err?: unknown) => void,
  ) {
    this.tracker = eventStream ? new SseBoundaryTracker() : undefined;
    this.stopKeepAlive = this.tracker ? keepAlive(res, this.tracker, this.activity, keepAliveMs) : NO_KEEPALIVE;
  }

  data(chunk: Buffer): boolean {
    this.tracker?.update(chunk);
    this.activity.wrote = true;
    if (this.res.write(chunk)) return true;
    this.res.once('drain', () => this.body.resume());
    return false;
  }

  end(last: Buffer | undefined): void {
    this.stopKeepAlive();
    if (last) this.res.end(last);
    else this.res.end();
    this.done();
  }

  error(err: unknown): void {
    this.stopKeepAlive();
    this.done(err ?? new Error('upstream body failed'));
  }
}

/** Copies `body` to `res` as it is; resolves once the response ended, rejects when the body fails. */
export function relayBody(res: ServerResponse, body: UpstreamBody, eventStream: boolean, keepAliveMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    body.consume(new Relay(res, body, eventStream, keepAliveMs, (err) => (err === undefined ? resolve() : reject(err))));
  });
}

/** How an inspected event stream is relayed (see {@link relayEvents}). */
export interface EventRelay {
  readonly inspector: EventStreamInspector;
  /** Events written before the upstream's. */
  readonly prelude: readonly string[];
  readonly keepAliveMs: number;
  /** The largest event held while inspecting. */
  readonly maxEventBytes: number;
  /**
   * Events that close the stream when the upstream's ends (`failure` undefined) or fails; none
   * (undefined or empty) to end normally, or, on a failure, to reject with it.
   */
  closing(failure: unknown): readonly string[] | undefined;
}

/**
 * Writes the prelude, then the event stream `body` as the inspector rewrites it, then what
 * `closing` owes the client; resolves once the response ended. Closing events always start on
 * an event boundary, so a stream cut inside an event still ends well-formed.
 */
export async function relayEvents(res: ServerResponse, body: AsyncIterable<Uint8Array>, relay: EventRelay): Promise<void> {
  const tracker = new SseBoundaryTracker();
  const activity = { wrote: false };
  const stopKeepAlive = keepAlive(res, tracker, activity, relay.keepAliveMs);
  const write = async (chunk: Uint8Array | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    tracker.update(bytes);
    activity.wrote = true;
    if (!res.write(bytes)) await new Promise<void>((resolve) => res.once('drain', resolve));
  };
  try {
    for (const event of relay.prelude) await write(event);
    let closing: readonly string[] | undefined;
    try {
      for await (const chunk of inspectEventStream(body, relay.inspector, relay.maxEventBytes)) await write(chunk);
      closing = relay.closing(undefined);
    } catch (err) {
      closing = res.destroyed ? undefined : relay.closing(err);
      if (!closing?.length) throw err;
    }
    if (closing?.length) {
      if (!tracker.atBoundary) res.write(tracker.atLineStart ? TORN_EVENT_END : `\n${TORN_EVENT_END}`);
      for (const event of closing) res.write(event);
    }
    res.end();
  } finally {
    stopKeepAlive();
  }
}
