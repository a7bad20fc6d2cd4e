/** RedisQuota against a real Redis (127.0.0.1:6379, or PORTICO_TEST_REDIS_URL). */
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { type QuotaOutcome, RedisQuota } from './quota.js';

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
    const replicas = [new RedisQuota(first, scope, windows, Date.now), new RedisQuota(second, scope, windows, Date.now)];
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
    const quota = new RedisQuota(
      redis,
      scope,
      [
        { maximumRequests: 1, timePeriodInMilliseconds: 60_000 },
        { maximumRequests: 5, timePeriodInMilliseconds: 3_600_000 },
      ],
      Date.now,
    );
    const long = 'x'.repeat(500);
    expect(await quota.take(long)).toMatchObject({ allowed: true, limit: 1, remaining: 0 });
    expect(await quota.take(long)).toMatchObject({ allowed: false, limit: 1, remaining: 0 });
    const keys = await redis.keys(`portico:{${scope}:*`);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key.length).toBeLessThan(150);
    const hourly = keys.find((key) => key.includes(':3600000:'))!;
    expect(await redis.get(hourly)).toBe('1');
  });

  /** Counts the EVALSHA/EVAL commands ioredis sends on `redis` while `work` runs. */
  async function tripsOf(connections: Redis[], work: () => Promise<void>): Promise<number> {
    const spies = connections.map((redis) => jest.spyOn(redis, 'sendCommand'));
    try {
      await work();
      return spies.flatMap((spy) => spy.mock.calls).filter(([command]) => /^eval/.test(command.name)).length;
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  }

  it('leases a busy key in blocks: far fewer round trips than requests, and Redis counts every leased request', async () => {
    const scope = randomUUID();
    const redis = connect();
    const quota = new RedisQuota(redis, scope, [{ maximumRequests: 1_000_000, timePeriodInMilliseconds: 3_600_000 }], Date.now);
    const outcomes: QuotaOutcome[] = [];
    const trips = await tripsOf([redis], async () => {
      // 1000 requests, 50 at a time: those arriving while a lease is fetched wait for it.
      for (let batch = 0; batch < 20; batch++) {
        outcomes.push(...(await Promise.all(Array.from({ length: 50 }, () => quota.take('busy')))));
      }
    });
    expect(outcomes.every((o) => o.allowed)).toBe(true);
    expect(trips).toBeLessThanOrEqual(30);
    const [key] = await redis.keys(`portico:{${scope}:*`);
    const counted = Number(await redis.get(key!));
    expect(counted).toBeGreaterThanOrEqual(1000);
    expect(counted).toBeLessThan(1000 + 128);
    // Remaining counts the requests this replica holds: the last answer is what Redis has left plus those.
    expect(outcomes.at(-1)!.remaining).toBe(1_000_000 - 1000);
  });

  it('never lets replicas leasing one key exceed the sum, and hands out every leased request before refusing', async () => {
    const scope = randomUUID();
    const windows = [{ maximumRequests: 200, timePeriodInMilliseconds: 3_600_000 }];
    const [first, second] = [connect(), connect()];
    const replicas = [new RedisQuota(first, scope, windows, Date.now), new RedisQuota(second, scope, windows, Date.now)];
    let allowed = 0;
    const trips = await tripsOf([first, second], async () => {
      await Promise.all(
        replicas.map(async (quota) => {
          // Each replica takes, 10 at a time, until it is refused.
          for (;;) {
            const outcomes = await Promise.all(Array.from({ length: 10 }, () => quota.take('shared')));
            allowed += outcomes.filter((o) => o.allowed).length;
            if (outcomes.some((o) => !o.allowed)) return;
          }
        }),
      );
    });
    expect(allowed).toBe(200);
    expect(trips).toBeLessThan(200 / 2);
    // Refused: kept until the window starts again, without asking Redis.
    expect(await tripsOf([first], async () => void (await replicas[0]!.take('shared')))).toBe(0);
    expect(await replicas[0]!.take('shared')).toMatchObject({ allowed: false, remaining: 0 });
  });
});
