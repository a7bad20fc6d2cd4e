/**
 * The fault bench's proxies in a process of their own, so that a busy load generator never
 * slows the traffic they carry: a TCP proxy in front of Redis and one in front of Postgres
 * (libs/testing startTcpProxy), a fault proxy in front of the upstream (bench/support/fault-proxy.ts)
 * and the garbage upstream it can be switched to. Targets come from REDIS_PORT, POSTGRES_PORT and
 * UPSTREAM_PORT (on 127.0.0.1). Prints `proxies {"redis":…,"postgres":…,"upstream":…,"control":…}`
 * with the ports, then takes orders on the control port:
 *   POST /redis/down, /redis/up, /postgres/down, /postgres/up, /upstream/down, /upstream/up
 *   POST /upstream/mode with a FaultMode body ({"kind":"garbage"} redirects to the garbage upstream)
 *   GET  /garbage: {"served": <answers the garbage upstream gave>}
 * Everything listens on 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTcpProxy } from '#portico/testing';
import { type FaultMode, startFaultProxy } from '../support/fault-proxy.js';
import { startGarbageUpstream } from '../support/garbage-upstream.js';

const port = (name: string) => {
  const value = Number(process.env[name]);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} must be a port, got ${process.env[name]}`);
  return value;
};

const redis = await startTcpProxy(port('REDIS_PORT'));
const postgres = await startTcpProxy(port('POSTGRES_PORT'));
const upstream = await startFaultProxy(port('UPSTREAM_PORT'));
const garbage = await startGarbageUpstream();

const actions: Record<string, (body: string) => Promise<unknown> | unknown> = {
  'POST /redis/down': () => redis.down(),
  'POST /redis/up': () => redis.up(),
  'POST /postgres/down': () => postgres.down(),
  'POST /postgres/up': () => postgres.up(),
  'POST /upstream/down': () => upstream.down(),
  'POST /upstream/up': () => upstream.up(),
  'POST /upstream/mode': (body) => {
    const mode = JSON.parse(body) as FaultMode | { kind: 'garbage' };
    upstream.set(mode.kind === 'garbage' ? { kind: 'redirect', port: garbage.port } : mode);
  },
  'GET /garbage': () => ({ served: garbage.requests.length }),
};

const control = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const action = actions[`${req.method} ${req.url}`];
    if (!action) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no ${req.method} ${req.url}` }));
      return;
    }
    Promise.resolve()
      .then(() => action(body))
      .then(
        (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? {})),
        (err: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message })),
      );
  });
});
control.listen(0, '127.0.0.1', () => {
  const ports = {
    redis: redis.port,
    postgres: postgres.port,
    upstream: upstream.port,
    control: (control.address() as AddressInfo).port,
  };
  console.log(`proxies ${JSON.stringify(ports)}`);
});
process.once('SIGTERM', () => {
  control.close();
  void Promise.all([redis.close(), postgres.close(), upstream.close(), garbage.close()]).then(() => process.exit(0));
});
