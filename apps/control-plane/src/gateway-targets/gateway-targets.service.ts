/**
 * Gateway targets (self-managed gateways): API Manager's read view for choosing a deployment
 * target, the standalone API's gateway objects, and the target lock deployments take.
 *
 * Contract: a deleted target is a tombstone. It keeps its name forever (names are never reused),
 * the standalone API still shows it as DELETED, API Manager no longer lists it, and nothing can be
 * deployed to it. A target with deployments cannot be deleted (undeploy first).
 * Creating and deleting a gateway are recorded as the standalone API shows it.
 */
import { Inject, Injectable } from '@nestjs/common';
import { isUuid } from '../auth/access.service.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { ENV, type Env } from '../config/env.js';
import {
  gatewayDetailView,
  gatewayManagerView,
  gatewayView,
  replicaView,
  targetRowStatus,
  targetRowView,
} from './gateway-target.view.js';
import type { CreateGatewayBody, GatewayTargetsQuery, StandalonePageQuery } from './gateway-targets.dto.js';
import { GatewayTargetsRepository, type TargetPage, type TargetRecord } from './gateway-targets.repository.js';
import { enforcedPolicyTypes, type Liveness, liveness } from './target-status.js';

/** Standalone API paging (contract §9.5): sizes up to 100 are served, up to 199 are capped, 200+ refused. */
const STANDALONE_MAX_PAGE_SIZE = 100;
const STANDALONE_REFUSED_PAGE_SIZE = 200;

export interface DeployableTarget {
  id: string;
  name: string;
}

@Injectable()
export class GatewayTargetsService {
  constructor(
    private readonly repo: GatewayTargetsRepository,
    @Inject(ENV) private readonly env: Env,
    private readonly audit: AuditTrailService,
  ) {}

  private liveness(): Liveness {
    return liveness(this.env.PORTICO_GATEWAY_HEARTBEAT_SECONDS);
  }

  async listTargets(organizationId: string, environmentId: string, query: GatewayTargetsQuery) {
    // Every Portico target is a Flex-style gateway.
    if (query.kind === 'mule') return { total: 0, rows: [] };
    const now = this.liveness();
    const excluded = new Set<string>(query.excludeStatus ?? []);
    const targets = (await this.repo.findLive(organizationId, environmentId, query.name)).filter(
      (t) => !excluded.has(targetRowStatus(t, now)),
    );
    const start = query.pageNumber * query.pageSize;
    return { total: targets.length, rows: targets.slice(start, start + query.pageSize).map((t) => targetRowView(t, now)) };
  }

  async getTarget(organizationId: string, environmentId: string, rawId: string) {
    const target = await this.find(organizationId, environmentId, rawId);
    if (target.deletedAt) throw targetNotFound(rawId);
    return targetRowView(target, this.liveness());
  }

  async listGateways(organizationId: string, environmentId: string, query: StandalonePageQuery) {
    return this.gatewayPage(organizationId, environmentId, query, gatewayView);
  }

  /** Gateway Manager's list: Portico's gateways are all self-managed, so `managedOnly` lists none. */
  async listManagedGateways(organizationId: string, environmentId: string, query: StandalonePageQuery, managedOnly: boolean) {
    return this.gatewayPage(organizationId, environmentId, query, gatewayManagerView, managedOnly);
  }

  /** A page of the environment's gateways, each shown by `view`; `none`: an empty page. */
  private async gatewayPage<V>(
    organizationId: string,
    environmentId: string,
    query: StandalonePageQuery,
    view: (target: TargetRecord, at: Liveness) => V,
    none = false,
  ) {
    const page = standalonePage(query);
    const { total, rows } = none ? { total: 0, rows: [] } : await this.repo.findPage(organizationId, environmentId, page);
    const now = this.liveness();
    // As live: a page past the end answers an empty page with totalElements 0.
    return {
      content: rows.map((t) => view(t, now)),
      totalElements: rows.length ? total : 0,
      pageNumber: query.pageNumber,
      pageSize: page.take,
    };
  }

  async getManagedGateway(organizationId: string, environmentId: string, rawId: string) {
    return gatewayManagerView(await this.findGateway(organizationId, environmentId, rawId), this.liveness());
  }

  async createGateway(organizationId: string, environmentId: string, body: CreateGatewayBody) {
    return this.repo.transaction(async (tx) => {
      const target = await this.repo.create(tx, { organizationId, environmentId, name: body.name });
      const after = gatewayDetailView(target, this.liveness());
      await this.record(tx, 'create', target, { after });
      return after;
    });
  }

  async getGateway(organizationId: string, environmentId: string, rawId: string) {
    return gatewayDetailView(await this.findGateway(organizationId, environmentId, rawId), this.liveness());
  }

  async listReplicas(organizationId: string, environmentId: string, rawId: string, query: StandalonePageQuery) {
    const target = await this.findGateway(organizationId, environmentId, rawId);
    const page = standalonePage(query);
    const { total, rows } = await this.repo.findReplicas(target.id, page);
    const now = this.liveness();
    return {
      content: rows.map((r) => replicaView(r, now, target.configRevision)),
      totalElements: rows.length ? total : 0,
      pageNumber: query.pageNumber,
      pageSize: page.take,
      gateway: gatewayView(target, now),
    };
  }

  /** Soft delete (contract §9.5: 202, repeat → 400 "This target was already deleted"). */
  async deleteGateway(organizationId: string, environmentId: string, rawId: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const target = isUuid(rawId) ? await this.repo.lock(tx, organizationId, environmentId, rawId) : null;
      if (!target) throw gatewayNotFound();
      if (target.deletedAt) throw new DomainError('TARGET_ALREADY_DELETED', 'This target was already deleted');
      const apiIds = await this.repo.deployedApiIds(tx, target.id);
      if (apiIds.length) {
        throw new DomainError(
          'TARGET_IN_USE',
          `Gateway ${target.name} still has deployed API instances (${apiIds.join(', ')}); undeploy them first`,
        );
      }
      const before = await this.repo.findOne(organizationId, environmentId, target.id, tx);
      const deleted = await this.repo.markDeleted(tx, target.id);
      const now = this.liveness();
      await this.record(tx, 'delete', deleted, {
        before: before && gatewayDetailView(before, now),
        after: gatewayDetailView(deleted, now),
      });
    });
  }

  private record(tx: Tx, action: 'create' | 'delete', target: TargetRecord, change: { before?: object | null; after: object }) {
    return this.audit.record(tx, {
      organizationId: target.organizationId,
      environmentId: target.environmentId,
      action,
      resource: { type: 'gateway', id: target.id, name: target.name },
      ...change,
    });
  }

  /**
   * The target a deployment in `tx` will point to, locked until `tx` ends (see
   * GatewayTargetsRepository.lock). 404 unless it exists in the environment and is not deleted.
   */
  async lockForDeployment(tx: Tx, organizationId: string, environmentId: string, rawId: string): Promise<DeployableTarget> {
    const target = isUuid(rawId) ? await this.repo.lock(tx, organizationId, environmentId, rawId) : null;
    if (!target || target.deletedAt) throw targetNotFound(rawId);
    return { id: target.id, name: target.name };
  }

  /**
   * Refuses (409 POLICY_NOT_ENFORCEABLE) policy types the target's gateways do not implement
   * (target-status.ts enforcedPolicyTypes), so an API never goes to a gateway that would serve
   * it without one of its policies.
   */
  async assertEnforceable(tx: Tx, targetId: string, policyTypes: Iterable<string>): Promise<void> {
    const target = await this.repo.findWithReplicas(tx, targetId);
    if (!target) return;
    const enforced = enforcedPolicyTypes(target.replicas, this.liveness());
    const missing = [...new Set(policyTypes)].filter((type) => !enforced.has(type));
    if (!missing.length) return;
    const implemented = enforced.size ? [...enforced].sort().join(', ') : 'no policy';
    throw new DomainError(
      'POLICY_NOT_ENFORCEABLE',
      `Policy ${missing.join(', ')} cannot be enforced by gateway ${target.name} (${target.id}): its gateways implement ${implemented}`,
    );
  }

  /** A target that is not deleted, read without locking. */
  async findLive(organizationId: string, environmentId: string, rawId: string): Promise<DeployableTarget> {
    const target = await this.find(organizationId, environmentId, rawId);
    if (target.deletedAt) throw targetNotFound(rawId);
    return { id: target.id, name: target.name };
  }

  private async find(organizationId: string, environmentId: string, rawId: string) {
    const target = isUuid(rawId) ? await this.repo.findOne(organizationId, environmentId, rawId) : null;
    if (!target) throw targetNotFound(rawId);
    return target;
  }

  private async findGateway(organizationId: string, environmentId: string, rawId: string) {
    const target = isUuid(rawId) ? await this.repo.findOne(organizationId, environmentId, rawId) : null;
    if (!target) throw gatewayNotFound();
    return target;
  }
}

function targetNotFound(id: string): DomainError {
  return new DomainError('TARGET_NOT_FOUND', `Gateway target ${id} not found in this environment`);
}

/** The standalone API's exact wording (contract §9.5). */
function gatewayNotFound(): DomainError {
  return new DomainError('TARGET_NOT_FOUND', 'Gateway not found by id');
}

function standalonePage(query: StandalonePageQuery): TargetPage {
  if (query.pageSize < 1 || query.pageSize >= STANDALONE_REFUSED_PAGE_SIZE) {
    throw new DomainError('TARGET_PAGE_SIZE_INVALID', 'Wrong page size');
  }
  const take = Math.min(query.pageSize, STANDALONE_MAX_PAGE_SIZE);
  return { skip: query.pageNumber * take, take };
}
