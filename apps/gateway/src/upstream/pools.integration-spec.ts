/**
 * Upstream pools over real sockets: the address policy refuses loopback upstreams however they
 * are written (IPv4, a name, IPv6, IPv4-mapped IPv6; plain and TLS) before any connection is made,
 * and the connection cap holds under concurrent requests. Upstreams are small node:http(s) servers
 * that count the connections they accept.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Pool } from 'undici';
import { createTestCa, type TestCa } from '#portico/testing';
import type { CompiledUpstream, UpstreamTls } from '../config/compiled-config.js';
import { UpstreamMetrics } from '../metrics.js';
import { UpstreamAddressPolicy, UpstreamAddressDenied, type ResolveAll } from './address-policy.js';
import { UpstreamPools, type UpstreamPoolsOptions } from './pools.js';

const logger = pino({ level: 'silent' });

interface Upstream {
  readonly port: number;
  /** Connections accepted so far, open now, and most open at once. */
  readonly connections: { accepted: number; open: number; max: number };
  /** The local address each request arrived on (which of the server's addresses was dialled). */
  readonly arrivedOn: string[];
  close(): Promise<void>;
}

/**
 * A server on `hosts` (one port) answering 200 with the address the request arrived on, once
 * `hold` (when given) resolved; TLS with `tls`.
 */
async function startUpstream(
  hosts: string[],
  options: { tls?: { cert: string; key: string }; hold?: Promise<void> } = {},
): Promise<Upstream> {
  const connections = { accepted: 0, open: 0, max: 0 };
  const arrivedOn: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    arrivedOn.push(req.socket.localAddress ?? '');
    req.resume();
    void (options.hold ?? Promise.resolve()).then(() => res.end(req.socket.localAddress));
  };
  const servers: Server[] = [];
  let port = 0;
  for (const host of hosts) {
    const server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
    server.on('connection', (socket) => {
      connections.accepted++;
      connections.max = Math.max(connections.max, ++connections.open);
      socket.once('close', () => connections.open--);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return {
    port,
    connections,
    arrivedOn,
    close: async () => {
      for (const server of servers) {
        (server as ReturnType<typeof createHttpServer>).closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

/** The upstream of `url` as translate() makes it. */
function compiledUpstream(url: string, tls?: UpstreamTls): CompiledUpstream {
  const origin = new URL(url).origin;
  return {
    id: 'u1',
    label: 'upstream',
    url,
    origin,
    path: '/',
    pathPrefix: '',
    tls,
    poolKey: tls ? `${origin}#ca` : origin,
  };
}

/** Pools with `options`, the pool of `url` in them, and their metrics registry. */
function poolFor(url: string, options: Partial<UpstreamPoolsOptions> = {}, tls?: UpstreamTls) {
  const registry = new Registry();
  const pools = new UpstreamPools({ connectTimeoutMs: 5_000, logger, metrics: new UpstreamMetrics(registry), ...options });
  const pool = pools
    .acquire([compiledUpstream(url, tls)])
    .values()
    .next().value as Pool;
  return { pools, pool, registry };
}

async function get(pool: Pool): Promise<{ status: number; body: string }> {
  const response = await pool.request({ method: 'GET', path: '/' });
  return { status: response.statusCode, body: await response.body.text() };
}

describe('upstream address policy', () => {
  let v4: Upstream;
  let v6: Upstream;

  beforeAll(async () => {
    [v4, v6] = await Promise.all([startUpstream(['127.0.0.1']), startUpstream(['::1'])]);
  });
  afterAll(async () => {
    await Promise.all([v4.close(), v6.close()]);
  });

  const LOOPBACK_URLS: [string, () => Upstream, (port: number) => string][] = [
    ['an IPv4 literal', () => v4, (port) => `http://127.0.0.1:${port}/`],
    ['a name', () => v4, (port) => `http://localhost:${port}/`],
    ['an IPv6 literal', () => v6, (port) => `http://[::1]:${port}/`],
    ['an IPv4-mapped IPv6 literal', () => v4, (port) => `http://[::ffff:127.0.0.1]:${port}/`],
  ];

  it.each(LOOPBACK_URLS)('refuses a loopback upstream written as %s, before connecting', async (_, upstream, url) => {
    const before = upstream().connections.accepted;
    const { pools, pool, registry } = poolFor(url(upstream().port), {
      addressPolicy: new UpstreamAddressPolicy(['link-local', 'loopback']),
    });
    try {
      const refused = get(pool);
      await expect(refused).rejects.toBeInstanceOf(UpstreamAddressDenied);
      await expect(refused).rejects.toMatchObject({ code: 'PORTICO_UPSTREAM_DENIED', rule: 'loopback' });
      expect(upstream().connections.accepted).toBe(before);
      const origin = new URL(url(upstream().port)).origin;
      expect(await registry.getSingleMetricAsString('portico_upstream_denied_total')).toContain(
        `portico_upstream_denied_total{origin="${origin}",rule="loopback"} 1`,
      );
    } finally {
      await pools.closeAll();
    }
  });

  it.each(LOOPBACK_URLS)(
    'connects to a loopback upstream written as %s when loopback is not denied',
    async (_, upstream, url) => {
      const before = upstream().connections.accepted;
      const { pools, pool } = poolFor(url(upstream().port), {
        addressPolicy: new UpstreamAddressPolicy(['link-local', 'metadata', 'private']),
      });
      try {
        expect((await get(pool)).status).toBe(200);
        expect(upstream().connections.accepted).toBe(before + 1);
      } finally {
        await pools.closeAll();
      }
    },
  );

  it('refuses an https upstream whose name resolves to loopback, and connects to it with its CA when allowed', async () => {
    const ca: TestCa = await createTestCa('Upstream CA');
    const certificate = await ca.issue({ commonName: 'upstream', names: ['localhost'], usage: 'server' });
    const https = await startUpstream(['127.0.0.1'], {
      tls: { cert: certificate.certificatePem, key: certificate.privateKeyPem },
    });
    const url = `https://localhost:${https.port}/`;
    const denied = poolFor(
      url,
      { addressPolicy: new UpstreamAddressPolicy(['loopback']) },
      { ca: ca.certificatePem, rejectUnauthorized: true },
    );
    const allowed = poolFor(
      url,
      { addressPolicy: new UpstreamAddressPolicy(['metadata']) },
      { ca: ca.certificatePem, rejectUnauthorized: true },
    );
    try {
      await expect(get(denied.pool)).rejects.toMatchObject({ code: 'PORTICO_UPSTREAM_DENIED', host: 'localhost' });
      expect(https.connections.accepted).toBe(0);
      expect(await get(allowed.pool)).toEqual({ status: 200, body: '127.0.0.1' });
    } finally {
      await Promise.all([denied.pools.closeAll(), allowed.pools.closeAll()]);
      await https.close();
    }
  });
});

describe('upstream address policy on names (a fixed resolver stands in for DNS)', () => {
  let upstream: Upstream;
  const table: Record<string, string[]> = {
    'metadata.google.internal': ['169.254.169.254'],
    'mixed.test': ['127.0.0.1', '127.0.0.2'],
  };
  const resolve: ResolveAll = (hostname, _options, callback) => {
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`${hostname} not in the table`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: 4 })),
    );
  };

  beforeAll(async () => {
    upstream = await startUpstream(['127.0.0.1', '127.0.0.2']);
  });
  afterAll(() => upstream.close());

  it('refuses a name that resolves to the metadata address, saying which, without connecting', async () => {
    const denials: UpstreamAddressDenied[] = [];
    const policy = new UpstreamAddressPolicy(['metadata', 'link-local'], resolve);
    const pool = new Pool('http://metadata.google.internal', {
      connect: policy.connector({ timeout: 5_000 }, (_origin, denied) => denials.push(denied)),
    });
    try {
      await expect(get(pool)).rejects.toThrow(
        'upstream address 169.254.169.254 of metadata.google.internal is denied by metadata',
      );
      expect(denials.map((d) => d.rule)).toEqual(['metadata']);
    } finally {
      await pool.close();
    }
  });

  it.each([true, false])(
    'connects only to the allowed addresses of a name with both (autoSelectFamily %s)',
    async (autoSelectFamily) => {
      const policy = new UpstreamAddressPolicy(['127.0.0.1'], resolve);
      const pool = new Pool(`http://mixed.test:${upstream.port}`, {
        connect: policy.connector({ timeout: 5_000, autoSelectFamily }, () => undefined),
      });
      try {
        expect(await get(pool)).toEqual({ status: 200, body: '127.0.0.2' });
      } finally {
        await pool.close();
      }
      // The control: without the policy the first address, 127.0.0.1, is the one dialled.
      const unguarded = new Pool(`http://127.0.0.1:${upstream.port}`);
      try {
        expect(await get(unguarded)).toEqual({ status: 200, body: '127.0.0.1' });
      } finally {
        await unguarded.close();
      }
    },
  );
});

describe('upstream connection cap', () => {
  const CONCURRENT = 5;

  /** CONCURRENT requests at once, held by the upstream until the test let them go. */
  async function concurrentRequests(options: Partial<UpstreamPoolsOptions>) {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const upstream = await startUpstream(['127.0.0.1'], { hold });
    const { pools, pool, registry } = poolFor(`http://127.0.0.1:${upstream.port}/`, options);
    const answers = Array.from({ length: CONCURRENT }, () => get(pool));
    return { upstream, pools, registry, answers, release };
  }

  it(`keeps ${CONCURRENT} concurrent requests to 2 connections with a cap of 2; the others wait and all complete`, async () => {
    const { upstream, pools, registry, answers, release } = await concurrentRequests({ connections: 2 });
    try {
      // Both connections busy: the other requests are waiting for one, and the gauges say so.
      while (upstream.arrivedOn.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      const origin = `http://127.0.0.1:${upstream.port}`;
      const metrics = await registry.metrics();
      expect(metrics).toContain(`portico_upstream_connections{origin="${origin}"} 2`);
      expect(metrics).toContain(`portico_upstream_requests_queued{origin="${origin}"} ${CONCURRENT - 2}`);
      release();
      const done = await Promise.all(answers);
      expect(done.map((a) => a.status)).toEqual(Array(CONCURRENT).fill(200));
      expect(upstream.arrivedOn).toHaveLength(CONCURRENT);
      expect(upstream.connections.max).toBe(2);
      expect(await registry.metrics()).toContain(`portico_upstream_requests_queued{origin="${origin}"} 0`);
    } finally {
      release();
      await pools.closeAll();
      await upstream.close();
    }
  });

  it(`opens a connection per request for ${CONCURRENT} concurrent requests under the default cap (the control)`, async () => {
    const { upstream, pools, answers, release } = await concurrentRequests({});
    try {
      while (upstream.arrivedOn.length < CONCURRENT) await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      expect((await Promise.all(answers)).map((a) => a.status)).toEqual(Array(CONCURRENT).fill(200));
      expect(upstream.connections.max).toBe(CONCURRENT);
    } finally {
      release();
      await pools.closeAll();
      await upstream.close();
    }
  });
});
