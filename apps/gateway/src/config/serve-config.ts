/**
 * A push, from proto to served: translate() compiles it, the data plane swaps it in. What is not
 * served is reported per API — an API whose configuration failed (translate.ts) and every API on
 * a listener port that could not be bound (data-plane.ts) — while the rest of the push serves.
 * Throws (ConfigRejectedError) only when the push cannot be used at all.
 */
import { type PolicyStates } from '#portico/policy-engine';
import type { GatewayConfig } from '#portico/proto-ts';
import type { DataPlane } from '../data-plane/data-plane.js';
import { type ApiFailure, translate, type TranslateOptions } from './translate.js';

export interface Served {
  /** Bad user values the gateway replaced with safe behaviour. */
  readonly warnings: readonly string[];
  /** The APIs of the push that are not served, and why. */
  readonly failures: readonly ApiFailure[];
}

/**
 * `options.states` must be the same instance for every push of a data plane: the state of the
 * policies the served configuration carries is kept, the rest dropped.
 */
export async function serveConfig(
  dataPlane: DataPlane,
  config: GatewayConfig,
  options: TranslateOptions & { states: PolicyStates },
): Promise<Served> {
  const { compiled, warnings, failures } = translate(config, { fetch: dataPlane.outboundFetch, ...options });
  const failedPorts = await dataPlane.apply(compiled);
  options.states.retain(new Set(compiled.apis.flatMap((api) => api.policies.map((p) => p.id))));
  const unbound = compiled.apis
    .filter((api) => api.unavailable === undefined && failedPorts.has(api.port))
    .map((api) => ({ apiId: api.id, reason: `API ${api.id}: ${failedPorts.get(api.port)}` }));
  return { warnings, failures: [...failures, ...unbound] };
}
