/**
 * The MCP response phase of one response: the onResponse hooks of the policies whose method
 * scope has the response phase for the request's method, in the reverse of the applied order
 * (like Envoy's encoder filters). The policy nearest the upstream sees its answer first, so each
 * policy sees the response in the vocabulary it saw the request in: a tool renamed by a later
 * policy is named back before an earlier one judges it. A mutate replaces the response for the
 * next policy; a reject replaces it with the policy's JSON-RPC error (−32603 when it has none).
 * Where responses arrive (JSON bodies, event streams, resumed GET streams) is the gateway's.
 */
import type { JsonRpcErrorResponse, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { ChainPolicy } from './chain-policy.js';
import { toJsonRpcError } from './errors.js';
import type { HookRunner } from './hook-runner.js';
import { memoized } from './name-memo.js';
import type { CallContext } from './policy-contract/context.js';
import { isPromise } from './promises.js';

/**
 * {@link responders} per policy list (a compiled API's list per upstream lives as long as its
 * configuration; a list filtered by pointcuts for one request is collected with it).
 */
const respondersOf = new WeakMap<readonly ChainPolicy[], (method: string) => readonly ChainPolicy[]>();

/** The policies of `policies` with a response hook for `method`, in the order their response hooks run. */
export function responders<P extends ChainPolicy>(policies: readonly P[], method: string): readonly P[] {
  let byMethod = respondersOf.get(policies);
  if (!byMethod) {
    // Methods come from clients: memoised for at most 256 of them, like the other per-name memos.
    byMethod = memoized(
      (m: string) => policies.filter((p) => p.policy.onResponse !== undefined && p.scope.phases(m).response).reverse(),
      256,
    );
    respondersOf.set(policies, byMethod);
  }
  return byMethod(method) as readonly P[];
}

/** Runs the response hooks of `policies` (from {@link responders}) on one response; undefined when nothing changed. */
export async function mcpResponsePhase(
  hooks: HookRunner,
  ctx: CallContext,
  policies: readonly ChainPolicy[],
  response: JsonRpcResponse,
): Promise<JsonRpcResponse | undefined> {
  let current = response;
  let changed = false;
  for (const policy of policies) {
    const result = hooks.run(policy, 'onResponse', ctx, current);
    const verdict = isPromise(result) ? await result : result;
    if (verdict.kind === 'reject') {
      return (
        toJsonRpcError(verdict.error, response.id) ?? (toJsonRpcError({ kind: 'internal' }, response.id) as JsonRpcErrorResponse)
      );
    }
    if (verdict.kind === 'mutate') {
      current = verdict.message;
      changed = true;
    }
  }
  return changed ? current : undefined;
}
