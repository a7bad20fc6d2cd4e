/**
 * Bytes node:http cannot take as a request (the server's 'clientError') are answered in the
 * gateway's plain error shape, `{"code","message"}` as for a request no API serves, instead of
 * Node's status line without a body; then the connection closes. Which request it was, and so
 * which API and style, is unknown. The statuses are Node's own:
 * - 408 `REQUEST_TIMEOUT`: the headers did not arrive within PORTICO_GATEWAY_HEADERS_TIMEOUT_MS;
 * - 431 `HEADERS_TOO_LARGE`: the headers are larger than Node's limit (16 KiB);
 * - 413 `PAYLOAD_TOO_LARGE`: chunk extensions larger than Node's limit;
 * - 400 `INVALID_REQUEST` for anything else, naming what the parser stopped at.
 * Nothing is written on a socket that cannot take it any more or whose response has begun.
 * Likewise an `Expect` other than `100-continue` (the server's 'checkExpectation') gets 417
 * `EXPECTATION_FAILED` in that shape, not Node's bare 417.
 */
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** A parse error of node:http (llhttp's `reason` says what it stopped at). */
type ClientError = Error & { code?: string; reason?: string };

function describe(err: ClientError): { status: number; code: string; message: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request headers did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The chunk extensions of the request body are too large' };
    default:
      return {
        status: 400,
        code: 'INVALID_REQUEST',
        message: `The request is not valid HTTP/1.1${err.reason ? `: ${err.reason}` : ''}`,
      };
  }
}

/** The server's 'clientError' listener. */
export function answerClientError(err: ClientError, socket: Duplex, logger: Logger): void {
  const { status, code, message } = describe(err);
  logger.debug({ status, err: err.code ?? err.message }, 'client sent an unusable request');
  const response = (socket as Duplex & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (err.code !== 'ECONNRESET' && socket.writable && !response?.headersSent) {
    const body = JSON.stringify({ code, message });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** The server's 'checkExpectation' listener: the request is not served. */
export function answerUnmetExpectation(res: ServerResponse): void {
  const body = JSON.stringify({ code: 'EXPECTATION_FAILED', message: 'The gateway meets no Expect header but 100-continue' });
  res.writeHead(417, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}
