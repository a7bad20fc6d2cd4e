/**
 * `spike-control` (contract §10.1, Flex property names): smooths bursts of requests to the
 * upstream, in this gateway process (as Flex, it is not shared between replicas).
 *
 * - What counts: every HTTP request of the API (on an MCP API a batch is one request; spike
 *   control protects the upstream, which gets one request for it).
 * - The rate: `maximumRequests` per `timePeriodInMilliseconds`, as the generic cell rate algorithm
 *   (GCRA) runs it: one request per period/maximumRequests, with bursts of up to maximumRequests
 *   while the API was quiet. O(1) time and memory whatever the numbers.
 * - A request over the rate waits `delayTimeInMillis` and tries again, `delayAttempts` times,
 *   while at most `queuingLimit` requests wait (0: none waits); then 429 with `Retry-After`.
 * - `exposeHeaders`: `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
 *   (milliseconds until the burst allowance is whole again).
 * The state outlives configuration pushes that keep the rate.
 */
import type { ExchangeContext, HeaderEdit } from '../../policy-contract/context.js';
import type { Policy, PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import { rateLimitHeaders } from '../rate-limiting/quota-gate.js';

export interface SpikeControlConfig {
  maximumRequests: number;
  timePeriodInMilliseconds: number;
  delayTimeInMillis?: number;
  delayAttempts?: number;
  queuingLimit?: number;
  exposeHeaders?: boolean;
}

/** The rate as GCRA keeps it: the theoretical arrival time of the next request. */
interface Cell {
  tat: number;
}

/** What one admission found, for X-RateLimit-*. */
interface Admitted {
  remaining: number;
  resetMs: number;
}

const SPIKE = 'Too many requests: the API is receiving more requests than it accepts at once';

export const spikeControlFactory: PolicyFactory<SpikeControlConfig> = {
  type: 'spike-control',
  compile(config, ctx) {
    const max = config.maximumRequests;
    const period = config.timePeriodInMilliseconds;
    const interval = period / max;
    const tolerance = period - interval;
    const delayMs = config.delayTimeInMillis ?? 1000;
    const attempts = config.delayAttempts ?? 1;
    const queueLimit = config.queuingLimit ?? 0;
    const cell = ctx.state(`gcra ${max} ${period}`, (): Cell => ({ tat: 0 }));
    const exposed = `spike-control ${ctx.policyId}`;
    const { clock } = ctx;
    let waiting = 0;

    /** Admits a request now if the rate allows; else how long until it would (ms). */
    const admit = (exchange: ExchangeContext): number => {
      const now = clock.now();
      const start = Math.max(cell.tat, now);
      if (start - now > tolerance) return start - now - tolerance;
      cell.tat = start + interval;
      if (config.exposeHeaders) {
        const admitted: Admitted = {
          remaining: Math.max(0, Math.floor((now + period - cell.tat) / interval)),
          resetMs: Math.ceil(cell.tat - now),
        };
        exchange.attributes.set(exposed, admitted);
      }
      return 0;
    };
    const refuse = (waitMs: number): Verdict<never> => ({
      kind: 'reject',
      error: { kind: 'rate-limited', message: SPIKE, retryAfterSeconds: waitMs / 1000 },
    });

    /** Tries again after each delay, up to the attempts; the caller counted it as waiting. */
    const retry = async (exchange: ExchangeContext): Promise<Verdict<never>> => {
      try {
        let waitMs = 0;
        for (let attempt = 0; attempt < attempts; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          waitMs = admit(exchange);
          if (waitMs === 0) return PASS;
        }
        return refuse(waitMs);
      } finally {
        waiting--;
      }
    };

    const policy: Policy = {
      name: 'spike-control',
      onHttpRequest({ exchange }) {
        const waitMs = admit(exchange);
        if (waitMs === 0) return PASS;
        if (attempts === 0 || waiting >= queueLimit) return refuse(waitMs);
        waiting++;
        return retry(exchange);
      },
      ...(config.exposeHeaders
        ? {
            onHttpResponse({ exchange }): Verdict<HeaderEdit> {
              const admitted = exchange.attributes.get(exposed) as Admitted | undefined;
              return admitted ? rateLimitHeaders(max, admitted.remaining, admitted.resetMs) : PASS;
            },
          }
        : {}),
    };
    return { warnings: [], policy };
  },
};
