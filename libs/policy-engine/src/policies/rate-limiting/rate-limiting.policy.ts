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
 * - Over the limit, `exposeHeaders`, and a Redis outage (`blockOnUnknownQuota`, default on):
 *   quota-gate.ts.
 */
import { compileExpression } from '#portico/policy-catalog';
import type { CallContext, ExchangeContext } from '../../policy-contract/context.js';
import type { MethodScope, Policy, PolicyFactory } from '../../policy-contract/policy.js';
import { PASS } from '../../policy-contract/verdict.js';
import { evaluateFor, type McpSubject } from '../expression-activation.js';
import type { Window } from './quota.js';
import { policyQuota, QuotaGate } from './quota-gate.js';

export interface RateLimitingConfig {
  rateLimits: Window[];
  keySelector?: string;
  exposeHeaders?: boolean;
  clusterizable?: boolean;
  blockOnUnknownQuota?: boolean;
  mcpMethods?: string[];
}

/** A key's value as a string; '' (the shared quota) when it has none. */
function keyOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

export const rateLimitingFactory: PolicyFactory<RateLimitingConfig> = {
  type: 'rate-limiting',
  compile(config, ctx) {
    const warnings: string[] = [];
    const keySelector = config.keySelector?.trim() ? compileExpression(config.keySelector) : undefined;
    const clusterizable = config.clusterizable !== false;
    if (clusterizable && ctx.redis === undefined) {
      warnings.push('clusterizable: the gateway has no Redis (PORTICO_REDIS_URL), so each gateway process counts on its own');
    }
    const quota = policyQuota(ctx, '', config.rateLimits, clusterizable);
    const gate = new QuotaGate({
      exposeAs: config.exposeHeaders ? `rate-limit ${ctx.policyId}` : undefined,
      blockOnUnknown: config.blockOnUnknownQuota !== false,
      clock: ctx.clock,
      logger: ctx.logger,
    });
    const take = (exchange: ExchangeContext, mcp: McpSubject | undefined) =>
      gate.take(quota, keySelector ? keyOf(evaluateFor(keySelector, exchange, mcp)) : '', exchange);

    const policy: Policy = {
      name: 'rate-limiting',
      ...(ctx.apiKind === 'mcp'
        ? {
            methods: Object.fromEntries((config.mcpMethods ?? ['*']).map((method) => [method, 'request'])) as MethodScope,
            onRequest: ({ exchange, call }: CallContext) => {
              if (call.kind !== 'request') return PASS;
              // The message is handed to the key expression only when it reads more than a header.
              const mcp =
                keySelector && keySelector.header === undefined
                  ? { method: call.method, name: call.target?.name, arguments: call.arguments }
                  : undefined;
              return take(exchange, mcp);
            },
          }
        : { onHttpRequest: ({ exchange }) => take(exchange, undefined) }),
      ...(config.exposeHeaders ? { onHttpResponse: ({ exchange }) => gate.headers(exchange) } : {}),
    };
    return { warnings, policy };
  },
};
