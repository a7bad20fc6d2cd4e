/**
 * Users of an organization and their permissions. A user is addressed through its own
 * organization only; any other organization answers 404.
 *
 * A new password revokes every token of the user. Users cannot delete or disable themselves, so
 * the last administrator cannot lock everyone out by mistake. Setting a password, disabling or
 * enabling, and deleting need admin:organization in the organization of every grant the user
 * holds, as changing its permissions does: a business-group administrator must not take over (or
 * lock out) a member holding grants in the parent. Names and email need only the route's scope.
 *
 * Audit: a user is recorded as GET shows it with its permissions (`scopes`); a password is never
 * part of it, and an update that sets one shows `password: ********` after.
 */
import { Injectable } from '@nestjs/common';
import { SECRET_MASK } from '#portico/policy-catalog';
import { isUuid } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { assertReadBack } from '../common/read-back.js';
import { hashSecret } from '../common/secrets.js';
import type { PageQuery, ScopeItem } from './access-management.dto.js';
import { AccessManagementRepository } from './access-management.repository.js';
import { grantView } from './grant.view.js';
import { ScopeGrantService } from './scope-grant.service.js';
import type { CreateUserBody, UpdateUserBody } from './user.dto.js';
import { userView } from './user.view.js';

@Injectable()
export class UserService {
  constructor(
    private readonly repo: AccessManagementRepository,
    private readonly grants: ScopeGrantService,
    private readonly audit: AuditTrailService,
  ) {}

  async list(organizationId: string, page: PageQuery) {
    const { rows, total } = await this.repo.listUsers(organizationId, page);
    return { data: rows.map(userView), total };
  }

  async create(principal: Principal, organizationId: string, body: CreateUserBody) {
    const grants = await this.grants.resolve(principal, body.scopes ?? [], organizationId);
    const passwordHash = await hashSecret(body.password);
    return this.repo.transaction(async (tx) => {
      const user = await this.repo.createUser(tx, {
        organizationId,
        username: body.username,
        passwordHash,
        firstName: body.firstName ?? '',
        lastName: body.lastName ?? '',
        email: body.email ?? '',
        grants,
      });
      await this.record(tx, 'create', user, { after: await this.audited(tx, user) });
      return userView(user);
    });
  }

  async get(organizationId: string, userId: string) {
    return userView(await this.find(organizationId, userId));
  }

  async update(principal: Principal, organizationId: string, userId: string, body: UpdateUserBody) {
    const user = await this.find(organizationId, userId);
    if (body.enabled === false && isCaller(principal, user.id)) {
      throw new DomainError('USER_IS_CALLER', 'You cannot disable your own user');
    }
    assertReadBack(body, user, { id: null, username: 'the username of a user cannot change', organizationId: null });
    if (body.password !== undefined || (body.enabled !== undefined && body.enabled !== user.enabled)) {
      await this.grants.assertAdministersAll(principal, await this.repo.userGrants(user.id));
    }
    const { password, id: _id, username: _username, organizationId: _organizationId, ...fields } = body;
    const passwordHash = password === undefined ? undefined : await hashSecret(password);
    return this.repo.transaction(async (tx) => {
      const before = await this.audited(tx, user);
      const updated = await this.repo.updateUser(tx, user.id, { ...fields, ...(passwordHash && { passwordHash }) });
      const after = { ...(await this.audited(tx, updated)), ...(passwordHash && { password: SECRET_MASK }) };
      await this.record(tx, 'update', updated, { before, after });
      return userView(updated);
    });
  }

  async delete(principal: Principal, organizationId: string, userId: string): Promise<void> {
    const user = await this.find(organizationId, userId);
    if (isCaller(principal, user.id)) throw new DomainError('USER_IS_CALLER', 'You cannot delete your own user');
    await this.grants.assertAdministersAll(principal, await this.repo.userGrants(user.id));
    await this.repo.transaction(async (tx) => {
      const before = await this.audited(tx, user);
      await this.repo.deleteUser(tx, user.id);
      await this.record(tx, 'delete', user, { before });
    });
  }

  async scopes(organizationId: string, userId: string) {
    const user = await this.find(organizationId, userId);
    return { scopes: (await this.repo.userGrants(user.id)).map(grantView) };
  }

  /** Replaces every grant of the user; the caller must administer the organizations of the old ones too. */
  async replaceScopes(principal: Principal, organizationId: string, userId: string, items: ScopeItem[]) {
    const user = await this.find(organizationId, userId);
    const grants = await this.grants.resolve(principal, items, organizationId);
    await this.grants.assertAdministersAll(principal, await this.repo.userGrants(user.id));
    await this.repo.transaction(async (tx) => {
      const before = await this.audited(tx, user);
      await this.repo.replaceUserGrants(tx, user.id, grants);
      await this.record(tx, 'update', user, { before, after: await this.audited(tx, user) });
    });
    return this.scopes(organizationId, user.id);
  }

  /** Adds grants; ones the user already holds are left as they are (adding none changes nothing). */
  async addScopes(principal: Principal, organizationId: string, userId: string, items: ScopeItem[]) {
    const user = await this.find(organizationId, userId);
    const grants = await this.grants.resolve(principal, items, organizationId);
    await this.repo.transaction(async (tx) => {
      const before = await this.audited(tx, user);
      if ((await this.repo.addUserGrants(tx, user.id, grants)) === 0) return;
      await this.record(tx, 'update', user, { before, after: await this.audited(tx, user) });
    });
    return this.scopes(organizationId, user.id);
  }

  private async find(organizationId: string, userId: string) {
    const user = isUuid(userId) ? await this.repo.findUserInOrganization(userId, organizationId) : null;
    if (!user) throw new DomainError('USER_NOT_FOUND', `User ${userId} not found in organization ${organizationId}`);
    return user;
  }

  /** The user as the audit trail keeps it: as GET shows it, with its permissions read in `tx`. */
  private async audited(tx: Tx, user: UserRow) {
    return { ...userView(user), scopes: (await this.repo.userGrants(user.id, tx)).map(grantView) };
  }

  private record(tx: Tx, action: AuditAction, user: UserRow, change: { before?: object; after?: object }): Promise<void> {
    return this.audit.record(tx, {
      organizationId: user.organizationId,
      action,
      resource: { type: 'user', id: user.id, name: user.username },
      ...change,
    });
  }
}

type UserRow = Parameters<typeof userView>[0];

function isCaller(principal: Principal, userId: string): boolean {
  return principal.kind === 'user' && principal.id === userId;
}
