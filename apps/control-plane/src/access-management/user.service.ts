/**
 * Users of an organization and their permissions. A user is addressed through its own
 * organization only; any other organization answers 404.
 *
 * A new password revokes every token of the user. Users cannot delete or disable themselves, so
 * the last administrator cannot lock everyone out by mistake.
 */
import { Injectable } from '@nestjs/common';
import { isUuid } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
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
  ) {}

  async list(organizationId: string, page: PageQuery) {
    const { rows, total } = await this.repo.listUsers(organizationId, page);
    return { data: rows.map(userView), total };
  }

  async create(principal: Principal, organizationId: string, body: CreateUserBody) {
    const grants = await this.grants.resolve(principal, body.scopes ?? [], organizationId);
    const user = await this.repo.createUser({
      organizationId,
      username: body.username,
      passwordHash: await hashSecret(body.password),
      firstName: body.firstName ?? '',
      lastName: body.lastName ?? '',
      email: body.email ?? '',
      grants,
    });
    return userView(user);
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
    const { password, id: _id, username: _username, organizationId: _organizationId, ...fields } = body;
    const updated = await this.repo.updateUser(user.id, {
      ...fields,
      ...(password !== undefined && { passwordHash: await hashSecret(password) }),
    });
    return userView(updated);
  }

  async delete(principal: Principal, organizationId: string, userId: string): Promise<void> {
    const user = await this.find(organizationId, userId);
    if (isCaller(principal, user.id)) throw new DomainError('USER_IS_CALLER', 'You cannot delete your own user');
    await this.repo.deleteUser(user.id);
  }

  async scopes(organizationId: string, userId: string) {
    const user = await this.find(organizationId, userId);
    return { scopes: (await this.repo.userGrants(user.id)).map(grantView) };
  }

  /** Replaces every grant of the user; the caller must administer the organizations of the old ones too. */
  async replaceScopes(principal: Principal, organizationId: string, userId: string, items: ScopeItem[]) {
    const user = await this.find(organizationId, userId);
    const grants = await this.grants.resolve(principal, items, organizationId);
    await this.grants.assertMayRevoke(principal, await this.repo.userGrants(user.id));
    await this.repo.replaceUserGrants(user.id, grants);
    return this.scopes(organizationId, user.id);
  }

  /** Adds grants; ones the user already holds are left as they are. */
  async addScopes(principal: Principal, organizationId: string, userId: string, items: ScopeItem[]) {
    const user = await this.find(organizationId, userId);
    await this.repo.addUserGrants(user.id, await this.grants.resolve(principal, items, organizationId));
    return this.scopes(organizationId, user.id);
  }

  private async find(organizationId: string, userId: string) {
    const user = isUuid(userId) ? await this.repo.findUserInOrganization(userId, organizationId) : null;
    if (!user) throw new DomainError('USER_NOT_FOUND', `User ${userId} not found in organization ${organizationId}`);
    return user;
  }
}

function isCaller(principal: Principal, userId: string): boolean {
  return principal.kind === 'user' && principal.id === userId;
}
