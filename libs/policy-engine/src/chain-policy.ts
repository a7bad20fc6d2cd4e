/**
 * An applied policy as a chain runs it (hook-runner.ts, mcp-request-phase.ts): the compiled
 * policy with its identity, mode and method scope. The gateway's compiled configuration adds
 * where it applies (pointcuts, upstreams).
 */
import type { CompiledMethodScope } from './method-scope.js';
import type { Policy } from './policy-contract/policy.js';

export interface ChainPolicy {
  /** Applied policy id. */
  readonly id: string;
  readonly type: string;
  readonly mode: 'enforce' | 'shadow';
  readonly policy: Policy;
  readonly scope: CompiledMethodScope;
}
