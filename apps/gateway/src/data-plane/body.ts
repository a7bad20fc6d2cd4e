/**
 * Reading a client request body into memory, up to a limit (JSON-RPC POST bodies only).
 *
 * A body over the limit is answered 413 and its connection closed (pipeline.ts). Closing a
 * socket while its client is still sending resets the connection, and a client that writes its
 * whole request before it reads the answer (Python's requests, for one) then gets the reset,
 * never the 413. So the rest of an oversized body is read and dropped before the answer, within
 * two bounds: the whole body up to {@link discardBytes} (4 × the limit, at least 16 MiB), read
 * within {@link DISCARD_MS} of passing the limit. Past either bound the gateway stops reading and
 * answers at once; that client may see a reset. The bounds are fixed: they only decide how
 * politely a client that is refused anyway is told, not what is accepted.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** How long the rest of an oversized body is read (from when it passed the limit) before the 413 goes out anyway. */
export const DISCARD_MS = 10_000;

/** The largest oversized body (in all) that is read to its end before its 413: 4 × `limit`, at least 16 MiB. */
export function discardBytes(limit: number): number {
  return Math.max(4 * limit, 16 * 1024 * 1024);
}

const TOO_LARGE: BodyResult = { ok: false, reason: 'too-large' };
const ABORTED: BodyResult = { ok: false, reason: 'aborted' };

/**
 * Reads the whole body. A body over `limit` resolves 'too-large' once it has been read to its
 * end, or at once when a bound of the module comment is passed (then reading stops; the caller
 * answers 413 and closes the connection). A declared Content-Length past the byte bound fails
 * before anything is read. 'aborted': the client went away first.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const bound = discardBytes(limit);
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && declared > bound) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve) => {
    /** undefined once the body is over the limit: the rest is dropped. */
    let chunks: Buffer[] | undefined = [];
    let size = 0;
    let deadline: NodeJS.Timeout | undefined;
    // The listeners stay attached (the request is not read again): only the first outcome counts.
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const stopReading = () => {
      req.pause();
      finish(TOO_LARGE);
    };
    const overLimit = () => {
      chunks = undefined;
      deadline = setTimeout(stopReading, DISCARD_MS);
    };
    if (declared !== undefined && declared > limit) overLimit();
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (chunks && size > limit) overLimit();
      if (chunks) chunks.push(chunk);
      else if (size > bound) stopReading();
    });
    req.on('end', () => {
      if (!chunks) return finish(TOO_LARGE);
      finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    });
    req.on('close', () => finish(ABORTED));
    req.on('error', () => finish(ABORTED));
  });
}
