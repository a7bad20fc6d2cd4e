/**
 * Method scoping of policies, compiled once per push (see MethodScope in policies/policy.ts for
 * the key forms and their precedence, after agentgateway's). Lookups are cached per method; the
 * cache is bounded because clients choose method names.
 */
import type { MethodScope, Phase } from './policy-contract/policy.js';

/** Which hooks of a policy apply to one method. */
export interface Phases {
  readonly request: boolean;
  readonly response: boolean;
}

const NONE: Phases = Object.freeze({ request: false, response: false });
const PHASES: Readonly<Record<Phase, Phases>> = {
  request: Object.freeze({ request: true, response: false }),
  response: Object.freeze({ request: false, response: true }),
  both: Object.freeze({ request: true, response: true }),
};
const CACHE_LIMIT = 512;

/** A compiled scope: `phases(method)` tells which hooks run. */
export interface CompiledMethodScope {
  phases(method: string): Phases;
  /** True when some method gets the response hook (decides whether responses are inspected at all). */
  readonly anyResponse: boolean;
}

/** Compiles a policy's `methods`; absent means every method, both phases. */
export function compileMethodScope(scope: MethodScope | undefined): CompiledMethodScope {
  if (scope === undefined) return { phases: () => PHASES.both, anyResponse: true };
  const exact = new Map<string, Phases>();
  const namespaces: [string, Phases][] = [];
  const verbs: [string, Phases][] = [];
  let any: Phases = NONE;
  for (const [key, phase] of Object.entries(scope)) {
    const phases = PHASES[phase];
    if (key === '*') any = phases;
    else if (key.endsWith('/*')) namespaces.push([key.slice(0, -1), phases]);
    else if (key.startsWith('*/')) verbs.push([key.slice(1), phases]);
    else exact.set(key, phases);
  }
  namespaces.sort((a, b) => b[0].length - a[0].length);
  const resolve = (method: string): Phases =>
    exact.get(method) ??
    namespaces.find(([prefix]) => method.startsWith(prefix))?.[1] ??
    verbs.find(([suffix]) => method.endsWith(suffix))?.[1] ??
    any;
  const cache = new Map<string, Phases>();
  return {
    anyResponse: Object.values(scope).some((phase) => phase !== 'request'),
    phases(method) {
      let phases = cache.get(method);
      if (phases === undefined) {
        phases = resolve(method);
        if (cache.size < CACHE_LIMIT) cache.set(method, phases);
      }
      return phases;
    },
  };
}
