/**
 * The MCP request phase of one JSON-RPC request or notification of a POST: the ordered onRequest
 * hooks of the applicable policies whose method scope includes it. The first reject (enforce
 * mode) ends the message with its error; a mutate replaces the message for the next policy and
 * the upstream (described again, so later policies see what they judge); shadow mode logs and
 * counts instead (hook-runner.ts). Synchronous while the hooks are, so a request costs no promise
 * per policy.
 */
import type { JsonRpcNotification, JsonRpcRequest } from '#portico/mcp-jsonrpc';
import type { ChainPolicy } from './chain-policy.js';
import type { GatewayError } from './errors.js';
import type { ExchangeContext, McpCall } from './policy-contract/context.js';
import type { Verdict } from './policy-contract/verdict.js';
import { isPromise } from './promises.js';
import type { HookRunner } from './hook-runner.js';
import { describeCall } from './mcp-codec.js';

export type ClientCall = JsonRpcRequest | JsonRpcNotification;

export type RequestOutcome =
  { kind: 'pass'; message: ClientCall; call: McpCall } | { kind: 'reject'; call: McpCall; error: GatewayError };

/** What one verdict makes of the message: the next message (re-described after a mutate), or a reject. */
function applyVerdict(
  exchange: ExchangeContext,
  message: ClientCall,
  call: McpCall,
  verdict: Verdict<ClientCall>,
): RequestOutcome {
  if (verdict.kind === 'reject') return { kind: 'reject', call, error: verdict.error };
  if (verdict.kind === 'pass') return { kind: 'pass', message, call };
  const described = describeCall(verdict.message, exchange.protocolVersion);
  if (!described.ok) return { kind: 'reject', call, error: described.error };
  return { kind: 'pass', message: verdict.message, call: described.call };
}

/** Runs the request hooks of `policies` from index `from` on one message. */
export function mcpRequestPhase(
  hooks: HookRunner,
  exchange: ExchangeContext,
  policies: readonly ChainPolicy[],
  message: ClientCall,
  call: McpCall,
  from = 0,
): RequestOutcome | Promise<RequestOutcome> {
  for (let i = from; i < policies.length; i++) {
    const policy = policies[i]!;
    if (!policy.policy.onRequest || !policy.scope.phases(call.method).request) continue;
    const result = hooks.run(policy, 'onRequest', { exchange, call }, message);
    if (isPromise(result)) {
      return result.then((verdict) => {
        const outcome = applyVerdict(exchange, message, call, verdict);
        return outcome.kind === 'reject'
          ? outcome
          : mcpRequestPhase(hooks, exchange, policies, outcome.message, outcome.call, i + 1);
      });
    }
    const outcome = applyVerdict(exchange, message, call, result);
    if (outcome.kind === 'reject') return outcome;
    message = outcome.message;
    call = outcome.call;
  }
  return { kind: 'pass', message, call };
}
