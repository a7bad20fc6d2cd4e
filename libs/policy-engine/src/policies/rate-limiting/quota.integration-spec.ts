/** RedisQuota against a real Redis (127.0.0.1:6379, or PORTICO_TEST_REDIS_URL). */
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisQuota } from './quota.js';

const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisQuota', () => {
  const connections: Redis[] = [];
  const connect = () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
    connections.push(redis);
    return redis;
  };
  afterAll(() => connections.forEach((redis) => redis.disconnect()));

  it('enforces one sum for every connection counting the same scope, per key, in one round trip each', async () => {
    const scope = randomUUID();
    const windows = [{ maximumRequests: 3, timePeriodInMilliseconds: 60_000 }];
    const [first, second] = [connect(), connect()];
    const replicas = [new RedisQuota(first, scope, windows), new RedisQuota(second, scope, windows)];
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await replicas[i % 2]!.take('client-a'));
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, true, false, false]);
    expect(outcomes.map((o) => o.remaining)).toEqual([2, 1, 0, 0, 0]);
    for (const o of outcomes) expect(o.resetMs).toBeGreaterThan(0);
    for (const o of outcomes) expect(o.resetMs).toBeLessThanOrEqual(60_000);
    expect((await replicas[1]!.take('client-b')).allowed).toBe(true);

    // A spy that only watches what ioredis sends: one EVALSHA per take (the script is loaded already).
    const sent = jest.spyOn(first, 'sendCommand');
    await replicas[0]!.take('client-c');
    expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['evalsha']);
    sent.mockRestore();
    const keys = await first.keys(`portico:{${scope}:*`);
    expect(keys.length).toBe(3);
    for (const key of keys) expect(await first.pttl(key)).toBeGreaterThan(0);
  });

  it('keeps a long key small, and refuses once any window is full without counting the others', async () => {
    const scope = randomUUID();
    const redis = connect();
    const quota = new RedisQuota(redis, scope, [
      { maximumRequests: 1, timePeriodInMilliseconds: 60_000 },
      { maximumRequests: 5, timePeriodInMilliseconds: 3_600_000 },
    ]);
    const long = 'x'.repeat(500);
    expect(await quota.take(long)).toMatchObject({ allowed: true, limit: 1, remaining: 0 });
    expect(await quota.take(long)).toMatchObject({ allowed: false, limit: 1, remaining: 0 });
    const keys = await redis.keys(`portico:{${scope}:*`);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key.length).toBeLessThan(150);
    const hourly = keys.find((key) => key.includes(':3600000:'))!;
    expect(await redis.get(hourly)).toBe('1');
  });
});
