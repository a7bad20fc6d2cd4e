/**
 * Runs one policy hook under the policy's mode and failure mode, and counts its verdict in
 * `policy_verdicts_total{policy,verdict,mode}`. The phases of pipeline.ts decide which hooks
 * run and in what order; this module only turns one hook call into the verdict to act on.
 *
 * Contract:
 * - A hook that throws (or whose promise rejects) is counted as `error` and logged; a
 *   `fail-open` policy then passes, a `fail-closed` one (the default) rejects with `internal`.
 * - In `shadow` mode a reject or mutate is counted and logged, then replaced by `pass`.
 * - A hook that answers synchronously gets its verdict back synchronously (no promise).
 */
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { CompiledPolicy } from '../config/compiled-config.js';
import { errorMessage } from '../errors.js';
import type { GatewayMetrics } from '../metrics.js';
import { isPromise } from '../promises.js';
import type { CallContext, ExchangeContext, HeaderEdit, HttpContext, ResponseHead } from '../policy-contract/context.js';
import { PASS, type Verdict } from '../policy-contract/verdict.js';

type VerdictKind = 'pass' | 'mutate' | 'reject' | 'error';

const FAILED_CLOSED: Verdict<never> = Object.freeze({ kind: 'reject', error: Object.freeze({ kind: 'internal' }) });

export class HookRunner {
  constructor(private readonly metrics: GatewayMetrics) {}

  /** Runs `policy`'s `phase` hook on `message` (the caller checked it has one for this method). */
  run<M extends JsonRpcRequest | JsonRpcNotification | JsonRpcResponse>(
    policy: CompiledPolicy,
    phase: 'onRequest' | 'onResponse',
    ctx: CallContext,
    message: M,
  ): Verdict<M> | Promise<Verdict<M>> {
    const hook = policy.policy[phase] as (ctx: CallContext, message: M) => Verdict<M> | Promise<Verdict<M>>;
    let result;
    try {
      result = hook.call(policy.policy, ctx, message);
    } catch (err) {
      return this.failed(policy, ctx.exchange, err);
    }
    return this.settle(policy, ctx.exchange, result);
  }

  /** Runs `policy`'s onHttpRequest (the caller checked it has one). */
  runHttpRequest(policy: CompiledPolicy, ctx: HttpContext): Verdict<HeaderEdit> | Promise<Verdict<HeaderEdit>> {
    let result;
    try {
      result = policy.policy.onHttpRequest!(ctx);
    } catch (err) {
      return this.failed(policy, ctx.exchange, err);
    }
    return this.settle(policy, ctx.exchange, result);
  }

  /**
   * Runs `policy`'s onHttpResponse (the caller checked it has one). The head is already the
   * upstream's answer: a `reject` (or a hook that throws) cannot replace it, so it is counted,
   * logged and passed.
   */
  runHttpResponse(policy: CompiledPolicy, ctx: HttpContext, head: ResponseHead): Verdict<HeaderEdit> {
    let verdict: Verdict<HeaderEdit>;
    try {
      verdict = this.enforce(policy, ctx.exchange, policy.policy.onHttpResponse!(ctx, head));
    } catch (err) {
      this.failed(policy, ctx.exchange, err);
      return PASS;
    }
    if (verdict.kind !== 'reject') return verdict;
    ctx.exchange.logger.warn({ policy: policy.type, policyId: policy.id }, 'a response-head hook cannot reject; passed');
    return PASS;
  }

  private settle<M>(
    policy: CompiledPolicy,
    exchange: ExchangeContext,
    result: Verdict<M> | Promise<Verdict<M>>,
  ): Verdict<M> | Promise<Verdict<M>> {
    if (isPromise(result)) {
      return result.then(
        (verdict) => this.enforce(policy, exchange, verdict),
        (err: unknown) => this.failed(policy, exchange, err),
      );
    }
    return this.enforce(policy, exchange, result);
  }

  private enforce<M>(policy: CompiledPolicy, exchange: ExchangeContext, verdict: Verdict<M>): Verdict<M> {
    this.count(policy, verdict.kind);
    if (policy.mode === 'shadow' && verdict.kind !== 'pass') {
      exchange.logger.info(
        {
          policy: policy.type,
          policyId: policy.id,
          verdict: verdict.kind,
          error: verdict.kind === 'reject' ? verdict.error.kind : undefined,
        },
        'shadow policy verdict not enforced',
      );
      return PASS;
    }
    return verdict;
  }

  private failed(policy: CompiledPolicy, exchange: ExchangeContext, err: unknown): Verdict<never> {
    this.count(policy, 'error');
    exchange.logger.error({ policy: policy.type, policyId: policy.id, err: errorMessage(err) }, 'policy hook failed');
    return policy.policy.failureMode === 'fail-open' ? PASS : FAILED_CLOSED;
  }

  private count(policy: CompiledPolicy, verdict: VerdictKind): void {
    this.metrics.countPolicyVerdict(policy.type, verdict, policy.mode);
  }
}
