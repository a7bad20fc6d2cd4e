/**
 * One HTTP/1.1 exchange as bytes on a TCP connection of its own: the request is written exactly
 * as given, so it may be malformed in any way (node:http clients refuse to send such requests),
 * and the answer is read as the server wrote it, up to the end of the connection. Interim 1xx
 * answers are skipped; a chunked body is decoded. An event stream the server keeps open is read
 * until it has been silent for `streamIdleMs`, then the client closes the connection.
 *
 * The client does not end its side after the request: Node's HTTP server takes a half-closed
 * connection for a client that went away and drops the answer. Only when the server has been
 * silent for `quietMs` does the client end its side (a client giving up on a request the server
 * still waits on, such as a body shorter than its Content-Length).
 */
import net from 'node:net';

export interface RawAnswer {
  status: number;
  /** Lower-case names; a repeated header's values joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

export type RawOutcome =
  | { kind: 'answered'; answer: RawAnswer }
  /** The connection ended without a whole response head (`received`: what did arrive). */
  | { kind: 'no-answer'; received: string; error?: string }
  /** Nothing ended the exchange within the time limit. */
  | { kind: 'timeout'; received: string };

export interface RawExchangeOptions {
  /** Default 10 s: the exchange fails as `timeout` past it. */
  timeoutMs?: number;
  /** Default 300 ms. */
  streamIdleMs?: number;
  /** Default 5 s. */
  quietMs?: number;
}

/** A request as a test writes it; `requestBytes` frames it. */
export interface HttpRequestSpec {
  method: string;
  target: string;
  /** Sent in order, as given; a `host` here replaces the default Host header. */
  headers: readonly (readonly [string, string])[];
  /** Sent with a Content-Length. */
  body?: Buffer;
}

/** `spec` as HTTP/1.1 bytes, with Host (unless it has one), `Connection: close` and a Content-Length for a body. */
export function requestBytes(spec: HttpRequestSpec, host: string): Buffer {
  const lines = [`${spec.method} ${spec.target} HTTP/1.1`];
  if (!spec.headers.some(([name]) => name.toLowerCase() === 'host')) lines.push(`Host: ${host}`);
  for (const [name, value] of spec.headers) lines.push(`${name}: ${value}`);
  lines.push('Connection: close');
  if (spec.body !== undefined) lines.push(`Content-Length: ${spec.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), spec.body ?? Buffer.alloc(0)]);
}

/** Sends `bytes` to 127.0.0.1:`port` and reads the answer. Never rejects. */
export function rawExchange(port: number, bytes: Buffer, options: RawExchangeOptions = {}): Promise<RawOutcome> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const streamIdleMs = options.streamIdleMs ?? 300;
  const quietMs = options.quietMs ?? 5_000;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let idle: NodeJS.Timeout | undefined;
    let stream: boolean | undefined;
    let quiet: NodeJS.Timeout | undefined;
    let error: string | undefined;
    const giveUpWhenQuiet = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => socket.end(), quietMs);
    };
    const socket = net.connect(port, '127.0.0.1');
    const finish = (timedOut: boolean) => {
      clearTimeout(deadline);
      clearTimeout(idle);
      clearTimeout(quiet);
      socket.destroy();
      const received = Buffer.concat(chunks);
      const answer = parseAnswer(received);
      if (answer) resolve({ kind: 'answered', answer });
      else if (timedOut) resolve({ kind: 'timeout', received: preview(received) });
      else resolve({ kind: 'no-answer', received: preview(received), ...(error !== undefined && { error }) });
    };
    const deadline = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      giveUpWhenQuiet();
      stream ??= eventStreamHead(Buffer.concat(chunks));
      if (stream) {
        clearTimeout(idle);
        idle = setTimeout(() => finish(false), streamIdleMs);
      }
    });
    // The server may answer and close before the whole request is written (a refused body).
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => finish(false));
    socket.write(bytes, () => giveUpWhenQuiet());
  });
}

function preview(bytes: Buffer): string {
  return bytes.subarray(0, 300).toString('latin1');
}

/** Whether the final response's head in `received` announces an event stream; undefined until it is complete. */
function eventStreamHead(received: Buffer): boolean | undefined {
  const answer = parseAnswer(received);
  return answer && /^text\/event-stream/i.test(answer.headers['content-type'] ?? '');
}

/** The final response in `received`, or undefined when no whole head arrived. */
function parseAnswer(received: Buffer): RawAnswer | undefined {
  let rest = received;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const [statusLine = '', ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (!Number.isInteger(status)) return undefined;
    rest = rest.subarray(end + 4);
    if (status >= 100 && status < 200) continue;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const length = headers['content-length'];
    const body = /chunked/i.test(headers['transfer-encoding'] ?? '')
      ? dechunk(rest)
      : length === undefined
        ? rest
        : rest.subarray(0, Number(length));
    return { status, headers, body };
  }
}

/** A chunked body's data (as much of it as arrived). */
function dechunk(bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd === -1) break;
    const size = parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(bytes.subarray(lineEnd + 2, Math.min(lineEnd + 2 + size, bytes.length)));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}
