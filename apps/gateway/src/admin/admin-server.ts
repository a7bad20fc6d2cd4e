/**
 * The gateway's operational endpoints, on their own (loopback by default) port, never on an API
 * listener: `/healthz` (the process is up), `/readyz` (200 only once a configuration is loaded,
 * from disk or from the control plane), `/metrics` (Prometheus) and `/status` (JSON: identity,
 * running revision, sync state).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Prometheus text and its content type: a prom-client Registry, or the workers' aggregate. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface AdminSources {
  metrics: MetricsSource;
  ready(): { ready: boolean; reason?: string };
  status(): Record<string, unknown>;
}

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

export async function startAdminServer(host: string, port: number, sources: AdminSources): Promise<AdminServer> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    if (url === '/healthz') return send(200, { status: 'ok' });
    if (url === '/readyz') {
      const { ready, reason } = sources.ready();
      return send(ready ? 200 : 503, ready ? { status: 'ready' } : { status: 'not ready', reason });
    }
    if (url === '/status') return send(200, sources.status());
    if (url === '/metrics') {
      sources.metrics.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': sources.metrics.contentType });
          res.end(text);
        },
        () => send(500, { error: 'metrics unavailable' }),
      );
      return;
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`admin server cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
