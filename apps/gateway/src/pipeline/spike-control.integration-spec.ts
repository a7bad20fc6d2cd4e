/**
 * spike-control on real requests: a burst is smoothed (requests over the rate wait and reach the
 * upstream spread out), requests beyond the queue get 429 at once.
 */
import { rawRequest, startHttpServer, type TestHttpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

describe('spike-control', () => {
  let upstream: TestHttpServer;
  let gateway: TestGateway;
  let base: string;
  const arrivals: number[] = [];

  beforeAll(async () => {
    upstream = await startHttpServer((_req, res) => {
      arrivals.push(Date.now());
      res.end('ok');
    });
    const [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        {
          id: 'spiky',
          type: 'http',
          port,
          basePath: '/spiky',
          upstream: `${upstream.origin}/`,
          policies: [
            {
              type: 'spike-control',
              configuration: {
                maximumRequests: 2,
                timePeriodInMilliseconds: 1200,
                delayTimeInMillis: 100,
                delayAttempts: 20,
                queuingLimit: 3,
                exposeHeaders: true,
              },
            },
          ],
        },
      ]),
    );
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('smooths a burst to the configured rate and refuses what the queue cannot hold', async () => {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 6 }, () => rawRequest(`${base}/spiky/x`)));
    const statuses = answers.map((a) => a.status).sort();
    // Two pass at once, three wait in the queue and pass one per 600 ms, one finds the queue full
    // (the first queued one passes 600 ms after the burst: time enough for all six to arrive).
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(answers.find((a) => a.status === 200)!.headers['x-ratelimit-limit']).toBe('2');
    expect(arrivals).toHaveLength(5);
    const offsets = arrivals.map((t) => t - started);
    // The last queued request cannot pass before 3 intervals of 600 ms after the burst.
    expect(offsets[4]!).toBeGreaterThanOrEqual(1700);
    for (let i = 3; i < 5; i++) expect(arrivals[i]! - arrivals[i - 1]!).toBeGreaterThanOrEqual(500);
  });
});
