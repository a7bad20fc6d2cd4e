import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { AccessManagementRepository } from './access-management.repository.js';
import { grantView } from './grant.view.js';
import { ancestorIds, organizationView } from './organization.view.js';
import { userView } from './user.view.js';

@Injectable()
export class MeService {
  constructor(private readonly repo: AccessManagementRepository) {}

  async describe(principal: Principal) {
    const visible = await this.repo.findOrganizations([...principal.visibleOrgIds]);
    const memberOf = visible.map((o) => ({ id: o.id, name: o.name }));
    if (principal.kind === 'app') {
      const app = await this.repo.findConnectedApp(principal.id);
      if (!app) throw new DomainError('UNAUTHENTICATED', 'Invalid access token');
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
    const user = await this.repo.findUser(principal.id);
    const org = user ? await this.repo.findOrganization(user.organizationId) : null;
    if (!user || !org) throw new DomainError('UNAUTHENTICATED', 'Invalid access token');
    return {
      user: {
        ...userView(user),
        organization: organizationView(org, ancestorIds(await this.repo.organizationTree(), org.id)),
        memberOfOrganizations: memberOf,
        contributorOfOrganizations: memberOf,
        properties: {},
        permissions: principal.grants.map(grantView),
      },
    };
  }
}
