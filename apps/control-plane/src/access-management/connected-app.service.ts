/**
 * Connected applications: what CI pipelines authenticate as.
 *
 * An app belongs to its creator's organization. The client secret is shown once, on create and
 * on rotation, and stored only as a scrypt hash; rotating it revokes every token issued with the
 * old one. An app in an organization the caller cannot see is 404; reading one needs View
 * Organization (read:organization) and changing one needs admin:organization in its organization.
 * Rotating its secret or deleting it also needs admin:organization in the organization of every
 * grant it holds, as changing its scopes does, so an administrator of a business group cannot take
 * over an app that holds grants in the parent.
 * Every change is recorded in the app's organization, as GET shows the app (never its secret).
 */
import { Injectable } from '@nestjs/common';
import { AccessService } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
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
    private readonly audit: AuditTrailService,
  ) {}

  async create(principal: Principal, body: CreateConnectedAppBody) {
    const organizationId = principal.organizationId;
    await this.grants.assertMayAdminister(principal, organizationId);
    const grants = await this.grants.resolve(principal, body.scopes ?? [], organizationId);
    const secret = randomToken();
    const clientSecretHash = await hashSecret(secret);
    const app = await this.repo.transaction(async (tx) => {
      const created = await this.repo.createConnectedApp(tx, {
        clientId: randomClientId(),
        clientSecretHash,
        name: body.client_name,
        organizationId,
        grantTypes: [...new Set(body.grant_types)],
        createdById: principal.kind === 'user' ? principal.id : null,
        grants,
      });
      await this.record(tx, 'create', created, { after: connectedAppView(created) });
      return created;
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
    await this.grants.assertAdministersAll(principal, app.grants);
    await this.repo.transaction(async (tx) => {
      await this.repo.deleteConnectedApp(tx, app.id, app.clientId);
      await this.record(tx, 'delete', app, { before: connectedAppView(app) });
    });
  }

  async scopes(principal: Principal, clientId: string) {
    const app = await this.find(principal, clientId, 'read:organization');
    return { scopes: app.grants.map(grantView) };
  }

  /** Replaces the scope list (contract §2.5: PATCH answers 204). */
  async replaceScopes(principal: Principal, clientId: string, items: ScopeItem[]): Promise<void> {
    const app = await this.find(principal, clientId, 'admin:organization');
    const grants = await this.grants.resolve(principal, items, app.organizationId);
    await this.grants.assertAdministersAll(principal, app.grants);
    await this.repo.transaction(async (tx) => {
      await this.repo.replaceConnectedAppGrants(tx, app.id, grants);
      await this.recordUpdate(tx, app);
    });
  }

  /** Removes the app's grants in `organizationId` (the guard checked admin:organization there). */
  async deleteScopesIn(principal: Principal, organizationId: string, clientId: string): Promise<void> {
    const app = await this.find(principal, clientId);
    await this.repo.transaction(async (tx) => {
      if ((await this.repo.deleteConnectedAppGrantsIn(tx, app.id, organizationId)) > 0) await this.recordUpdate(tx, app);
    });
  }

  async rotateSecret(principal: Principal, clientId: string) {
    const app = await this.find(principal, clientId, 'admin:organization');
    await this.grants.assertAdministersAll(principal, app.grants);
    const secret = randomToken();
    const clientSecretHash = await hashSecret(secret);
    await this.repo.transaction(async (tx) => {
      await this.repo.rotateConnectedAppSecret(tx, app.id, app.clientId, clientSecretHash);
      const view = connectedAppView(app);
      await this.record(tx, 'rotate', app, { before: view, after: view });
    });
    return { client_id: app.clientId, client_secret: secret };
  }

  /** Records a change of `app`'s permissions: before as read, after as `tx` now reads it. */
  private async recordUpdate(tx: Tx, app: AppRow): Promise<void> {
    const after = await this.repo.findConnectedAppWithGrants(app.clientId, tx);
    await this.record(tx, 'update', app, { before: connectedAppView(app), after: after && connectedAppView(after) });
  }

  private record(tx: Tx, action: AuditAction, app: AppRow, change: { before?: object; after?: object | null }): Promise<void> {
    return this.audit.record(tx, {
      organizationId: app.organizationId,
      action,
      resource: { type: 'connected-application', id: app.clientId, name: app.name },
      ...change,
    });
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

type AppRow = NonNullable<Awaited<ReturnType<AccessManagementRepository['findConnectedAppWithGrants']>>>;
