/**
 * The data plane's listening servers, one per port: node:http for a plain listener, node:https
 * for a listener with TLS (CompiledApi.tls), asking every client for a certificate signed by the
 * client CA when there is one (mutual TLS; a client without one fails the handshake).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import type { ListenerTls } from '../config/compiled-config.js';
import { answerClientError, answerUnmetExpectation } from './client-errors.js';

/** A bound port and the TLS setting it serves (undefined: plain HTTP). */
export type Listening =
  { readonly server: Server; readonly tls: undefined } | { readonly server: HttpsServer; readonly tls: ListenerTls };

/** Handles a request that arrived on `server`. */
export type ListenerHandler = (server: Server, req: IncomingMessage, res: ServerResponse) => void;

/**
 * Node's defaults hold a client that never finishes its headers (slowloris) for up to 60 s plus a
 * 30 s check interval; here the headers get `headersTimeoutMs` (then 408 and close), checked
 * every second. An HTTP/1.1 request without Host is refused by the pipeline, in the gateway's
 * error shape, rather than by Node with a bare 400.
 */
function serverOptions(headersTimeoutMs: number) {
  return {
    noDelay: true,
    keepAliveTimeout: 30_000,
    headersTimeout: headersTimeoutMs,
    connectionsCheckingInterval: 1_000,
    requireHostHeader: false,
  };
}

/** What Node would answer itself, without a body, is answered in the gateway's error shape (client-errors.ts). */
function answerUnusableRequests(server: Server | HttpsServer, logger: Logger): void {
  server.on('clientError', (err, socket) => answerClientError(err, socket, logger));
  server.on('checkExpectation', (_req, res) => answerUnmetExpectation(res));
}

function listenError(host: string, port: number, err: NodeJS.ErrnoException): Error {
  const cause =
    err.code === 'EADDRINUSE'
      ? 'address already in use'
      : err.code === 'EACCES'
        ? 'permission denied'
        : (err.message ?? String(err));
  return new Error(`cannot listen on ${host}:${port}: ${cause}`);
}

function createListener(
  port: number,
  tls: ListenerTls | undefined,
  handler: ListenerHandler,
  logger: Logger,
  headersTimeoutMs: number,
): Listening {
  if (!tls) {
    const server: Server = createHttpServer(serverOptions(headersTimeoutMs), (req, res) => handler(server, req, res));
    answerUnusableRequests(server, logger);
    return { server, tls };
  }
  const mutual = tls.ca !== undefined;
  const server: HttpsServer = createHttpsServer(
    {
      ...serverOptions(headersTimeoutMs),
      cert: tls.cert,
      key: tls.key,
      ca: tls.ca,
      requestCert: mutual,
      rejectUnauthorized: mutual,
    },
    (req, res) => handler(server, req, res),
  );
  answerUnusableRequests(server, logger);
  // Node ends the connection of a client certificate the client CA did not sign with a bare
  // 'socket hang up': the reason is the socket's authorizationError.
  server.on('tlsClientError', (err, socket) =>
    logger.debug({ port, err: err.message, authorizationError: socket.authorizationError ?? undefined }, 'TLS handshake failed'),
  );
  return { server, tls };
}

/**
 * Serves `port` on `host` with `tls` (plain HTTP when undefined). Rejects with a reason naming
 * the address when the port cannot be bound or the TLS setting cannot be served.
 */
export function bindListener(
  host: string,
  port: number,
  tls: ListenerTls | undefined,
  handler: ListenerHandler,
  logger: Logger,
  headersTimeoutMs: number,
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(host, port, err));
    let listening: Listening;
    try {
      listening = createListener(port, tls, handler, logger, headersTimeoutMs);
    } catch (err) {
      onError(err as Error);
      return;
    }
    const { server } = listening;
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      server.on('error', (err) => logger.error({ port, err: err.message }, 'listener error'));
      resolve(listening);
    });
  });
}

/**
 * `listening` made to serve `tls` without re-binding its port: as it is when the TLS setting is
 * the same; with the new certificate, key and client CA (setSecureContext: new connections get
 * them, open ones keep theirs) when both are https and both ask for a client certificate or both
 * do not. undefined when the port must be re-bound: plain <-> https, or mutual TLS switched on or
 * off (requestCert is fixed when the server is made). Throws when the new setting cannot be served.
 */
export function reuseListener(port: number, listening: Listening, tls: ListenerTls | undefined): Listening | undefined {
  if (listening.tls?.fingerprint === tls?.fingerprint) return listening;
  if (listening.tls === undefined || tls === undefined || (listening.tls.ca === undefined) !== (tls.ca === undefined)) {
    return undefined;
  }
  try {
    listening.server.setSecureContext({ cert: tls.cert, key: tls.key, ca: tls.ca });
  } catch (err) {
    throw new Error(`cannot change the TLS setting of port ${port}: ${(err as Error).message}`);
  }
  return { server: listening.server, tls };
}

/** Stops accepting connections and closes the idle ones; requests in flight finish. */
export function unbindListener(listening: Listening): void {
  listening.server.close();
  listening.server.closeIdleConnections();
}
