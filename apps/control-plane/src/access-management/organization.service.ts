/**
 * Organizations and business groups.
 *
 * Business groups are created under a visible parent by a caller holding `admin:organization`
 * there, and deleted by the same permission on the parent. Deleting one takes its environments
 * and every grant in it along, but is refused (409 ORGANIZATION_NOT_EMPTY) while it still holds
 * business groups, users, connected apps, API instances, gateway targets, Exchange assets or
 * client applications: identities, secrets and published assets are never deleted implicitly.
 * A new business group starts without environments, so clients that create their own
 * (Terraform) do not collide with defaults.
 *
 * Audit: creating and deleting a business group are changes of its parent organization (whose
 * administrators may make them) and are recorded there; a rename is recorded in the organization.
 */
import { Injectable } from '@nestjs/common';
import { AccessService, isUuid } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { assertReadBack } from '../common/read-back.js';
import { AccessManagementRepository } from './access-management.repository.js';
import type { CreateOrganizationBody, UpdateOrganizationBody } from './organization.dto.js';
import { environmentView } from './environment.view.js';
import { ancestorIds, organizationView } from './organization.view.js';
import { ScopeGrantService } from './scope-grant.service.js';

@Injectable()
export class OrganizationService {
  constructor(
    private readonly repo: AccessManagementRepository,
    private readonly access: AccessService,
    private readonly grants: ScopeGrantService,
    private readonly audit: AuditTrailService,
  ) {}

  /**
   * The organization with its environments (anypoint-cli's `business-group describe` lists them).
   * `subOrganizationIds` lists only the business groups the caller may see: an organization
   * visible through an environment-narrowed grant does not reveal its other business groups.
   */
  async get(principal: Principal, organizationId: string) {
    const org = await this.repo.findOrganizationWithEnvironments(organizationId);
    if (!org) throw notFound(organizationId);
    const children = org.children.filter((c) => principal.visibleOrgIds.has(c.id));
    return {
      ...organizationView({ ...org, children }, ancestorIds(await this.repo.organizationTree(), org.id)),
      environments: org.environments.map(environmentView),
    };
  }

  async create(principal: Principal, body: CreateOrganizationBody) {
    await this.grants.assertMayAdminister(principal, body.parentOrganizationId);
    if (body.ownerId) {
      const owner = isUuid(body.ownerId)
        ? await this.repo.findUserInOrganizations(body.ownerId, [...principal.visibleOrgIds])
        : null;
      if (!owner) throw new DomainError('USER_NOT_FOUND', `User ${body.ownerId} not found`);
    }
    return this.repo.transaction(async (tx) => {
      const org = await this.repo.createBusinessGroup(tx, {
        name: body.name,
        parentId: body.parentOrganizationId,
        ...(body.ownerId && { ownerId: body.ownerId }),
      });
      const after = await this.view(tx, org);
      await this.record(tx, body.parentOrganizationId, 'create', after, { after });
      return after;
    });
  }

  async update(organizationId: string, body: UpdateOrganizationBody) {
    const org = await this.repo.findOrganization(organizationId);
    if (!org) throw notFound(organizationId);
    assertReadBack(
      body,
      { id: org.id, parentOrganizationId: org.parentId },
      { id: null, parentOrganizationId: 'business groups cannot move' },
    );
    return this.repo.transaction(async (tx) => {
      const before = await this.view(tx, org);
      const after = await this.view(tx, await this.repo.renameOrganization(tx, org.id, org.parentId, body.name));
      await this.record(tx, org.id, 'update', after, { before, after });
      return after;
    });
  }

  async delete(principal: Principal, organizationId: string): Promise<void> {
    const org = await this.repo.findOrganization(organizationId);
    if (!org) throw notFound(organizationId);
    if (!org.parentId)
      throw new DomainError(
        'ORGANIZATION_IS_ROOT',
        `Organization ${organizationId} is a root organization and cannot be deleted`,
      );
    const parentId = org.parentId;
    await this.access.assertScope(principal, { scope: 'admin:organization', organizationId: parentId });
    await this.repo.transaction(async (tx) => {
      const before = await this.view(tx, org);
      await this.repo.deleteOrganization(tx, org.id);
      await this.record(tx, parentId, 'delete', before, { before });
    });
  }

  private async view(tx: Tx, org: Parameters<typeof organizationView>[0]) {
    return organizationView(org, ancestorIds(await this.repo.organizationTree(tx), org.id));
  }

  /** Records a change of business group `org` in `organizationId`'s trail (see the header). */
  private record(
    tx: Tx,
    organizationId: string,
    action: AuditAction,
    org: OrganizationView,
    change: { before?: OrganizationView; after?: OrganizationView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId,
      action,
      resource: { type: 'organization', id: org.id, name: org.name },
      ...change,
    });
  }
}

type OrganizationView = ReturnType<typeof organizationView>;

function notFound(organizationId: string): DomainError {
  return new DomainError('ORGANIZATION_NOT_FOUND', `Organization ${organizationId} not found`);
}
