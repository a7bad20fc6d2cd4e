/**
 * The audit trail's write side: one record per changed resource, in the transaction of the
 * change.
 *
 * Why explicit calls: every service already runs its writes in a transaction it opens through its
 * repository (`repo.transaction(fn)` / `withApiLock`), and only the service knows what a change
 * means: which resource (an instance with its routes and upstreams is one resource, not five
 * rows), which domain verb (deploy, approve, rotate) and how the resource reads before and after
 * (its API view, where secrets are already masked). A Prisma client extension or a database
 * trigger sees rows, so it would write several records per change and the raw columns (password
 * hashes, sealed secrets). So each mutating service method calls {@link AuditTrailService.record}
 * with its transaction, and the caller comes from the request context (audit-context.ts), set
 * once for every route.
 *
 * Contract: `record` MUST run inside the transaction of the change it describes, after the write.
 * A change that rolls back leaves no record, and a record that cannot be written fails the change.
 */
import { Injectable } from '@nestjs/common';
import type { Tx } from '../common/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import { type AuditRequest, currentAuditRequest } from './audit-context.js';
import { AuditRepository } from './audit.repository.js';
import type { AuditAction, AuditActor, AuditResourceType } from './audit-vocabulary.js';
import { maskSecrets } from './secret-mask.js';

export interface AuditedChange {
  /** the organization whose administrators authorised the change; records are queried by it */
  organizationId: string;
  /** the environment the resource lives in, when it lives in one */
  environmentId?: string | null;
  action: AuditAction;
  resource: { type: AuditResourceType; id: string | number; name?: string | null };
  /** the resource as the API showed it before the change; absent for a create */
  before?: unknown;
  /** the resource as the API shows it after the change; absent for a delete */
  after?: unknown;
  /**
   * Only for a change a public route makes (a gateway registering with its one-time token): the
   * internal id of the user or connected app it is made for, null when that is not known. A
   * principal deleted since, or not known, is recorded as a user named by its id (or `unknown`).
   */
  onBehalfOf?: string | null;
}

const UNKNOWN = 'unknown';

@Injectable()
export class AuditTrailService {
  constructor(private readonly repo: AuditRepository) {}

  /**
   * Records `change` in `tx` (see the header contract), made by the request's caller. Throws when
   * called outside an HTTP request: every recorded change has someone who made it.
   */
  async record(tx: Tx, change: AuditedChange): Promise<void> {
    const request = currentAuditRequest();
    if (!request) {
      throw new Error(`audit: ${change.action} ${change.resource.type} recorded outside an HTTP request`);
    }
    await this.repo.insert(tx, {
      organizationId: change.organizationId,
      environmentId: change.environmentId ?? null,
      actor: await this.actor(tx, request, change.onBehalfOf),
      action: change.action,
      resourceType: change.resource.type,
      resourceId: String(change.resource.id),
      resourceName: change.resource.name ?? null,
      requestId: request.requestId,
      clientIp: request.clientIp,
      userAgent: request.userAgent,
      before: snapshot(change.before),
      after: snapshot(change.after),
    });
  }

  private async actor(tx: Tx, request: AuditRequest, onBehalfOf: string | null | undefined): Promise<AuditActor> {
    const { principal } = request;
    if (!principal) {
      if (onBehalfOf === undefined) throw new Error('audit: a change on a public route must say whom it is made for');
      const known = onBehalfOf === null ? null : await this.repo.actorById(tx, onBehalfOf);
      return known ?? { type: 'user', id: onBehalfOf ?? UNKNOWN, name: onBehalfOf ?? UNKNOWN };
    }
    request.actor ??=
      principal.kind === 'user'
        ? { type: 'user', id: principal.id, name: principal.name }
        : // an app's principal name is its client id; an app that deleted itself keeps that as its name
          {
            type: 'connected-app',
            id: principal.name,
            name: (await this.repo.connectedAppName(tx, principal.id)) ?? principal.name,
          };
    return request.actor;
  }
}

/** `value` as stored JSON (dates as ISO strings, bigints as strings), secrets masked; null when absent. */
function snapshot(value: unknown): Prisma.InputJsonValue | null {
  if (value === undefined || value === null) return null;
  const json: unknown = JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return maskSecrets(json) as Prisma.InputJsonValue;
}
