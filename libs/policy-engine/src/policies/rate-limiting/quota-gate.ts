/**
 * What the rate-limiting policies share once they know which quota and key a request counts
 * against: the verdict (429 with `Retry-After` over the limit), the `X-RateLimit-*` headers, and
 * what a Redis outage means.
 *
 * - Over the limit: `rate-limited` (429, JSON-RPC −32029 for an MCP request), `Retry-After` the
 *   time until every window that refused starts again.
 * - Exposed headers: `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
 *   (milliseconds until the window starts again, as API Manager gives them) for the window
 *   nearest to its limit, on every answer, the gateway's own included.
 * - Redis unreachable: `blockOnUnknown` refuses with 429 and `Retry-After: 1`; otherwise requests
 *   pass uncounted. After a failure Redis is left alone for a second, so an outage costs no
 *   request a timeout; one log line per outage, not per request. Requests a replica had already
 *   leased from Redis (quota.ts) are still handed out meanwhile: Redis counted them.
 */
import type { Logger } from 'pino';
import type { ExchangeContext, HeaderEdit } from '../../policy-contract/context.js';
import type { Clock, CompileContext } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import { LocalQuota, type Quota, type QuotaOutcome, RedisQuota, type Window } from './quota.js';

// After Redis failed, quotas are taken as unknown for this long without asking it again.
const REDIS_PAUSE_MS = 1_000;

const LIMITED = 'Too many requests: the rate limit of this API is exceeded';
const UNKNOWN = 'Too many requests: the rate limit of this API cannot be checked right now';

/** The `X-RateLimit-Limit`, `-Remaining` and `-Reset` (ms) headers of an answer. */
export function rateLimitHeaders(limit: number, remaining: number, resetMs: number): Verdict<HeaderEdit> {
  return {
    kind: 'mutate',
    message: {
      set: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(remaining),
        'x-ratelimit-reset': String(resetMs),
      },
    },
  };
}

export interface QuotaGateOptions {
  /** The attribute the outcome is kept under for the response headers; undefined: no headers. */
  readonly exposeAs: string | undefined;
  readonly blockOnUnknown: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class QuotaGate {
  private pausedUntil = 0;
  private failing = false;

  constructor(private readonly options: QuotaGateOptions) {}

  /** Takes one request of `key` from `quota` for `exchange`. */
  take(quota: Quota, key: string, exchange: ExchangeContext): Verdict<never> | Promise<Verdict<never>> {
    if (this.pausedUntil > this.options.clock.now()) return this.unknown();
    let taken: QuotaOutcome | Promise<QuotaOutcome>;
    try {
      taken = quota.take(key);
    } catch (error) {
      return this.failed(error);
    }
    return taken instanceof Promise
      ? taken.then(
          (outcome) => this.judge(exchange, outcome),
          (error: unknown) => this.failed(error),
        )
      : this.judge(exchange, taken);
  }

  /** The `X-RateLimit-*` edit for the outcome `exchange` got, if it got one. */
  headers(exchange: ExchangeContext): Verdict<HeaderEdit> {
    const outcome = this.options.exposeAs && (exchange.attributes.get(this.options.exposeAs) as QuotaOutcome | undefined);
    return outcome ? rateLimitHeaders(outcome.limit, outcome.remaining, outcome.resetMs) : PASS;
  }

  private judge(exchange: ExchangeContext, outcome: QuotaOutcome): Verdict<never> {
    this.failing = false;
    if (this.options.exposeAs) exchange.attributes.set(this.options.exposeAs, outcome);
    if (outcome.allowed) return PASS;
    return { kind: 'reject', error: { kind: 'rate-limited', message: LIMITED, retryAfterSeconds: outcome.resetMs / 1000 } };
  }

  private unknown(): Verdict<never> {
    return this.options.blockOnUnknown
      ? { kind: 'reject', error: { kind: 'rate-limited', message: UNKNOWN, retryAfterSeconds: 1 } }
      : PASS;
  }

  private failed(error: unknown): Verdict<never> {
    this.pausedUntil = this.options.clock.now() + REDIS_PAUSE_MS;
    if (!this.failing) {
      this.failing = true;
      this.options.logger.warn(
        { err: (error as Error).message },
        this.options.blockOnUnknown
          ? 'rate limit store unreachable: requests are refused'
          : 'rate limit store unreachable: requests pass uncounted',
      );
    }
    return this.unknown();
  }
}

/**
 * The quota of `windows` for the policy compiled with `ctx`, `name` telling apart the quotas of
 * one policy: in Redis when the gateway has one and `clusterizable` (counters named by the policy
 * id, so a push keeps them), else in this process. Either is kept across pushes that keep the
 * windows (the counts in this process, the leases of Redis's).
 */
export function policyQuota(ctx: CompileContext, name: string, windows: readonly Window[], clusterizable: boolean): Quota {
  const now = () => ctx.clock.now();
  const redis = clusterizable ? ctx.redis : undefined;
  return ctx.state(`quota ${name} ${redis ? 'redis' : 'local'} ${JSON.stringify(windows)}`, () =>
    redis
      ? new RedisQuota(redis, name === '' ? ctx.policyId : `${ctx.policyId}:${name}`, windows, now)
      : new LocalQuota(windows, now),
  );
}
