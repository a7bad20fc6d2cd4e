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
import type { Cluster, Redis } from 'ioredis';

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
 * The outcome of a take in `windows`: `counts[i]` is window i's count after the take (before it
 * when refused), `held` the requests this process took from every window ahead and has not used
 * yet (still its to use, so they count as remaining), `ends[i]` when window i starts again.
 */
function outcome(
  windows: readonly Window[],
  allowed: boolean,
  counts: readonly number[],
  held: number,
  ends: readonly number[],
  now: number,
): QuotaOutcome {
  let nearest = 0;
  let nearestRemaining = Infinity;
  let refusedUntil = now;
  for (let i = 0; i < windows.length; i++) {
    const remaining = windows[i]!.maximumRequests - counts[i]! + held;
    if (remaining < nearestRemaining) {
      nearest = i;
      nearestRemaining = remaining;
    }
    if (!allowed && remaining <= 0) refusedUntil = Math.max(refusedUntil, ends[i]!);
  }
  return {
    allowed,
    limit: windows[nearest]!.maximumRequests,
    remaining: Math.max(0, nearestRemaining),
    resetMs: (allowed ? ends[nearest]! : refusedUntil) - now,
  };
}

/** Counts kept in this process, at most `maxKeys` keys (the oldest dropped first). */
export class LocalQuota implements Quota {
  /** `<key>` -> the start and count of each window. */
  private readonly counters = new Map<string, { ends: number[]; counts: number[] }>();

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
      counter = { ends: this.windows.map(() => -1), counts: this.windows.map(() => 0) };
      this.counters.set(key, counter);
    }
    let allowed = true;
    for (let i = 0; i < this.windows.length; i++) {
      if (counter.ends[i]! <= now) {
        const period = this.windows[i]!.timePeriodInMilliseconds;
        counter.ends[i] = now - (now % period) + period;
        counter.counts[i] = 0;
      }
      if (counter.counts[i]! >= this.windows[i]!.maximumRequests) allowed = false;
    }
    if (allowed) for (let i = 0; i < counter.counts.length; i++) counter.counts[i]!++;
    return outcome(this.windows, allowed, counter.counts, 0, counter.ends, now);
  }
}

/**
 * KEYS: one counter prefix per window. ARGV: the limits, then the periods (ms), then how many
 * requests the caller would like to take. Grants that many, but at most an eighth of what the
 * fullest window has left and at least one, and only when no window is at its limit, counting
 * them in every window. Returns {granted, count_1, reset_1, count_2, reset_2, …}: the counts after
 * the grant (before it when none), the ms until each window starts again.
 */
const TAKE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local n = #KEYS
local keys, counts, resets = {}, {}, {}
local free = tonumber(ARGV[2 * n + 1]) * 8
for i = 1, n do
  local limit, period = tonumber(ARGV[i]), tonumber(ARGV[n + i])
  local start = now - (now % period)
  keys[i] = KEYS[i] .. ':' .. start
  counts[i] = tonumber(redis.call('GET', keys[i]) or '0')
  resets[i] = start + period - now
  free = math.min(free, limit - counts[i])
end
local granted = 0
if free > 0 then granted = math.max(1, math.floor(free / 8)) end
local out = {granted}
for i = 1, n do
  if granted > 0 then
    counts[i] = redis.call('INCRBY', keys[i], granted)
    if counts[i] == granted then redis.call('PEXPIRE', keys[i], resets[i] + 1000) end
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

// A lease is sized to what its key used in about this long before (requests per ms × this) …
const LEASE_HORIZON_MS = 100;
// … and at most this many requests.
const MAX_LEASE = 128;

/**
 * Requests of one key this process took from Redis ahead of use (a lease), or the refusal it got.
 * Valid until the first of its windows ends; the requests it still holds are then dropped, as
 * Redis counted them in windows that are over.
 */
interface Lease {
  /** Held and not used yet. */
  left: number;
  granted: number;
  grantedAt: number;
  until: number;
  /** Redis's count of each window right after the grant (before the refusal). */
  readonly counts: number[];
  /** When each window starts again, by this process's clock. */
  readonly ends: number[];
}

/**
 * Counts in Redis, shared by every replica. Taking one request at a time from Redis would cost
 * each request a round trip, most of a plain request's CPU; instead a key's requests are leased:
 * taken from Redis in blocks sized to the key's recent traffic in this process (one request for a
 * key seen once in a while, up to MAX_LEASE for a busy one) and handed out here. The sum is still
 * never exceeded, as Redis counts a lease in full when it grants it; near a limit leases shrink to
 * one request (a grant is at most an eighth of what is left), so the last requests are counted one
 * by one. The price is that another replica may be refused while this one still holds leased
 * requests: at most about LEASE_HORIZON_MS of this key's traffic here. A refusal is kept until its
 * windows start again, so a client over its limit costs Redis nothing. Requests of a key that
 * arrive while its lease is being fetched wait for it instead of fetching their own.
 *
 * Keys `portico:{<scope>:<key>}:<period>:<window start>`: the braces keep every window of a key in
 * one Redis Cluster slot.
 */
export class RedisQuota implements Quota {
  private readonly command: QuotaCommand;
  private readonly args: readonly number[];
  private readonly leases = new Map<string, Lease>();
  private readonly fetching = new Map<string, Promise<QuotaOutcome>>();

  constructor(
    redis: Redis | Cluster,
    /** Names the counters: the applied policy's id, so a push that keeps the policy keeps its counts. */
    private readonly scope: string,
    private readonly windows: readonly Window[],
    private readonly now: () => number,
    private readonly maxKeys = 100_000,
  ) {
    // One command per connection, shared by every policy on it (ioredis sends EVALSHA, EVAL once when Redis lacks it).
    if (typeof (redis as unknown as Record<string, unknown>)[COMMAND] !== 'function') {
      redis.defineCommand(COMMAND, { lua: TAKE_SCRIPT });
    }
    this.command = ((redis as unknown as Record<string, QuotaCommand>)[COMMAND] as QuotaCommand).bind(redis);
    this.args = [...windows.map((w) => w.maximumRequests), ...windows.map((w) => w.timePeriodInMilliseconds)];
  }

  take(key: string): QuotaOutcome | Promise<QuotaOutcome> {
    const now = this.now();
    const lease = this.leases.get(key);
    if (lease !== undefined && now < lease.until) {
      if (lease.left > 0) {
        lease.left--;
        return outcome(this.windows, true, lease.counts, lease.left, lease.ends, now);
      }
      if (lease.granted === 0) return outcome(this.windows, false, lease.counts, 0, lease.ends, now);
    }
    const fetching = this.fetching.get(key);
    if (fetching !== undefined) return fetching.then(() => this.take(key));
    const fetched = this.lease(key, lease, now).finally(() => this.fetching.delete(key));
    this.fetching.set(key, fetched);
    return fetched;
  }

  /** Fetches a new lease of `key` (`last`: the one before) and takes one request of it. */
  private async lease(key: string, last: Lease | undefined, now: number): Promise<QuotaOutcome> {
    const wanted =
      last === undefined
        ? 1
        : last.granted === 0
          ? 1
          : Math.min(MAX_LEASE, Math.ceil(((last.granted - last.left) * LEASE_HORIZON_MS) / Math.max(1, now - last.grantedAt)));
    const name = key.length > LONG_KEY ? `#${hash('sha256', key, 'base64url')}` : key;
    const keys = this.windows.map((w) => `portico:{${this.scope}:${name}}:${w.timePeriodInMilliseconds}`);
    const reply = await this.command(keys.length, ...keys, ...this.args, Math.max(1, wanted));
    const granted = Number(reply[0]);
    const grantedAt = this.now();
    const counts: number[] = [];
    const ends: number[] = [];
    let until = Infinity;
    for (let i = 1; i < reply.length; i += 2) {
      counts.push(Number(reply[i]));
      ends.push(grantedAt + Number(reply[i + 1]));
      until = Math.min(until, grantedAt + Number(reply[i + 1]));
    }
    const taken = outcome(this.windows, granted > 0, counts, Math.max(0, granted - 1), ends, grantedAt);
    if (granted === 0) until = grantedAt + taken.resetMs;
    if (!this.leases.has(key) && this.leases.size >= this.maxKeys) this.leases.delete(this.leases.keys().next().value!);
    this.leases.set(key, { left: Math.max(0, granted - 1), granted, grantedAt, until, counts, ends });
    return taken;
  }
}
