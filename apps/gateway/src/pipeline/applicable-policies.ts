/**
 * Which of an API's policies apply to one exchange: those whose pointcuts (HTTP method + path)
 * match and whose upstreams include the chosen one, in the order the control plane sent. When no
 * policy of the API has pointcuts the answer depends on the upstream alone and was computed per
 * upstream at compile time (CompiledApi.policiesByUpstream).
 */
import { type ExchangeContext } from '#portico/policy-engine';
import type { CompiledApi, CompiledPolicy } from '../config/compiled-config.js';

export function applicablePolicies(api: CompiledApi, exchange: ExchangeContext): readonly CompiledPolicy[] {
  const fixed = api.policiesByUpstream?.get(exchange.upstreamId);
  if (fixed) return fixed;
  const path = exchange.restPath === '' ? '/' : exchange.restPath;
  return api.policies.filter(
    (p) =>
      (p.upstreamIds === undefined || p.upstreamIds.has(exchange.upstreamId)) &&
      (p.pointcuts.length === 0 ||
        p.pointcuts.some((pc) => (!pc.method || pc.method.test(exchange.httpMethod)) && (!pc.path || pc.path.test(path)))),
  );
}
