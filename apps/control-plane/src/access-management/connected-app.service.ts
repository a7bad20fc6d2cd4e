/**
 * Connected applications: what CI pipelines authenticate as.
 *
 * An app belongs to its creator's organization. The client secret is shown once, on create and
 * on rotation, and stored only as a scrypt hash; rotating it revokes every token issued with the
 * old one. An app in an organization the caller cannot see is 404; reading one needs View
 * Organization (read:organization) and changing one needs admin:organization in its organization.
 */
import { Injectable } from '@nestjs/common';
import { AccessService } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { hashSecret, randomClientId, randomToken } from '../common/secrets.js';
import type { ScopeItem } from './access-management.dto.js';
import { AccessManagementRepository } from './access-management.repository.js';
import type { CreateConnectedAppBody } from './connected-app.dto.js';
import { connectedAppView } from './connected-app.view.js';
import { grantView } from './grant.view.js';
import { ScopeGrantService } from './scope-grant.service.js';

@Injectable()
export class ConnectedAppService {
  constructor(
    private readonly repo: AccessManagementRepository,
    private readonly access: AccessService,
    private readonly grants: ScopeGrantService,
  ) {}

  async create(principal: Principal, body: CreateConnectedAppBody) {
    const organizationId = principal.organizationId;
    await this.grants.assertMayAdminister(principal, organizationId);
    const grants = await this.grants.resolve(principal, body.scopes ?? [], organizationId);
    const secret = randomToken();
    const app = await this.repo.createConnectedApp({
      clientId: randomClientId(),
      clientSecretHash: await hashSecret(secret),
      name: body.client_name,
      organizationId,
      grantTypes: [...new Set(body.grant_types)],
      createdById: principal.kind === 'user' ? principal.id : null,
      grants,
    });
    return {
      client_id: app.clientId,
      client_secret: secret,
      client_name: app.name,
      grant_types: app.grantTypes,
      org_id: app.organizationId,
      scopes: app.grants.map(grantView),
    };
  }

  /** Apps of every visible organization in which the caller may view the organization. */
  async list(principal: Principal) {
    const readable: string[] = [];
    for (const organizationId of principal.visibleOrgIds) {
      if (await this.access.hasScope(principal, { scope: 'read:organization', organizationId })) readable.push(organizationId);
    }
    const apps = await this.repo.listConnectedApps(readable);
    return { data: apps.map(connectedAppView), total: apps.length };
  }

  async get(principal: Principal, clientId: string) {
    return connectedAppView(await this.find(principal, clientId, 'read:organization'));
  }

  async delete(principal: Principal, clientId: string): Promise<void> {
    const app = await this.find(principal, clientId, 'admin:organization');
    await this.repo.deleteConnectedApp(app.id, app.clientId);
  }

  async scopes(principal: Principal, clientId: string) {
    const app = await this.find(principal, clientId, 'read:organization');
    return { scopes: app.grants.map(grantView) };
  }

  /** Replaces the scope list (contract §2.5: PATCH answers 204). */
  async replaceScopes(principal: Principal, clientId: string, items: ScopeItem[]): Promise<void> {
    const app = await this.find(principal, clientId, 'admin:organization');
    const grants = await this.grants.resolve(principal, items, app.organizationId);
    await this.grants.assertMayRevoke(principal, app.grants);
    await this.repo.replaceConnectedAppGrants(app.id, grants);
  }

  /** Removes the app's grants in `organizationId` (the guard checked admin:organization there). */
  async deleteScopesIn(principal: Principal, organizationId: string, clientId: string): Promise<void> {
    const app = await this.find(principal, clientId);
    await this.repo.deleteConnectedAppGrantsIn(app.id, organizationId);
  }

  async rotateSecret(principal: Principal, clientId: string) {
    const app = await this.find(principal, clientId, 'admin:organization');
    const secret = randomToken();
    await this.repo.rotateConnectedAppSecret(app.id, app.clientId, await hashSecret(secret));
    return { client_id: app.clientId, client_secret: secret };
  }

  private async find(principal: Principal, clientId: string, scope?: 'read:organization' | 'admin:organization') {
    const app = await this.repo.findConnectedAppWithGrants(clientId);
    if (!app || !principal.visibleOrgIds.has(app.organizationId)) {
      throw new DomainError('CONNECTED_APP_NOT_FOUND', `Connected application ${clientId} not found`);
    }
    if (scope) await this.access.assertScope(principal, { scope, organizationId: app.organizationId });
    return app;
  }
}
