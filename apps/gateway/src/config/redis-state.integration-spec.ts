/**
 * CompileContext.redis against a real Redis (127.0.0.1:6379, or PORTICO_TEST_REDIS_URL): two
 * gateways on the same Redis share a policy's state, and a gateway without Redis fails the API
 * of a policy that needs it, alone, saying why.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startHttpServer, type TestHttpServer, rawRequest } from '#portico/testing';
import {
  freePorts,
  gatewayConfig,
  startTestGateway,
  type ApiSpec,
  type TestGateway,
} from '../../test/support/in-process-gateway.js';
import { sharedCounter } from '../../test/support/test-policies.js';

const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('policy state in Redis', () => {
  let upstream: TestHttpServer;
  let redis: Redis;
  const gateways: TestGateway[] = [];
  const policyId = randomUUID();
  const api = (port: number): ApiSpec[] => [
    {
      id: 'counted',
      type: 'http',
      port,
      basePath: '/counted',
      upstream: `${upstream.origin}/`,
      policies: [{ id: policyId, type: 'shared-counter' }],
    },
    { id: 'plain', type: 'http', port, basePath: '/plain', upstream: `${upstream.origin}/` },
  ];

  beforeAll(async () => {
    upstream = await startHttpServer((_req, res) => void res.end('ok'));
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await redis?.del(`portico:${policyId}:requests`);
    redis?.disconnect();
    await upstream?.close();
  });

  it('is shared by every gateway on the same Redis', async () => {
    const ports = await freePorts(2);
    for (const port of ports) {
      gateways.push(await startTestGateway(gatewayConfig(api(port)), { policies: [sharedCounter], redis }));
    }
    const seen: string[] = [];
    for (const port of [...ports, ...ports]) {
      expect((await rawRequest(`http://127.0.0.1:${port}/counted/x`)).status).toBe(200);
      seen.push(String(upstream.requests.at(-1)!.headers['x-shared-count']));
    }
    expect(seen).toEqual(['1', '2', '3', '4']);
  });

  it('fails the API of a policy that needs Redis when the gateway has none; the others serve', async () => {
    const [port] = (await freePorts(1)) as [number];
    const gateway = await startTestGateway(gatewayConfig([]), { policies: [sharedCounter] });
    gateways.push(gateway);
    const served = await gateway.apply(gatewayConfig(api(port)));
    const reason = `API counted: policy ${policyId} (shared-counter): needs Redis: set PORTICO_REDIS_URL on the gateway`;
    expect(served.failures).toEqual([{ apiId: 'counted', reason }]);
    const refused = await rawRequest(`http://127.0.0.1:${port}/counted/x`);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'API_UNAVAILABLE' }); // the reason is the operator's
    expect((await rawRequest(`http://127.0.0.1:${port}/plain/x`)).status).toBe(200);
  });
});
