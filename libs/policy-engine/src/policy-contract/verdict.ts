/**
 * What a policy hook decides about one JSON-RPC message. The pipeline acts on it: `pass` and
 * `mutate` continue with the next policy (a mutated message is what later policies and the
 * upstream see), the first `reject` in enforce mode ends the exchange with its error.
 */
import type { GatewayError } from '../errors.js';

export type Verdict<M> = { kind: 'pass' } | { kind: 'mutate'; message: M } | { kind: 'reject'; error: GatewayError };

/**
 * An HTTP request hook's answer given in place of the upstream's (a CORS preflight): the pipeline
 * writes `status`, `headers` and `body` (none when absent) and ends the exchange.
 */
export interface Respond {
  readonly kind: 'respond';
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What an onHttpRequest hook decides: a verdict on the headers, or an answer of its own. */
export type HttpRequestVerdict<M> = Verdict<M> | Respond;

/** The `pass` verdict; one shared frozen object, since hooks return it on every call. */
export const PASS: Verdict<never> = Object.freeze({ kind: 'pass' });
