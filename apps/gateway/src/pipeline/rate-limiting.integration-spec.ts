/**
 * rate-limiting end to end: two gateway replicas counting in the machine's Redis (127.0.0.1:6379,
 * or PORTICO_TEST_REDIS_URL) enforce one sum; quotas keyed by tool and by client application; a
 * batch over its quota; Redis taken down mid-traffic (a TCP proxy in front of it) with each
 * failure mode; counts kept in the process when there is no Redis, across a configuration push.
 */
import { randomUUID } from 'node:crypto';
import { PolicyMode } from '#portico/proto-ts';
import type { Redis } from 'ioredis';
import pino from 'pino';
import {
  postMcp,
  rawRequest,
  startHttpServer,
  startMcpServer,
  startTcpProxy,
  type TcpProxy,
  type TestHttpServer,
  type TestMcpServer,
} from '#portico/testing';
import { connectRedis } from '../redis.js';
import {
  type ApiSpec,
  freePorts,
  gatewayConfig,
  startTestGateway,
  type TestGateway,
  expectRateLimitOutage,
  rateLimit,
  toolCall,
} from '../../test/support/in-process-gateway.js';

const REDIS_PORT = Number(new URL(process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379);

describe('rate-limiting', () => {
  let upstream: TestMcpServer;
  let up: string;
  const gateways: TestGateway[] = [];
  const connections: Redis[] = [];
  const redisAt = (port: number) => {
    const redis = connectRedis(`redis://127.0.0.1:${port}`, pino({ level: 'silent' }));
    connections.push(redis);
    return redis;
  };
  const start = async (apis: (port: number) => ApiSpec[], redis?: Redis) => {
    const [port] = (await freePorts(1)) as [number];
    const gateway = await startTestGateway(gatewayConfig(apis(port)), { redis });
    gateways.push(gateway);
    return { gateway, base: `http://127.0.0.1:${port}` };
  };

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: false, jsonResponse: true });
    up = upstream.url.replace(/mcp$/, '');
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    for (const redis of connections) redis.disconnect();
    await upstream.close();
  });

  it('enforces one sum across two replicas sharing Redis, per tool, with X-RateLimit-* and a JSON-RPC 429', async () => {
    const policy = rateLimit(randomUUID(), {
      rateLimits: [{ maximumRequests: 4, timePeriodInMilliseconds: 3_600_000 }],
      keySelector: '#[mcp.name]',
      mcpMethods: ['tools/call'],
      exposeHeaders: true,
    });
    const apis = (port: number): ApiSpec[] => [
      { id: 'rl', port, basePath: '/rl', upstream: up, policies: ['mcp-support', policy] },
    ];
    const replicas = [await start(apis, redisAt(REDIS_PORT)), await start(apis, redisAt(REDIS_PORT))];

    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await postMcp(`${replicas[i % 2]!.base}/rl/mcp`, toolCall(i, 'echo')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers.map((a) => a.headers['x-ratelimit-remaining'])).toEqual(['3', '2', '1', '0', '0', '0']);
    expect(answers[0]!.headers['x-ratelimit-limit']).toBe('4');
    expect(Number(answers[0]!.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    const refused = answers[5]!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body)).toEqual({
      jsonrpc: '2.0',
      id: 5,
      error: {
        code: -32029,
        message: 'Too many requests: the rate limit of this API is exceeded',
        data: { reason: 'RATE_LIMITED', retryAfterSeconds: Number(refused.headers['retry-after']) },
      },
    });
    // Another tool has its own quota; a method not listed is not counted.
    expect((await postMcp(`${replicas[0]!.base}/rl/mcp`, toolCall(7, 'fail'))).status).toBe(200);
    const list = await postMcp(`${replicas[1]!.base}/rl/mcp`, { jsonrpc: '2.0', id: 8, method: 'tools/list' });
    expect(list.status).toBe(200);
    expect(list.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('keys quotas by client application and answers a batch over its quota call by call', async () => {
    const clients = { 'agent-a': { name: 'A', secretHash: 'unused' }, 'agent-b': { name: 'B', secretHash: 'unused' } };
    const { base } = await start(
      (port) => [
        {
          id: 'per-client',
          port,
          basePath: '/pc',
          upstream: up,
          policies: [
            'mcp-support',
            { type: 'client-id-enforcement', configuration: {}, managedJson: JSON.stringify({ clients }) },
            rateLimit(randomUUID(), {
              rateLimits: [{ maximumRequests: 2, timePeriodInMilliseconds: 3_600_000 }],
              keySelector: '#[authentication.clientId]',
            }),
          ],
        },
      ],
      redisAt(REDIS_PORT),
    );
    const batch = await postMcp(`${base}/pc/mcp`, [toolCall(1, 'echo'), toolCall(2, 'echo'), toolCall(3, 'echo')], {
      client_id: 'agent-a',
    });
    expect(batch.status).toBe(200);
    const answers = JSON.parse(batch.body) as { id: number; result?: unknown; error?: { code: number } }[];
    expect(answers.map((a) => [a.id, a.error?.code ?? 'ok']).sort()).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, -32029],
    ]);
    expect((await postMcp(`${base}/pc/mcp`, toolCall(4, 'echo'), { client_id: 'agent-a' })).status).toBe(429);
    expect((await postMcp(`${base}/pc/mcp`, toolCall(5, 'echo'), { client_id: 'agent-b' })).status).toBe(200);
  });

  it('in shadow mode counts and logs what it would refuse, and lets it through', async () => {
    const { gateway, base } = await start((port) => [
      {
        id: 'shadowed',
        port,
        basePath: '/shadowed',
        upstream: up,
        policies: [
          'mcp-support',
          {
            ...rateLimit(randomUUID(), { rateLimits: [{ maximumRequests: 1, timePeriodInMilliseconds: 3_600_000 }] }),
            mode: PolicyMode.POLICY_MODE_SHADOW,
          },
        ],
      },
    ]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postMcp(`${base}/shadowed/mcp`, toolCall(i, 'echo'))).status);
    expect(statuses).toEqual([200, 200, 200]);
    const shadowed = gateway.logs.filter((line) => line.msg === 'shadow policy verdict not enforced');
    expect(shadowed).toEqual([
      expect.objectContaining({ policy: 'rate-limiting', verdict: 'reject', error: 'rate-limited' }),
      expect.objectContaining({ policy: 'rate-limiting', verdict: 'reject', error: 'rate-limited' }),
    ]);
  });

  describe('with Redis taken down mid-traffic', () => {
    let proxy: TcpProxy;
    let base: string;
    beforeAll(async () => {
      proxy = await startTcpProxy(REDIS_PORT);
      const limits = { rateLimits: [{ maximumRequests: 1000, timePeriodInMilliseconds: 3_600_000 }] };
      ({ base } = await start(
        (port) => [
          { id: 'closed', port, basePath: '/closed', upstream: up, policies: ['mcp-support', rateLimit(randomUUID(), limits)] },
          {
            id: 'open',
            port,
            basePath: '/open',
            upstream: up,
            policies: ['mcp-support', rateLimit(randomUUID(), { ...limits, blockOnUnknownQuota: false })],
          },
        ],
        redisAt(proxy.port),
      ));
    });
    afterAll(() => proxy.close());

    it('refuses with 429 Retry-After 1 when blockOnUnknownQuota, passes uncounted otherwise, quickly, and counts again once Redis is back', async () => {
      const call = (path: string) => postMcp(`${base}${path}/mcp`, toolCall(1, 'echo'));
      expect((await call('/closed')).status).toBe(200);
      expect((await call('/open')).status).toBe(200);
      await proxy.down();
      // The command timeout is 1 s; an outage must not cost each request that.
      for (let i = 0; i < 3; i++) await expectRateLimitOutage(call, 1_500);
      await proxy.up();
      const deadline = Date.now() + 10_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = (await call('/closed')).status;
      }
      expect(status).toBe(200);
    });
  });

  describe('without Redis', () => {
    let http: TestHttpServer;
    beforeAll(async () => {
      http = await startHttpServer((_req, res) => void res.end('ok'));
    });
    afterAll(() => http.close());

    it('counts every request of an HTTP API in the process, across a configuration push', async () => {
      const policy = rateLimit(randomUUID(), {
        rateLimits: [{ maximumRequests: 3, timePeriodInMilliseconds: 3_600_000 }],
        keySelector: "#[attributes.headers['x-team']]",
      });
      const [port] = (await freePorts(1)) as [number];
      const apis = (name: string): ApiSpec[] => [
        { id: 'plain', name, type: 'http', port, basePath: '/plain', upstream: `${http.origin}/`, policies: [policy] },
      ];
      const gateway = await startTestGateway(gatewayConfig(apis('before')));
      gateways.push(gateway);
      const get = (team: string) => rawRequest(`http://127.0.0.1:${port}/plain/x`, { headers: { 'x-team': team } });
      expect([(await get('red')).status, (await get('red')).status]).toEqual([200, 200]);
      await gateway.apply(gatewayConfig(apis('after')));
      const refused = [(await get('red')).status, (await get('red')).status];
      expect(refused).toEqual([200, 429]);
      const plain = await get('red');
      expect(JSON.parse(plain.body)).toEqual({
        code: 'RATE_LIMITED',
        message: 'Too many requests: the rate limit of this API is exceeded',
      });
      expect((await get('blue')).status).toBe(200);
    });
  });
});
