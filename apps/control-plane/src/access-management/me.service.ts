/**
 * Who a bearer token belongs to, in the two shapes Access Management has:
 * - `GET /accounts/api/me` (contract §2.3): `{user: {…, organization, memberOfOrganizations}}`, or
 *   `{client: {client_id, org_id, …}}` for a connected app's token;
 * - `GET /accounts/api/users/me`: the account at the top level (`id`, `username`, …,
 *   `organizationPreferences`, `memberOfOrganizations[{id, name, isRoot, isMaster}]`), which
 *   anypoint-cli-v4 reads at sign-in to choose the organization (the `isRoot` one unless told).
 *   A connected app's token answers with the app as the account (`id` = its client id) and its
 *   visible organizations as those it is a member of.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import type { MeView } from './access-management.dto.js';
import { AccessManagementRepository } from './access-management.repository.js';
import { grantView } from './grant.view.js';
import { ancestorIds, organizationView } from './organization.view.js';
import { userView } from './user.view.js';

@Injectable()
export class MeService {
  constructor(private readonly repo: AccessManagementRepository) {}

  async describe(principal: Principal): Promise<MeView> {
    if (principal.kind === 'app') {
      const app = await this.connectedApp(principal);
      return {
        client: {
          client_id: app.clientId,
          name: app.name,
          org_id: app.organizationId,
          redirect_uris: [],
          grant_types: app.grantTypes,
          scopes: principal.grants.map((g) => g.scope),
        },
      };
    }
    const { user, organization, memberOf } = await this.userAccount(principal);
    return {
      user: {
        ...user,
        organization,
        memberOfOrganizations: memberOf,
        contributorOfOrganizations: memberOf,
        properties: {},
        permissions: principal.grants.map(grantView),
      },
    };
  }

  async account(principal: Principal) {
    if (principal.kind === 'app') {
      const app = await this.connectedApp(principal);
      const memberOf = await this.memberOf(principal);
      return {
        id: app.clientId,
        username: app.name,
        firstName: app.name,
        lastName: '',
        email: '',
        enabled: true,
        deleted: false,
        type: 'client',
        organizationId: app.organizationId,
        createdAt: app.createdAt.toISOString(),
        updatedAt: app.updatedAt.toISOString(),
        organization: await this.organization(app.organizationId),
        organizationPreferences: {},
        memberOfOrganizations: memberOf,
        contributorOfOrganizations: memberOf,
        properties: {},
      };
    }
    const { user, organization, memberOf } = await this.userAccount(principal);
    return {
      ...user,
      organization,
      // Portico keeps no per-user preferences (such as a default environment) yet.
      organizationPreferences: {},
      memberOfOrganizations: memberOf,
      contributorOfOrganizations: memberOf,
      properties: {},
    };
  }

  private async connectedApp(principal: Principal) {
    const app = await this.repo.findConnectedApp(principal.id);
    if (!app) throw new DomainError('UNAUTHENTICATED', 'Invalid access token');
    return app;
  }

  private async userAccount(principal: Principal) {
    const user = await this.repo.findUser(principal.id);
    const organization = user ? await this.organization(user.organizationId) : undefined;
    if (!user || !organization) throw new DomainError('UNAUTHENTICATED', 'Invalid access token');
    return { user: userView(user), organization, memberOf: await this.memberOf(principal) };
  }

  private async organization(organizationId: string) {
    const org = await this.repo.findOrganization(organizationId);
    return org ? organizationView(org, ancestorIds(await this.repo.organizationTree(), org.id)) : undefined;
  }

  /** The organizations the principal may see, root first, as `memberOfOrganizations` lists them. */
  private async memberOf(principal: Principal) {
    const visible = await this.repo.findOrganizations([...principal.visibleOrgIds]);
    return visible.map((o) => ({
      id: o.id,
      name: o.name,
      parentId: o.parentId,
      isRoot: o.parentId === null,
      isMaster: o.parentId === null,
      clientId: o.clientId,
    }));
  }
}
