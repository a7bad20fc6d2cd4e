/**
 * `rate-limiting` (contract §10.1, Flex property names): at most `maximumRequests` per
 * `timePeriodInMilliseconds`, for every window of `rateLimits`, per key.
 *
 * - What counts: on an MCP API every JSON-RPC request (a batch of ten calls is ten; notifications
 *   and the GET stream are not counted), or only those of `mcpMethods` (e.g. `tools/call`); on an
 *   HTTP API every request.
 * - The key: `keySelector`, an expression over the request, the caller an authentication policy
 *   established and the MCP message (`#[authentication.clientId]`, `#[vars.claimSet.sub]`,
 *   `#[attributes.headers['x-team']]`, `#[attributes.remoteAddress]`, `#[mcp.name]` for the tool);
 *   requests whose key has no value share one quota. Without it the API has one quota.
 * - Where counts live: in Redis when the gateway has one (PORTICO_REDIS_URL) and `clusterizable`
 *   is on (the default), so every replica of the target enforces one sum (quota.ts); else in this
 *   process. Counts outlive configuration pushes that keep the policy.
 * - Over the limit: 429 with `Retry-After` (JSON-RPC error −32029 for an MCP request).
 *   `exposeHeaders` adds `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
 *   (milliseconds until the window starts again, as API Manager gives it) to every answer, for
 *   the window nearest to its limit.
 * - Redis unreachable: `blockOnUnknownQuota` (default) refuses with 429 and `Retry-After: 1`;
 *   off, requests pass uncounted. After a failure Redis is left alone for a second, so an outage
 *   costs no request a timeout; one log line per outage, not per request.
 */
import { compileExpression } from '#portico/policy-catalog';
import type { CallContext, ExchangeContext, HeaderEdit } from '../../policy-contract/context.js';
import type { MethodScope, Policy, PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import { evaluateFor, type McpSubject } from '../expression-activation.js';
import { LocalQuota, type Quota, type QuotaOutcome, RedisQuota, type Window } from './quota.js';

export interface RateLimitingConfig {
  rateLimits: Window[];
  keySelector?: string;
  exposeHeaders?: boolean;
  clusterizable?: boolean;
  blockOnUnknownQuota?: boolean;
  mcpMethods?: string[];
}

// After Redis failed, its quota is taken as unknown for this long without asking it again.
const REDIS_PAUSE_MS = 1_000;

const LIMITED = 'Too many requests: the rate limit of this API is exceeded';
const UNKNOWN = 'Too many requests: the rate limit of this API cannot be checked right now';

/** A key's value as a string; '' (the shared quota) when it has none. */
function keyOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

export const rateLimitingFactory: PolicyFactory<RateLimitingConfig> = {
  type: 'rate-limiting',
  compile(config, ctx) {
    const windows = config.rateLimits;
    const warnings: string[] = [];
    const keySelector = config.keySelector?.trim() ? compileExpression(config.keySelector) : undefined;
    const clustered = config.clusterizable !== false && ctx.redis !== undefined;
    if (config.clusterizable !== false && ctx.redis === undefined) {
      warnings.push('clusterizable: the gateway has no Redis (PORTICO_REDIS_URL), so each gateway process counts on its own');
    }
    const quota: Quota = clustered
      ? new RedisQuota(ctx.redis!, ctx.policyId, windows)
      : ctx.state(`local ${JSON.stringify(windows)}`, () => new LocalQuota(windows, () => ctx.clock.now()));
    const blockOnUnknown = config.blockOnUnknownQuota !== false;
    const exposed = `rate-limit ${ctx.policyId}`;
    let pausedUntil = 0;
    let failing = false;

    const judge = (exchange: ExchangeContext, outcome: QuotaOutcome): Verdict<never> => {
      failing = false;
      if (config.exposeHeaders) exchange.attributes.set(exposed, outcome);
      if (outcome.allowed) return PASS;
      return { kind: 'reject', error: { kind: 'rate-limited', message: LIMITED, retryAfterSeconds: outcome.resetMs / 1000 } };
    };
    const unknown = (): Verdict<never> =>
      blockOnUnknown ? { kind: 'reject', error: { kind: 'rate-limited', message: UNKNOWN, retryAfterSeconds: 1 } } : PASS;
    const failed = (error: unknown): Verdict<never> => {
      pausedUntil = ctx.clock.now() + REDIS_PAUSE_MS;
      if (!failing) {
        failing = true;
        ctx.logger.warn(
          { err: (error as Error).message },
          blockOnUnknown
            ? 'rate limit store unreachable: requests are refused'
            : 'rate limit store unreachable: requests pass uncounted',
        );
      }
      return unknown();
    };

    const take = (exchange: ExchangeContext, mcp: McpSubject | undefined): Verdict<never> | Promise<Verdict<never>> => {
      if (clustered && pausedUntil > ctx.clock.now()) return unknown();
      const key = keySelector ? keyOf(evaluateFor(keySelector, exchange, mcp)) : '';
      const taken = quota.take(key);
      return taken instanceof Promise ? taken.then((outcome) => judge(exchange, outcome), failed) : judge(exchange, taken);
    };

    const policy: Policy = {
      name: 'rate-limiting',
      ...(ctx.apiKind === 'mcp'
        ? {
            methods: Object.fromEntries((config.mcpMethods ?? ['*']).map((method) => [method, 'request'])) as MethodScope,
            onRequest: (call: CallContext) => {
              if (call.call.kind !== 'request') return PASS;
              const subject = { method: call.call.method, name: call.call.target?.name, arguments: call.call.arguments };
              return take(call.exchange, keySelector && keySelector.header === undefined ? subject : undefined);
            },
          }
        : { onHttpRequest: ({ exchange }) => take(exchange, undefined) }),
      ...(config.exposeHeaders
        ? {
            onHttpResponse({ exchange }): Verdict<HeaderEdit> {
              const outcome = exchange.attributes.get(exposed) as QuotaOutcome | undefined;
              if (outcome === undefined) return PASS;
              return {
                kind: 'mutate',
                message: {
                  set: {
                    'x-ratelimit-limit': String(outcome.limit),
                    'x-ratelimit-remaining': String(outcome.remaining),
                    'x-ratelimit-reset': String(outcome.resetMs),
                  },
                },
              };
            },
          }
        : {}),
    };
    return { warnings, policy };
  },
};
