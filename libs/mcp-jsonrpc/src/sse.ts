/**
 * Server-Sent Events, as the WHATWG `text/event-stream` grammar defines them: an incremental
 * parser that keeps every block's exact text (so a proxy can emit untouched events byte for
 * byte), a serializer, and a tracker telling whether a byte stream is between two events.
 *
 * Lines end with CRLF, LF or CR. A block ends at a blank line. `data:` lines join with `\n`; a
 * block with `data:` but an empty value (an MCP priming event) has `data === ''`, a block
 * without any `data:` line has `data === undefined`. Comment lines start with `:`.
 */

/** One blank-line-terminated block of an event stream. */
export interface SseEvent {
  /** The block's bytes exactly as received, including the blank line that ended it. */
  raw: Uint8Array;
  /** `event:` value; undefined means the default type `message`. */
  event?: string;
  /** `data:` values joined with `\n`; undefined when the block has no `data:` line. */
  data?: string;
  /** `id:` value (ignored when it contains NUL, as the standard says). */
  id?: string;
  /** `retry:` value in milliseconds (only when made of ASCII digits). */
  retry?: number;
  /** Text after the `:` of each comment line, in order. */
  comments: string[];
}

/** The fields {@link serializeSseEvent} writes. */
export interface SseEventFields {
  event?: string;
  data?: string;
  id?: string;
  retry?: number;
  comments?: readonly string[];
}

const LF = 10;
const CR = 13;
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/**
 * Incremental parser: `push()` chunks as they arrive and get back each block completed by them.
 * It splits lines on bytes (CR and LF never occur inside a UTF-8 sequence) and decodes only
 * complete lines, so it holds no decoder state: a proxy can stop parsing at any point and
 * forward `end().rest` plus the following chunks untouched. A CR at the very end of a chunk
 * waits for the next chunk (it may be half of a CRLF).
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer: Uint8Array = EMPTY;
  /** Offset in `buffer` of the next line to read. */
  private scan = 0;
  private event: string | undefined;
  private data: string | undefined;
  private id: string | undefined;
  private retry: number | undefined;
  private comments: string[] = [];

  /** Feeds a chunk; returns the blocks it completed, in order. */
  push(chunk: string | Uint8Array): SseEvent[] {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    if (this.buffer.length === 0) {
      this.buffer = bytes;
    } else {
      const joined = new Uint8Array(this.buffer.length + bytes.length);
      joined.set(this.buffer);
      joined.set(bytes, this.buffer.length);
      this.buffer = joined;
    }
    return this.process(false);
  }

  /** Bytes of the block not completed yet (what the parser holds). */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  /**
   * Ends the stream (or parsing): returns the blocks a final CR completes, and the bytes of an
   * unterminated last block (a proxy forwards them as they are; the standard discards such an
   * event). The parser is reset.
   */
  end(): { events: SseEvent[]; rest: Uint8Array } {
    const events = this.process(true);
    const rest = this.buffer;
    this.buffer = EMPTY;
    this.scan = 0;
    this.reset();
    return { events, rest };
  }

  private process(final: boolean): SseEvent[] {
    const buffer = this.buffer;
    const events: SseEvent[] = [];
    let blockStart = 0;
    let pos = this.scan;
    let nextLf = -2;
    let nextCr = -2;
    while (pos < buffer.length) {
      if (nextLf !== -1 && nextLf < pos) nextLf = buffer.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = buffer.indexOf(CR, pos);
      const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (end === -1) break;
      let next = end + 1;
      if (end === nextCr) {
        if (end + 1 === buffer.length && !final) break; // maybe the first half of a CRLF
        if (buffer[end + 1] === LF) next = end + 2;
      }
      if (end === pos) {
        events.push(this.dispatch(buffer.slice(blockStart, next)));
        blockStart = next;
      } else {
        this.field(this.decoder.decode(buffer.subarray(pos, end)));
      }
      pos = next;
    }
    this.buffer = blockStart === 0 ? buffer : buffer.slice(blockStart);
    this.scan = pos - blockStart;
    return events;
  }

  private field(line: string): void {
    const colon = line.indexOf(':');
    if (colon === 0) {
      this.comments.push(line.slice(1));
      return;
    }
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (name) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data = this.data === undefined ? value : `${this.data}\n${value}`;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number.parseInt(value, 10);
        break;
      default:
        break; // unknown fields are ignored by the standard
    }
  }

  private dispatch(raw: Uint8Array): SseEvent {
    const event: SseEvent = { raw, comments: this.comments };
    if (this.event !== undefined) event.event = this.event;
    if (this.data !== undefined) event.data = this.data;
    if (this.id !== undefined) event.id = this.id;
    if (this.retry !== undefined) event.retry = this.retry;
    this.reset();
    return event;
  }

  private reset(): void {
    this.event = undefined;
    this.data = undefined;
    this.id = undefined;
    this.retry = undefined;
    this.comments = [];
  }
}

/**
 * Writes one event with LF line endings: comments, `event:`, `id:`, `retry:`, then one `data:`
 * line per line of `data` (any of CRLF / CR / LF in it starts a new `data:` line).
 */
export function serializeSseEvent(fields: SseEventFields): string {
  let out = '';
  for (const comment of fields.comments ?? []) out += `:${comment}\n`;
  if (fields.event !== undefined) out += `event: ${fields.event}\n`;
  if (fields.id !== undefined) out += `id: ${fields.id}\n`;
  if (fields.retry !== undefined) out += `retry: ${fields.retry}\n`;
  if (fields.data !== undefined) for (const line of fields.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/**
 * Follows the bytes of an event stream as they are written and says whether the stream is
 * between two blocks, i.e. whether something (a keep-alive comment) may be inserted without
 * splitting an event. Only the last few bytes are kept.
 */
export class SseBoundaryTracker {
  private tail = new Uint8Array(0);
  private written = 0;

  /** Records bytes that were written to the stream. */
  update(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.written += chunk.length;
    if (chunk.length >= 4) {
      this.tail = chunk.slice(chunk.length - 4);
      return;
    }
    const joined = new Uint8Array(this.tail.length + chunk.length);
    joined.set(this.tail);
    joined.set(chunk, this.tail.length);
    this.tail = joined.slice(Math.max(0, joined.length - 4));
  }

  /** True at the start of the stream and right after a line terminator. */
  get atLineStart(): boolean {
    if (this.written === 0) return true;
    const last = this.tail[this.tail.length - 1];
    return last === LF || last === CR;
  }

  /** True at the start of the stream and right after a blank line. */
  get atBoundary(): boolean {
    if (this.written === 0) return true;
    const t = this.tail;
    const n = t.length;
    const last = t[n - 1];
    if (last !== LF && last !== CR) return false;
    // Strip the line terminator that ends the stream, then look for the one before it.
    const stripped = last === LF && t[n - 2] === CR ? n - 2 : n - 1;
    if (stripped === 0) return this.written === n;
    const before = t[stripped - 1];
    return before === LF || before === CR;
  }
}
