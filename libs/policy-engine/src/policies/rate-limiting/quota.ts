/**
 * Request quotas of fixed windows, counted in this process or in Redis (shared by every replica
 * of a gateway target). A take counts one request against every window of a key, or none of them:
 * a request refused by one window is not counted by the others, so a client that waits out the
 * window it hit is not held back by requests that never went through.
 *
 * Windows are aligned to the epoch (a window of 60 s starts at every whole minute), so every
 * replica agrees on them; in Redis they are read from Redis's own clock (TIME), so replicas with
 * skewed clocks still share one window.
 */
import { hash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** One quota: at most `maximumRequests` per `timePeriodInMilliseconds`. */
export interface Window {
  readonly maximumRequests: number;
  readonly timePeriodInMilliseconds: number;
}

/** What a take found: allowed or not, and the window nearest to its limit (for X-RateLimit-*). */
export interface QuotaOutcome {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Until that window starts again; when refused, until every window that refused does. */
  readonly resetMs: number;
}

export interface Quota {
  /** Takes one request of `key`. Rejects when the count cannot be read (Redis unreachable). */
  take(key: string): QuotaOutcome | Promise<QuotaOutcome>;
}

/**
 * The outcome of counts taken in `windows` (`counts[i]`: window i's count after the take, or
 * before it when refused; `resets[i]`: ms until window i starts again).
 */
function outcome(
  windows: readonly Window[],
  allowed: boolean,
  counts: readonly number[],
  resets: readonly number[],
): QuotaOutcome {
  let nearest = 0;
  let resetMs = 0;
  for (let i = 0; i < windows.length; i++) {
    const remaining = windows[i]!.maximumRequests - counts[i]!;
    if (remaining < windows[nearest]!.maximumRequests - counts[nearest]!) nearest = i;
    if (!allowed && remaining <= 0) resetMs = Math.max(resetMs, resets[i]!);
  }
  const limit = windows[nearest]!.maximumRequests;
  return {
    allowed,
    limit,
    remaining: Math.max(0, limit - counts[nearest]!),
    resetMs: allowed ? resets[nearest]! : resetMs,
  };
}

/** Counts kept in this process, at most `maxKeys` keys (the oldest dropped first). */
export class LocalQuota implements Quota {
  /** `<key>` -> the start and count of each window. */
  private readonly counters = new Map<string, { starts: number[]; counts: number[] }>();

  constructor(
    private readonly windows: readonly Window[],
    private readonly now: () => number,
    private readonly maxKeys = 100_000,
  ) {}

  take(key: string): QuotaOutcome {
    const now = this.now();
    let counter = this.counters.get(key);
    if (counter === undefined) {
      if (this.counters.size >= this.maxKeys) this.counters.delete(this.counters.keys().next().value!);
      counter = { starts: this.windows.map(() => -1), counts: this.windows.map(() => 0) };
      this.counters.set(key, counter);
    }
    const resets: number[] = [];
    let allowed = true;
    for (let i = 0; i < this.windows.length; i++) {
      const period = this.windows[i]!.timePeriodInMilliseconds;
      const start = now - (now % period);
      if (counter.starts[i] !== start) {
        counter.starts[i] = start;
        counter.counts[i] = 0;
      }
      resets.push(start + period - now);
      if (counter.counts[i]! >= this.windows[i]!.maximumRequests) allowed = false;
    }
    if (allowed) for (let i = 0; i < counter.counts.length; i++) counter.counts[i]!++;
    return outcome(this.windows, allowed, counter.counts, resets);
  }
}

/**
 * KEYS: one counter prefix per window. ARGV: the limits, then the periods (ms). Reads every
 * window's count first and increments them all only when none is at its limit. Returns
 * {allowed 0|1, count_1, reset_1, count_2, reset_2, …}.
 */
const TAKE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local n = #KEYS
local keys, counts, resets = {}, {}, {}
local allowed = 1
for i = 1, n do
  local limit, period = tonumber(ARGV[i]), tonumber(ARGV[n + i])
  local start = now - (now % period)
  keys[i] = KEYS[i] .. ':' .. start
  counts[i] = tonumber(redis.call('GET', keys[i]) or '0')
  resets[i] = start + period - now
  if counts[i] >= limit then allowed = 0 end
end
local out = {allowed}
for i = 1, n do
  if allowed == 1 then
    counts[i] = redis.call('INCR', keys[i])
    if counts[i] == 1 then redis.call('PEXPIRE', keys[i], resets[i] + 1000) end
  end
  out[#out + 1] = counts[i]
  out[#out + 1] = resets[i]
end
return out
`;

const COMMAND = 'porticoQuotaTake';

type QuotaCommand = (keys: number, ...args: (string | number)[]) => Promise<number[]>;

// Keys name client values (a header, a claim); long ones are hashed so a key stays small.
const LONG_KEY = 64;

/**
 * Counts in Redis, one round trip (EVALSHA) per take. Keys `portico:{<scope>:<key>}:<period>:<window
 * start>`: the braces keep every window of a key in one Redis Cluster slot.
 */
export class RedisQuota implements Quota {
  private readonly command: QuotaCommand;
  private readonly args: readonly number[];

  constructor(
    redis: Redis,
    /** Names the counters: the applied policy's id, so a push that keeps the policy keeps its counts. */
    private readonly scope: string,
    private readonly windows: readonly Window[],
  ) {
    // One command per connection, shared by every policy on it (ioredis sends EVALSHA, EVAL once when Redis lacks it).
    if (typeof (redis as unknown as Record<string, unknown>)[COMMAND] !== 'function') {
      redis.defineCommand(COMMAND, { lua: TAKE_SCRIPT });
    }
    this.command = ((redis as unknown as Record<string, QuotaCommand>)[COMMAND] as QuotaCommand).bind(redis);
    this.args = [...windows.map((w) => w.maximumRequests), ...windows.map((w) => w.timePeriodInMilliseconds)];
  }

  async take(key: string): Promise<QuotaOutcome> {
    const name = key.length > LONG_KEY ? `#${hash('sha256', key, 'base64url')}` : key;
    const keys = this.windows.map((w) => `portico:{${this.scope}:${name}}:${w.timePeriodInMilliseconds}`);
    const reply = await this.command(keys.length, ...keys, ...this.args);
    const counts: number[] = [];
    const resets: number[] = [];
    for (let i = 1; i < reply.length; i += 2) {
      counts.push(Number(reply[i]));
      resets.push(Number(reply[i + 1]));
    }
    return outcome(this.windows, reply[0] === 1, counts, resets);
  }
}
