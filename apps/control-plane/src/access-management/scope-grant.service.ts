/**
 * Turns requested scopes into grants, and checks that the caller may give or take them.
 *
 * Contract: a grant's organization (`context_params.org`, default the route's organization) must
 * be visible to the caller (404 otherwise) and the caller must hold `admin:organization` there
 * (403); its `envId` must belong to that organization (404). Removing a grant needs the same
 * permission in the grant's organization, so an administrator of one business group cannot strip
 * permissions another organization gave. So does changing the credentials, state or existence of
 * whoever holds it (password, enabled, delete, secret rotation): otherwise an administrator of a
 * business group could take over a member that holds grants in the parent and act with them.
 */
import { Injectable } from '@nestjs/common';
import { AccessService } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { type Scope, toScope } from '../auth/scopes.js';
import { DomainError } from '../common/domain-error.js';
import type { ScopeItem } from './access-management.dto.js';
import type { GrantRow } from './access-management.repository.js';

@Injectable()
export class ScopeGrantService {
  constructor(private readonly access: AccessService) {}

  /** Validated, de-duplicated grants for `items`; unknown scope names are 400 SCOPE_UNKNOWN. */
  async resolve(principal: Principal, items: ScopeItem[], defaultOrganizationId: string): Promise<GrantRow[]> {
    const scopes: Scope[] = items.map((item) => {
      const scope = toScope(item.scope);
      if (!scope)
        throw new DomainError('SCOPE_UNKNOWN', `Unknown scope: ${item.scope} (GET /accounts/api/permissions lists them)`);
      return scope;
    });
    const grants = new Map<string, GrantRow>();
    for (const [i, item] of items.entries()) {
      const organizationId = item.context_params?.org ?? defaultOrganizationId;
      const environmentId = item.context_params?.envId ?? null;
      await this.assertMayAdminister(principal, organizationId);
      if (environmentId !== null) await this.access.assertEnvironmentInOrganization(organizationId, environmentId);
      const scope = scopes[i]!;
      grants.set(`${scope} ${organizationId} ${environmentId}`, { scope, organizationId, environmentId });
    }
    return [...grants.values()];
  }

  /**
   * 403 unless the caller administers the organization of every grant in `held`: needed to take
   * them away, and to change the credentials, state or existence of the user or app holding them.
   */
  async assertAdministersAll(principal: Principal, held: GrantRow[]): Promise<void> {
    for (const organizationId of new Set(held.map((g) => g.organizationId))) {
      await this.access.assertScope(principal, { scope: 'admin:organization', organizationId });
    }
  }

  /** 404 unless visible, 403 unless the caller holds `admin:organization` there. */
  async assertMayAdminister(principal: Principal, organizationId: string): Promise<void> {
    this.access.assertOrganizationVisible(principal, organizationId);
    await this.access.assertScope(principal, { scope: 'admin:organization', organizationId });
  }
}
