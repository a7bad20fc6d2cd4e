/**
 * State of applied policies that outlives configuration pushes (CompileContext.state): rate-limit
 * counters, JWKS and introspection caches. Keyed by the applied policy's id, so a push that
 * carries the same policy again (changed or not) compiles it onto the same state; dropped once a
 * served configuration no longer carries the policy (Kong keeps plugin state across reloads the
 * same way).
 */
export class PolicyStates {
  private readonly byPolicy = new Map<string, Map<string, unknown>>();

  /** The state of `policyId` under `key`, created by `create` the first time. */
  state<T>(policyId: string, key: string, create: () => T): T {
    let states = this.byPolicy.get(policyId);
    if (!states) {
      states = new Map();
      this.byPolicy.set(policyId, states);
    }
    if (!states.has(key)) states.set(key, create());
    return states.get(key) as T;
  }

  /** Keeps the state of `policyIds` (the policies now served) and drops the rest. */
  retain(policyIds: ReadonlySet<string>): void {
    for (const id of this.byPolicy.keys()) if (!policyIds.has(id)) this.byPolicy.delete(id);
  }

  /** How many policies hold state (for tests and status). */
  get size(): number {
    return this.byPolicy.size;
  }
}
