/**
 * SLA tiers of an API instance (API Manager `…/apis/{id}/tiers`, contract §7.4): named sets of
 * request quotas a client application asks for with its contract. A contract on a tier that
 * does not auto-approve waits for approval; gateways enforce the quotas of the approved
 * contracts' tiers with the rate-limiting-sla-based policy (its managed data, config-sync
 * snapshot.ts). Every change is recorded as GET shows the tier.
 */
import { Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import type { ApiRef } from '../policies/policies.service.js';
import { tierView } from './sla-tier.view.js';
import type { ListTiersQuery, TierBody } from './sla-tiers.dto.js';
import { SlaTiersRepository, type TierColumns, tierNotFound } from './sla-tiers.repository.js';

function columns(body: TierBody): TierColumns {
  return {
    name: body.name,
    description: body.description ?? null,
    status: body.status,
    autoApprove: body.autoApprove,
    limits: body.limits.map((l) => ({
      maximumRequests: l.maximumRequests,
      timePeriodInMilliseconds: l.timePeriodInMilliseconds,
      visible: l.visible,
    })),
  };
}

/** `apiVersionId` of a body (the CLI sends it) must be the route's API instance. */
function assertSameApi(ref: ApiRef, body: TierBody): void {
  if (body.apiVersionId != null && String(body.apiVersionId) !== String(ref.apiId)) {
    throw new DomainError(
      'SLA_TIER_API_MISMATCH',
      `apiVersionId ${body.apiVersionId} is not the API instance of this route (${ref.apiId})`,
    );
  }
}

type TierView = ReturnType<typeof tierView>;

@Injectable()
export class SlaTiersService {
  constructor(
    private readonly repo: SlaTiersRepository,
    private readonly audit: AuditTrailService,
  ) {}

  async create(ref: ApiRef, body: TierBody) {
    await this.requireApi(ref);
    assertSameApi(ref, body);
    const master = await this.repo.rootOrganizationId(ref.orgId);
    return this.repo.withApiLock(ref.apiId, async (tx) => {
      const after = tierView(
        await this.repo.create(tx, { apiId: ref.apiId, organizationId: ref.orgId, environmentId: ref.envId, ...columns(body) }),
        master,
      );
      await this.record(tx, ref, 'create', after, { after });
      return after;
    });
  }

  async list(ref: ApiRef, query: ListTiersQuery) {
    await this.requireApi(ref);
    const [{ total, rows }, master] = await Promise.all([
      this.repo.list(ref.apiId, query),
      this.repo.rootOrganizationId(ref.orgId),
    ]);
    return { total, tiers: rows.map((row) => tierView(row, master)) };
  }

  async get(ref: ApiRef, id: number) {
    await this.requireApi(ref);
    const row = await this.repo.find(ref.apiId, id);
    if (!row) throw tierNotFound(id);
    return tierView(row, await this.repo.rootOrganizationId(ref.orgId));
  }

  /** Replaces the tier; its contracts keep it (a deprecated tier only takes no new ones). */
  async replace(ref: ApiRef, id: number, body: TierBody) {
    await this.requireApi(ref);
    assertSameApi(ref, body);
    const master = await this.repo.rootOrganizationId(ref.orgId);
    return this.repo.withApiLock(ref.apiId, async (tx) => {
      const before = tierView(await this.requireTier(tx, ref, id), master);
      const after = tierView(await this.repo.update(tx, ref.apiId, id, columns(body)), master);
      await this.record(tx, ref, 'update', after, { before, after });
      return after;
    });
  }

  async remove(ref: ApiRef, id: number): Promise<void> {
    await this.requireApi(ref);
    const master = await this.repo.rootOrganizationId(ref.orgId);
    await this.repo.withApiLock(ref.apiId, async (tx) => {
      const before = tierView(await this.requireTier(tx, ref, id), master);
      await this.repo.remove(tx, id);
      await this.record(tx, ref, 'delete', before, { before });
    });
  }

  private async requireTier(tx: Tx, ref: ApiRef, id: number) {
    const row = await this.repo.find(ref.apiId, id, tx);
    if (!row) throw tierNotFound(id);
    return row;
  }

  private record(tx: Tx, ref: ApiRef, action: AuditAction, tier: TierView, change: { before?: TierView; after?: TierView }) {
    return this.audit.record(tx, {
      organizationId: ref.orgId,
      environmentId: ref.envId,
      action,
      resource: { type: 'sla-tier', id: tier.id, name: tier.name },
      ...change,
    });
  }

  private async requireApi(ref: ApiRef): Promise<void> {
    const api = await this.repo.findApi({ id: ref.apiId, organizationId: ref.orgId, environmentId: ref.envId });
    if (!api) throw new DomainError('API_NOT_FOUND', `API instance ${ref.apiId} not found`);
  }
}
