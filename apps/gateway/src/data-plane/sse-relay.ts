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

/**
 * Writes `prelude` (extra events), then the event stream `body` as `inspector` rewrites it;
 * resolves once the response ended.
 */
export async function relayEvents(
  res: ServerResponse,
  body: AsyncIterable<Uint8Array>,
  inspector: EventStreamInspector,
  prelude: readonly string[],
  keepAliveMs: number,
): Promise<void> {
  const tracker = new SseBoundaryTracker();
  const activity = { wrote: false };
  const stopKeepAlive = keepAlive(res, tracker, activity, keepAliveMs);
  const write = async (chunk: Uint8Array | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    tracker.update(bytes);
    activity.wrote = true;
    if (!res.write(bytes)) await new Promise<void>((resolve) => res.once('drain', resolve));
  };
  try {
    for (const event of prelude) await write(event);
    for await (const chunk of inspectEventStream(body, inspector)) await write(chunk);
    res.end();
  } finally {
    stopKeepAlive();
  }
}
