/**
 * A tiny real HTTP server for tests that need an upstream with exact wire behaviour (headers,
 * partial SSE events, never answering): the handler is the test's, the socket is real.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestHttpServer {
  /** `http://<host>:<port>` (no trailing slash). */
  readonly origin: string;
  readonly port: number;
  /** Requests received so far: method, URL, headers, the body text and the client's port (tells connections apart). */
  readonly requests: {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
    remotePort: number | undefined;
  }[];
  /** Resolves once no client connection is open (e.g. after a proxy closed its pool). */
  noConnections(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a server on `host` (default 127.0.0.1; another IPv4 loopback address such as 127.0.0.2
 * stands for a second machine); the body is read (and recorded) before `handler` runs.
 */
export async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>,
  host = '127.0.0.1',
): Promise<TestHttpServer> {
  const requests: TestHttpServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        remotePort: req.socket.remotePort,
      });
      Promise.resolve(handler(req, res, body)).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500).end(err.message);
        else res.destroy(err);
      });
    });
  });
  let open = 0;
  const waiters: (() => void)[] = [];
  server.on('connection', (socket) => {
    open++;
    socket.once('close', () => {
      if (--open === 0) for (const resolve of waiters.splice(0)) resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${port}`,
    port,
    requests,
    noConnections: () => (open === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
