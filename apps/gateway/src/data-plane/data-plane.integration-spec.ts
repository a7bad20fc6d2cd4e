/**
 * DataPlane.apply: listeners follow the configuration, the swap is atomic, in-flight requests
 * finish on the configuration they started with, a port that cannot be bound fails only the
 * APIs on it, and upstream pools are kept while used and closed when not.
 */
import { createServer, type Server } from 'node:net';
import { startHttpServer, type TestHttpServer, rawRequest } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

function named(name: string, gates: Map<string, Promise<void>> = new Map()): Promise<TestHttpServer> {
  return startHttpServer(async (req, res) => {
    const gate = gates.get(req.url ?? '');
    if (gate) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(`${name} started;`);
      await gate;
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
    }
    res.end(`${name} ${req.url}`);
  });
}

describe('DataPlane.apply', () => {
  let one: TestHttpServer;
  let two: TestHttpServer;
  let gateway: TestGateway;
  let a: number;
  let b: number;
  let c: number;
  let d: number;
  let release!: () => void;
  const gates = new Map<string, Promise<void>>([['/held', new Promise<void>((resolve) => (release = resolve))]]);
  const api = (id: string, port: number, upstream: TestHttpServer) => ({
    id,
    type: 'http' as const,
    port,
    basePath: '/app',
    upstream: `${upstream.origin}/`,
  });
  const get = (port: number, path = '/app/x') => rawRequest(`http://127.0.0.1:${port}${path}`);

  beforeAll(async () => {
    [one, two] = await Promise.all([named('one', gates), named('two')]);
    [a, b, c, d] = (await freePorts(4)) as [number, number, number, number];
    gateway = await startTestGateway(gatewayConfig([api('1', a, one)]));
  });

  afterAll(async () => {
    release();
    await gateway?.close();
    await Promise.all([one?.close(), two?.close()]);
  });

  it('listens on the configured ports', async () => {
    expect(gateway.dataPlane.ports).toEqual([a]);
    expect((await get(a)).body).toBe('one /x');
  });

  it('keeps the upstream pool (and its connections) across a push that does not change it', async () => {
    await get(a);
    const before = one.requests.at(-1)!.remotePort;
    await gateway.apply(gatewayConfig([api('1', a, one)]));
    await get(a);
    expect(one.requests.at(-1)!.remotePort).toBe(before);
  });

  it('opens new ports, closes unused ones, and lets an in-flight request finish on the old configuration', async () => {
    const inFlight = new Promise<string>((resolve, reject) => {
      void rawRequest(`http://127.0.0.1:${a}/app/held`).then((r) => resolve(r.body), reject);
    });
    // The held request has reached the upstream before the swap.
    while (!one.requests.some((r) => r.url === '/held')) await new Promise((r) => setImmediate(r));
    await gateway.apply(gatewayConfig([api('1', b, two)]));
    expect(gateway.dataPlane.ports).toEqual([b]);
    await expect(get(a)).rejects.toThrow(/ECONNREFUSED/);
    expect((await get(b)).body).toBe('two /x');
    release();
    await expect(inFlight).resolves.toBe('one started;one /held');
    // Nothing uses the first upstream any more: its pool is closed, and so are its connections.
    await one.noConnections();
  });

  it('serves every API but those on a port that is taken, and reports those alone', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(c, '127.0.0.1', () => resolve()));
    try {
      const served = await gateway.apply(
        gatewayConfig([api('1', b, one), api('2', d, one), api('3', c, one), { ...api('4', c, two), basePath: '/four' }]),
      );
      expect(served.failures).toEqual([
        { apiId: '3', reason: `API 3: cannot listen on 127.0.0.1:${c}: address already in use` },
        { apiId: '4', reason: `API 4: cannot listen on 127.0.0.1:${c}: address already in use` },
      ]);
      expect(gateway.dataPlane.ports).toEqual([b, d].sort((x, y) => x - y));
      expect((await get(b)).body).toBe('one /x');
      expect((await get(d)).body).toBe('one /x');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    // Once the port is free, the next push serves those APIs too.
    const next = await gateway.apply(gatewayConfig([api('1', b, two), api('3', c, one)]));
    expect(next.failures).toEqual([]);
    expect((await get(c)).body).toBe('one /x');
    expect(gateway.dataPlane.ports).toEqual([b, c].sort((x, y) => x - y));
  });

  it('swaps the routing of a port it keeps without re-binding it', async () => {
    await gateway.apply(gatewayConfig([api('1', b, one), { ...api('2', b, two), basePath: '/other' }]));
    expect(gateway.dataPlane.ports).toEqual([b]);
    expect((await get(b)).body).toBe('one /x');
    expect((await get(b, '/other/y')).body).toBe('two /y');
  });

  it('refuses to apply after close', async () => {
    const [port] = (await freePorts(1)) as [number];
    const other = await startTestGateway(gatewayConfig([api('1', port, two)]));
    await other.close();
    await expect(other.apply(gatewayConfig([api('1', port, two)]))).rejects.toThrow('the data plane is closed');
  });
});
