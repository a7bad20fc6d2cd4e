/**
 * Cedar, the policy language of `mcp-access-control`: the control plane parses applied rules with
 * the engine the gateway authorizes with (`@cedar-policy/cedar-wasm`), so a rule the control plane
 * accepts is one the gateway can run. The WebAssembly engine is loaded on first use: processes
 * that never see a Cedar rule do not pay for it.
 */
import { createRequire } from 'node:module';

type CedarEngine = typeof import('@cedar-policy/cedar-wasm/nodejs');

let engine: CedarEngine | undefined;

/** The Cedar engine (loaded once, synchronously). */
export function cedarEngine(): CedarEngine {
  engine ??= createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs') as CedarEngine;
  return engine;
}

/** undefined when `policy` is one or more valid Cedar policies, else what the parser says. */
export function cedarProblem(policy: string): string | undefined {
  const answer = cedarEngine().checkParsePolicySet({ staticPolicies: policy });
  return answer.type === 'success' ? undefined : answer.errors.map((error) => error.message).join('; ');
}
