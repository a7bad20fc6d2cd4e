/**
 * The request a change is made in, for the audit trail: set per request by
 * AuditContextInterceptor once AuthGuard has authenticated the caller, and read by
 * AuditTrailService when a service records a change. AsyncLocalStorage carries it through the
 * services and repositories of the request, so none of them takes an extra parameter.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from '../auth/principal.js';
import type { AuditActor } from './audit-vocabulary.js';

export interface AuditRequest {
  /** the bearer token's user or connected app; none on public routes (gateway registration) */
  readonly principal: Principal | undefined;
  /** the request id: the client's x-request-id, else one the control plane made (error answers carry it) */
  readonly requestId: string;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
  /** the principal as records name it, resolved by the first record of the request */
  actor?: AuditActor;
}

const storage = new AsyncLocalStorage<AuditRequest>();

/** Runs `fn` (and everything it starts) as part of `request`. */
export function runInAuditRequest<T>(request: AuditRequest, fn: () => T): T {
  return storage.run(request, fn);
}

/** The request the caller runs in; undefined outside one (gRPC sync, bootstrap, timers). */
export function currentAuditRequest(): AuditRequest | undefined {
  return storage.getStore();
}
