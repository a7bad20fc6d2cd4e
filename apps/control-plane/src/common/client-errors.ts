/**
 * Bytes node:http cannot take as a request are answered in the one error shape
 * (`{status,name,code,message}`, http-exception.filter.ts) instead of Fastify's own body; then the
 * connection closes. The statuses are Node's: 408 REQUEST_TIMEOUT (headers not complete within
 * Node's headers timeout), 431 HEADERS_TOO_LARGE (over Node's 16 KiB), else 400
 * MALFORMED_REQUEST naming what the parser stopped at. Nothing is written on a socket that cannot
 * take it any more or whose response has begun.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorBody } from './http-exception.filter.js';
import { errorName, errorStatus } from './error-codes.js';

/** A parse error of node:http (llhttp's `reason` says what it stopped at). */
type ClientError = Error & { code?: string; reason?: string };

function describe(err: ClientError): Pick<ErrorBody, 'code' | 'message'> {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST_TIMEOUT', message: 'The request headers did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' };
    default:
      return { code: 'MALFORMED_REQUEST', message: `The request is not valid HTTP/1.1${err.reason ? `: ${err.reason}` : ''}` };
  }
}

/** Fastify's `clientErrorHandler`. */
export function answerClientError(err: ClientError, socket: Socket): void {
  const response = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (err.code !== 'ECONNRESET' && socket.writable && !response?.headersSent) {
    const { code, message } = describe(err);
    const status = errorStatus[code];
    const body = JSON.stringify({ status, name: errorName(status), code, message } satisfies ErrorBody);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
