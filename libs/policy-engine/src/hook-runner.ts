/**
 * Runs one policy hook under the policy's mode and failure mode, and tells its observer every
 * verdict a hook gave (the gateway counts them in `policy_verdicts_total{policy,verdict,mode}`;
 * a simulation records them). The phases decide which hooks run and in what order; this module
 * only turns one hook call into the verdict to act on.
 *
 * Contract:
 * - A hook that throws (or whose promise rejects) is counted as `error` and logged; a
 *   `fail-open` policy then passes, a `fail-closed` one (the default) rejects with `internal`.
 * - In `shadow` mode a reject or mutate is counted and logged, then replaced by `pass`.
 * - A hook that answers synchronously gets its verdict back synchronously (no promise).
 */
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { ChainPolicy } from './chain-policy.js';
import { errorMessage } from './errors.js';
import { isPromise } from './promises.js';
import type { CallContext, ExchangeContext, HeaderEdit, HttpContext, ResponseHead } from './policy-contract/context.js';
import { type HttpRequestVerdict, PASS, type Verdict } from './policy-contract/verdict.js';

/** What a hook gave, before the policy's mode applied: a verdict, or the error it threw. */
export type HookOutcome = HttpRequestVerdict<unknown> | { kind: 'error'; error: unknown };

/** Told of every hook outcome, in order, with the exchange it was given in. */
export type VerdictObserver = (policy: ChainPolicy, outcome: HookOutcome, exchange: ExchangeContext) => void;

const FAILED_CLOSED: Verdict<never> = Object.freeze({ kind: 'reject', error: Object.freeze({ kind: 'internal' }) });

export class HookRunner {
  constructor(private readonly observe: VerdictObserver) {}

  /** Runs `policy`'s `phase` hook on `message` (the caller checked it has one for this method). */
  run<M extends JsonRpcRequest | JsonRpcNotification | JsonRpcResponse>(
    policy: ChainPolicy,
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
  runHttpRequest(
    policy: ChainPolicy,
    ctx: HttpContext,
  ): HttpRequestVerdict<HeaderEdit> | Promise<HttpRequestVerdict<HeaderEdit>> {
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
  runHttpResponse(policy: ChainPolicy, ctx: HttpContext, head: ResponseHead): Verdict<HeaderEdit> {
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

  private settle<V extends HttpRequestVerdict<unknown>>(
    policy: ChainPolicy,
    exchange: ExchangeContext,
    result: V | Promise<V>,
  ): V | Promise<V> {
    if (isPromise(result)) {
      return result.then(
        (verdict) => this.enforce(policy, exchange, verdict),
        (err: unknown) => this.failed(policy, exchange, err),
      );
    }
    return this.enforce(policy, exchange, result);
  }

  /** `verdict` as the policy's mode makes it: in shadow mode anything but a pass is logged and becomes a pass. */
  private enforce<V extends HttpRequestVerdict<unknown>>(policy: ChainPolicy, exchange: ExchangeContext, verdict: V): V {
    this.observe(policy, verdict, exchange);
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
      return PASS as V;
    }
    return verdict;
  }

  /** The verdict of a hook that threw: pass when it fails open, else an internal error. */
  private failed<V>(policy: ChainPolicy, exchange: ExchangeContext, err: unknown): V {
    this.observe(policy, { kind: 'error', error: err }, exchange);
    exchange.logger.error({ policy: policy.type, policyId: policy.id, err: errorMessage(err) }, 'policy hook failed');
    return (policy.policy.failureMode === 'fail-open' ? PASS : FAILED_CLOSED) as V;
  }
}
