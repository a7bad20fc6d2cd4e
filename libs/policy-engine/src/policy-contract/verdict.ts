/**
 * What a policy hook decides about one JSON-RPC message. The pipeline acts on it: `pass` and
 * `mutate` continue with the next policy (a mutated message is what later policies and the
 * upstream see), the first `reject` in enforce mode ends the exchange with its error.
 */
import type { GatewayError } from '../errors.js';

export type Verdict<M> = { kind: 'pass' } | { kind: 'mutate'; message: M } | { kind: 'reject'; error: GatewayError };

/** The `pass` verdict; one shared frozen object, since hooks return it on every call. */
export const PASS: Verdict<never> = Object.freeze({ kind: 'pass' });
