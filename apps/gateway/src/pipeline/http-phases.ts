/**
 * The HTTP phases of an exchange (policy-contract/policy.ts): `onHttpRequest` of every applicable
 * policy, in order, before the request body is read — the first reject (an error) or respond (an
 * answer of the policy's own, e.g. a CORS preflight) ends the exchange, header edits are
 * collected for the upstream request; `onHttpResponse` on the head about to go to the
 * client. Synchronous while the hooks are (the common case costs no promise).
 */
import {
  type GatewayError,
  type HeaderEdit,
  type HttpContext,
  type ResponseHead,
  isPromise,
  type HookRunner,
  type Respond,
} from '#portico/policy-engine';
import type { CompiledPolicy } from '../config/compiled-config.js';

export type HttpRequestOutcome =
  { kind: 'pass'; edits: readonly HeaderEdit[] } | { kind: 'reject'; error: GatewayError } | Respond;

/** No header edits (shared). */
export const NO_EDITS: readonly HeaderEdit[] = Object.freeze([]);
/** The outcome of a request no hook changed; shared, since most requests end here. */
export const UNCHANGED: HttpRequestOutcome = Object.freeze({ kind: 'pass', edits: NO_EDITS });

/** Runs the onHttpRequest hooks of `policies` from index `from`. */
export function httpRequestPhase(
  hooks: HookRunner,
  policies: readonly CompiledPolicy[],
  ctx: HttpContext,
  from = 0,
  edits: readonly HeaderEdit[] = NO_EDITS,
): HttpRequestOutcome | Promise<HttpRequestOutcome> {
  for (let i = from; i < policies.length; i++) {
    const policy = policies[i]!;
    if (!policy.policy.onHttpRequest) continue;
    const result = hooks.runHttpRequest(policy, ctx);
    if (isPromise(result)) {
      return result.then((verdict) => {
        if (verdict.kind === 'reject') return { kind: 'reject', error: verdict.error };
        if (verdict.kind === 'respond') return verdict;
        return httpRequestPhase(hooks, policies, ctx, i + 1, verdict.kind === 'mutate' ? [...edits, verdict.message] : edits);
      });
    }
    if (result.kind === 'reject') return { kind: 'reject', error: result.error };
    if (result.kind === 'respond') return result;
    if (result.kind === 'mutate') edits = [...edits, result.message];
  }
  return edits === NO_EDITS ? UNCHANGED : { kind: 'pass', edits };
}

/** The header edits the onHttpResponse hooks of `policies` ask for on `head`. */
export function httpResponseEdits(
  hooks: HookRunner,
  policies: readonly CompiledPolicy[],
  ctx: HttpContext,
  head: ResponseHead,
): readonly HeaderEdit[] {
  let edits = NO_EDITS;
  for (const policy of policies) {
    if (!policy.policy.onHttpResponse) continue;
    const verdict = hooks.runHttpResponse(policy, ctx, head);
    if (verdict.kind === 'mutate') edits = [...edits, verdict.message];
  }
  return edits;
}
