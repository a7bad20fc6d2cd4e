/**
 * Inspecting an upstream event stream event by event, only while something needs it (a
 * response-phase policy waiting for a response, a legacy `endpoint` event to rewrite). Events
 * the inspector leaves alone are emitted as their exact bytes; once the inspector is done the
 * rest of the stream is passed through raw, chunk by chunk, without parsing.
 */
import { isPromise } from '#portico/policy-engine';
import { SseParser, type SseEvent } from '#portico/mcp-jsonrpc';

export interface EventStreamInspector {
  /** What to emit for an event: `event.raw` when unchanged. */
  onEvent(event: SseEvent): Uint8Array | string | Promise<Uint8Array | string>;
  /** False once nothing more needs inspecting. */
  readonly active: boolean;
}

/** An event of an inspected stream is larger than the gateway holds. */
export class EventTooLarge extends Error {
  override readonly name = 'EventTooLarge';
  constructor(readonly limitBytes: number) {
    super(`an event of the upstream's stream is larger than ${limitBytes} bytes`);
  }
}

/**
 * Yields the client-bound stream: inspected events, then raw chunks once the inspector is done.
 * An event growing past `maxEventBytes` while inspected fails the stream with {@link EventTooLarge}.
 */
export async function* inspectEventStream(
  body: AsyncIterable<Uint8Array>,
  inspector: EventStreamInspector,
  maxEventBytes: number,
): AsyncGenerator<Uint8Array | string> {
  const parser = new SseParser();
  let parsing = inspector.active;
  for await (const chunk of body) {
    if (!parsing) {
      yield chunk;
      continue;
    }
    const events = parser.push(chunk);
    if (parser.pendingBytes > maxEventBytes) throw new EventTooLarge(maxEventBytes);
    for (const event of events) {
      if (!inspector.active) {
        yield event.raw;
        continue;
      }
      const out = inspector.onEvent(event);
      yield isPromise(out) ? await out : out;
    }
    if (!inspector.active) {
      parsing = false;
      const { events, rest } = parser.end();
      for (const event of events) yield event.raw;
      if (rest.length > 0) yield rest;
    }
  }
  if (parsing) {
    const { events, rest } = parser.end();
    for (const event of events) {
      const out = inspector.active ? inspector.onEvent(event) : event.raw;
      yield isPromise(out) ? await out : out;
    }
    if (rest.length > 0) yield rest;
  }
}
