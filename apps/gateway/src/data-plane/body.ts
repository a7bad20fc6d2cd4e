/** Reading a client request body into memory, up to a limit (JSON-RPC POST bodies only). */
import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Reads the whole body. A declared Content-Length over `limit` fails before reading anything;
 * otherwise reading stops as soon as `limit` is passed (the caller answers 413 and closes the
 * connection, so the rest is never read).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // The listeners stay attached (the request is not read again): only the first outcome counts.
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    const onClose = () => finish({ ok: false, reason: 'aborted' });
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, reason: 'too-large' });
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) }));
    req.on('close', onClose);
    req.on('error', onClose);
  });
}
