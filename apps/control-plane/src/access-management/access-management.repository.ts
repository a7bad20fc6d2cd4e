/**
 * Persistence of Access Management. Writes run in the transaction the service opens
 * ({@link AccessManagementRepository.transaction}), which also holds the change's audit record.
 *
 * Deleting an organization locks its row FOR UPDATE before counting what it still holds; rows
 * with a foreign key to it (business groups, environments, users, apps) take a KEY SHARE lock on
 * insert, so nothing can be added between the count and the delete. API instances and gateway
 * targets have no foreign key to their environment, so that check is best effort.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isForeignKeyViolation, isRecordNotFound, isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import { randomClientId } from '../common/secrets.js';
import type { Prisma } from '../generated/prisma/client.js';

export interface GrantRow {
  scope: string;
  organizationId: string;
  environmentId: string | null;
}

export interface EnvironmentFilter {
  name?: string;
  isProduction?: boolean;
  type?: string;
  search?: string;
}

const grantSelect = { scope: true, organizationId: true, environmentId: true } as const;
/** Organization-wide grants before environment-narrowed ones. */
const grantOrder: Prisma.PermissionGrantOrderByWithRelationInput[] = [
  { organizationId: 'asc' },
  { environmentId: { sort: 'asc', nulls: 'first' } },
  { scope: 'asc' },
];
const userSelect = {
  id: true,
  organizationId: true,
  username: true,
  firstName: true,
  lastName: true,
  email: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
} as const;
const appInclude = { grants: { select: grantSelect, orderBy: grantOrder } } satisfies Prisma.ConnectedAppInclude;

@Injectable()
export class AccessManagementRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  // ------------------------------------------------------------ login / me

  findUserByUsername(username: string) {
    return this.prisma.user.findUnique({ where: { username } });
  }

  findConnectedAppByClientId(clientId: string) {
    return this.prisma.connectedApp.findUnique({ where: { clientId } });
  }

  findUser(id: string) {
    return this.prisma.user.findUnique({ where: { id }, include: { organization: true } });
  }

  findConnectedApp(id: string) {
    return this.prisma.connectedApp.findUnique({ where: { id } });
  }

  /** An organization with its business groups and its environments (GET …/organizations/{id}). */
  findOrganizationWithEnvironments(id: string) {
    return this.prisma.organization.findUnique({
      where: { id },
      include: {
        children: { select: { id: true }, orderBy: { createdAt: 'asc' } },
        environments: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
      },
    });
  }

  findOrganizations(ids: string[]) {
    return this.prisma.organization.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: 'asc' } });
  }

  // ------------------------------------------------------------ organizations

  findOrganization(id: string) {
    return this.prisma.organization.findUnique({
      where: { id },
      include: { children: { select: { id: true }, orderBy: { createdAt: 'asc' } } },
    });
  }

  /** (id, parentId) of every organization. */
  organizationTree(db: Tx = this.prisma) {
    return db.organization.findMany({ select: { id: true, parentId: true } });
  }

  /** A business group under `parentId`; `ownerId`, when given, becomes its Organization Administrator. */
  async createBusinessGroup(tx: Tx, data: { name: string; parentId: string; ownerId?: string }) {
    await lockOrganization(tx, data.parentId, 'FOR NO KEY UPDATE');
    await assertSiblingNameFree(tx, data.parentId, data.name);
    const org = await tx.organization.create({
      data: { name: data.name, parentId: data.parentId, clientId: randomClientId() },
      include: { children: { select: { id: true } } },
    });
    if (data.ownerId) {
      try {
        await tx.permissionGrant.create({ data: { userId: data.ownerId, scope: 'admin:organization', organizationId: org.id } });
      } catch (err) {
        // the parent row is locked, so a dangling reference can only be the owner (deleted meanwhile)
        if (isForeignKeyViolation(err)) throw new DomainError('USER_NOT_FOUND', `User ${data.ownerId} not found`);
        throw err;
      }
    }
    return org;
  }

  /** Renames; business-group names are unique among their siblings (case-insensitive). */
  async renameOrganization(tx: Tx, id: string, parentId: string | null, name: string) {
    if (parentId) {
      await lockOrganization(tx, parentId, 'FOR NO KEY UPDATE');
      await assertSiblingNameFree(tx, parentId, name, id);
    }
    const renamed = tx.organization.update({
      where: { id },
      data: { name },
      include: { children: { select: { id: true }, orderBy: { createdAt: 'asc' } } },
    });
    return orNotFound(renamed, () => organizationNotFound(id));
  }

  /**
   * Deletes a business group with its environments and every grant in it, or throws
   * ORGANIZATION_NOT_EMPTY listing what it still holds.
   */
  async deleteOrganization(tx: Tx, id: string): Promise<void> {
    await lockOrganization(tx, id, 'FOR UPDATE');
    const [children, users, apps, apis, targets, assets, clientApps] = await Promise.all([
      tx.organization.count({ where: { parentId: id } }),
      tx.user.count({ where: { organizationId: id } }),
      tx.connectedApp.count({ where: { organizationId: id } }),
      tx.apiInstance.count({ where: { organizationId: id } }),
      tx.gatewayTarget.count({ where: { organizationId: id, deletedAt: null } }),
      tx.exchangeAsset.count({ where: { organizationId: id, deletedAt: null } }),
      tx.clientApplication.count({ where: { organizationId: id } }),
    ]);
    const left = [
      counted(children, 'business group'),
      counted(users, 'user'),
      counted(apps, 'connected application'),
      counted(apis, 'API instance'),
      counted(targets, 'gateway target'),
      counted(assets, 'Exchange asset'),
      counted(clientApps, 'client application'),
    ].filter((s): s is string => s !== undefined);
    if (left.length) {
      throw new DomainError('ORGANIZATION_NOT_EMPTY', `Organization ${id} still has ${left.join(', ')}; delete them first`);
    }
    const envIds = (await tx.environment.findMany({ where: { organizationId: id }, select: { id: true } })).map((e) => e.id);
    await purgeEnvironmentLeftovers(tx, envIds);
    // environments and grants in the organization go with it (ON DELETE CASCADE)
    await tx.organization.delete({ where: { id } });
  }

  // ------------------------------------------------------------ environments

  async listEnvironments(organizationId: string, filter: EnvironmentFilter, page: { offset: number; limit: number }) {
    const where: Prisma.EnvironmentWhereInput = {
      organizationId,
      isProduction: filter.isProduction,
      type: filter.type,
      AND: [
        ...(filter.name !== undefined ? [{ name: filter.name }] : []),
        ...(filter.search !== undefined ? [{ name: { contains: filter.search, mode: 'insensitive' as const } }] : []),
      ],
    };
    const [rows, total] = await this.prisma.$transaction([
      this.prisma.environment.findMany({
        where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        skip: page.offset,
        take: page.limit,
      }),
      this.prisma.environment.count({ where }),
    ]);
    return { rows, total };
  }

  findEnvironment(id: string, db: Tx = this.prisma) {
    return db.environment.findUnique({ where: { id } });
  }

  async createEnvironment(tx: Tx, data: { organizationId: string; name: string; type: string; isProduction: boolean }) {
    try {
      return await tx.environment.create({ data: { ...data, clientId: randomClientId() } });
    } catch (err) {
      if (isUniqueViolation(err)) throw environmentNameTaken(data.organizationId, data.name);
      if (isForeignKeyViolation(err)) throw organizationNotFound(data.organizationId);
      throw err;
    }
  }

  async renameEnvironment(tx: Tx, id: string, organizationId: string, name: string) {
    try {
      return await tx.environment.update({ where: { id }, data: { name } });
    } catch (err) {
      if (isUniqueViolation(err)) throw environmentNameTaken(organizationId, name);
      if (isRecordNotFound(err)) throw environmentNotFound(id);
      throw err;
    }
  }

  /** Deletes an environment and the grants narrowed to it, or throws ENVIRONMENT_IN_USE. */
  async deleteEnvironment(tx: Tx, id: string): Promise<void> {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Environment" WHERE id = ${id}::uuid FOR UPDATE`;
    if (!locked.length) throw environmentNotFound(id);
    const [apis, targets] = await Promise.all([
      tx.apiInstance.count({ where: { environmentId: id } }),
      tx.gatewayTarget.count({ where: { environmentId: id, deletedAt: null } }),
    ]);
    const left = [counted(apis, 'API instance'), counted(targets, 'gateway target')].filter((s): s is string => s !== undefined);
    if (left.length) {
      throw new DomainError('ENVIRONMENT_IN_USE', `Environment ${id} still has ${left.join(', ')}; delete them first`);
    }
    await purgeEnvironmentLeftovers(tx, [id]);
    await tx.environment.delete({ where: { id } });
  }

  // ------------------------------------------------------------ users

  async listUsers(organizationId: string, page: { offset: number; limit: number }) {
    const where = { organizationId };
    const [rows, total] = await this.prisma.$transaction([
      this.prisma.user.findMany({
        where,
        select: userSelect,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        skip: page.offset,
        take: page.limit,
      }),
      this.prisma.user.count({ where }),
    ]);
    return { rows, total };
  }

  /** The user, only when it belongs to `organizationId`; never its password hash. */
  findUserInOrganization(id: string, organizationId: string, db: Tx = this.prisma) {
    return db.user.findFirst({ where: { id, organizationId }, select: userSelect });
  }

  /** A user in one of `organizationIds` (e.g. a business group's owner). */
  findUserInOrganizations(id: string, organizationIds: string[]) {
    return this.prisma.user.findFirst({ where: { id, organizationId: { in: organizationIds } }, select: { id: true } });
  }

  async createUser(
    tx: Tx,
    data: {
      organizationId: string;
      username: string;
      passwordHash: string;
      firstName: string;
      lastName: string;
      email: string;
      grants: GrantRow[];
    },
  ) {
    const { grants, ...user } = data;
    try {
      return await tx.user.create({ data: { ...user, grants: { create: grants } }, select: userSelect });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError('USER_ALREADY_EXISTS', `User with username ${data.username} already exists`);
      if (isForeignKeyViolation(err)) throw organizationNotFound(data.organizationId);
      throw err;
    }
  }

  /** Updates a user; a new password also revokes every token the user holds. */
  async updateUser(
    tx: Tx,
    id: string,
    data: { firstName?: string; lastName?: string; email?: string; enabled?: boolean; passwordHash?: string },
  ) {
    if (data.passwordHash) await tx.accessToken.deleteMany({ where: { userId: id } });
    return orNotFound(tx.user.update({ where: { id }, data, select: userSelect }), () => userNotFound(id));
  }

  /** Deletes the user; its tokens and grants go with it (ON DELETE CASCADE). */
  async deleteUser(tx: Tx, id: string): Promise<void> {
    await tx.connectedApp.updateMany({ where: { createdById: id }, data: { createdById: null } });
    await orNotFound(tx.user.delete({ where: { id } }), () => userNotFound(id));
  }

  userGrants(userId: string, db: Tx = this.prisma): Promise<GrantRow[]> {
    return db.permissionGrant.findMany({ where: { userId }, select: grantSelect, orderBy: grantOrder });
  }

  async replaceUserGrants(tx: Tx, userId: string, grants: GrantRow[]): Promise<void> {
    await tx.permissionGrant.deleteMany({ where: { userId } });
    await tx.permissionGrant.createMany({ data: grants.map((g) => ({ ...g, userId })) });
  }

  /** Adds the grants the user does not hold yet; answers how many that was. */
  async addUserGrants(tx: Tx, userId: string, grants: GrantRow[]): Promise<number> {
    const held = await tx.permissionGrant.findMany({ where: { userId }, select: grantSelect });
    const fresh = grants.filter((g) => !held.some((h) => sameGrant(h, g)));
    const { count } = await tx.permissionGrant.createMany({ data: fresh.map((g) => ({ ...g, userId })) });
    return count;
  }

  // ------------------------------------------------------------ connected applications

  createConnectedApp(
    tx: Tx,
    data: {
      clientId: string;
      clientSecretHash: string;
      name: string;
      organizationId: string;
      grantTypes: string[];
      createdById: string | null;
      grants: GrantRow[];
    },
  ) {
    const { grants, ...app } = data;
    return tx.connectedApp.create({ data: { ...app, grants: { create: grants } }, include: appInclude });
  }

  listConnectedApps(organizationIds: string[]) {
    return this.prisma.connectedApp.findMany({
      where: { organizationId: { in: organizationIds } },
      include: appInclude,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  findConnectedAppWithGrants(clientId: string, db: Tx = this.prisma) {
    return db.connectedApp.findUnique({ where: { clientId }, include: appInclude });
  }

  /** Deletes the app; its tokens and grants go with it (ON DELETE CASCADE). */
  async deleteConnectedApp(tx: Tx, id: string, clientId: string): Promise<void> {
    await orNotFound(tx.connectedApp.delete({ where: { id } }), () => connectedAppNotFound(clientId));
  }

  async replaceConnectedAppGrants(tx: Tx, connectedAppId: string, grants: GrantRow[]): Promise<void> {
    await tx.permissionGrant.deleteMany({ where: { connectedAppId } });
    await tx.permissionGrant.createMany({ data: grants.map((g) => ({ ...g, connectedAppId })) });
  }

  /** Removes the app's grants in the organization; answers how many there were. */
  async deleteConnectedAppGrantsIn(tx: Tx, connectedAppId: string, organizationId: string): Promise<number> {
    const { count } = await tx.permissionGrant.deleteMany({ where: { connectedAppId, organizationId } });
    return count;
  }

  /** Stores a new secret hash and revokes every token issued to the app. */
  async rotateConnectedAppSecret(tx: Tx, id: string, clientId: string, clientSecretHash: string): Promise<void> {
    await tx.accessToken.deleteMany({ where: { connectedAppId: id } });
    await orNotFound(tx.connectedApp.update({ where: { id }, data: { clientSecretHash } }), () => connectedAppNotFound(clientId));
  }
}

async function lockOrganization(tx: Tx, id: string, mode: 'FOR UPDATE' | 'FOR NO KEY UPDATE'): Promise<void> {
  const rows =
    mode === 'FOR UPDATE'
      ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Organization" WHERE id = ${id}::uuid FOR UPDATE`
      : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Organization" WHERE id = ${id}::uuid FOR NO KEY UPDATE`;
  if (!rows.length) throw organizationNotFound(id);
}

async function assertSiblingNameFree(tx: Tx, parentId: string, name: string, exceptId?: string): Promise<void> {
  const taken = await tx.organization.findFirst({
    where: { parentId, name: { equals: name, mode: 'insensitive' }, ...(exceptId && { id: { not: exceptId } }) },
    select: { id: true },
  });
  if (taken) {
    throw new DomainError(
      'ORGANIZATION_ALREADY_EXISTS',
      `A business group named ${name} already exists in organization ${parentId}`,
    );
  }
}

/**
 * Rows that point at environments without a foreign key: grants narrowed to them and registration
 * tokens. Deleted gateway targets stay as name tombstones (Flex never reuses a gateway name).
 */
async function purgeEnvironmentLeftovers(tx: Tx, environmentIds: string[]): Promise<void> {
  if (!environmentIds.length) return;
  const inEnvs = { environmentId: { in: environmentIds } };
  await tx.permissionGrant.deleteMany({ where: inEnvs });
  await tx.registrationToken.deleteMany({ where: inEnvs });
  // Deleted gateway targets are tombstones (their names stay taken); they go with their environment.
  await tx.gatewayTarget.deleteMany({ where: { ...inEnvs, deletedAt: { not: null } } });
}

function counted(n: number, noun: string): string | undefined {
  return n === 0 ? undefined : `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function sameGrant(a: GrantRow, b: GrantRow): boolean {
  return a.scope === b.scope && a.organizationId === b.organizationId && a.environmentId === b.environmentId;
}

function organizationNotFound(id: string): DomainError {
  return new DomainError('ORGANIZATION_NOT_FOUND', `Organization ${id} not found`);
}

function environmentNameTaken(organizationId: string, name: string): DomainError {
  return new DomainError(
    'ENVIRONMENT_ALREADY_EXISTS',
    `An environment named ${name} already exists in organization ${organizationId}`,
  );
}

function environmentNotFound(id: string): DomainError {
  return new DomainError('ENVIRONMENT_NOT_FOUND', `Environment ${id} not found`);
}

function userNotFound(id: string): DomainError {
  return new DomainError('USER_NOT_FOUND', `User ${id} not found`);
}

function connectedAppNotFound(clientId: string): DomainError {
  return new DomainError('CONNECTED_APP_NOT_FOUND', `Connected application ${clientId} not found`);
}

/** Turns P2025 (the row went away since it was read) into the feature's 404. */
async function orNotFound<T>(work: Promise<T>, notFound: () => DomainError): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isRecordNotFound(err)) throw notFound();
    throw err;
  }
}
