/**
 * Persistence of Secrets Manager. Deletes lock the row FOR UPDATE before looking for what still
 * uses it: inserting a TLS context (or an upstream reference to one) takes a KEY SHARE lock on the
 * row its foreign key points to, so nothing can be added between the check and the delete.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isForeignKeyViolation, isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';

/** TLS context columns a create or update writes; `undefined` leaves a column as it is. */
export interface TlsContextColumns {
  name?: string;
  target?: string;
  trustedCertificates?: string | null;
  certificate?: string | null;
  privateKeySealed?: string | null;
  serverName?: string | null;
  skipVerify?: boolean;
}

const ORDER = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

@Injectable()
export class SecretsManagerRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  // ------------------------------------------------------------ secret groups

  findGroups(organizationId: string, environmentId: string) {
    return this.prisma.secretGroup.findMany({ where: { organizationId, environmentId }, orderBy: ORDER });
  }

  findGroup(organizationId: string, environmentId: string, id: string) {
    return this.prisma.secretGroup.findFirst({ where: { id, organizationId, environmentId } });
  }

  async createGroup(tx: Tx, data: { organizationId: string; environmentId: string; name: string }) {
    try {
      return await tx.secretGroup.create({ data });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DomainError(
          'SECRET_GROUP_ALREADY_EXISTS',
          `A secret group named ${data.name} already exists in this environment`,
        );
      }
      throw err;
    }
  }

  /**
   * Deletes the group unless it holds TLS contexts. Answers null when the group does not exist,
   * else the group as it was and how many contexts it holds (0: it was deleted).
   */
  async deleteEmptyGroup(
    tx: Tx,
    organizationId: string,
    environmentId: string,
    id: string,
  ): Promise<{ group: SecretGroupRecord; held: number } | null> {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "SecretGroup"
      WHERE "id" = ${id}::uuid AND "organizationId" = ${organizationId}::uuid AND "environmentId" = ${environmentId}::uuid
      FOR UPDATE`;
    if (!locked.length) return null;
    const group = await tx.secretGroup.findUniqueOrThrow({ where: { id } });
    const held = await tx.tlsContext.count({ where: { secretGroupId: id } });
    if (held === 0) await tx.secretGroup.delete({ where: { id } });
    return { group, held };
  }

  // ------------------------------------------------------------ TLS contexts

  findContexts(secretGroupId: string) {
    return this.prisma.tlsContext.findMany({ where: { secretGroupId }, orderBy: ORDER });
  }

  findContext(secretGroupId: string, id: string) {
    return this.prisma.tlsContext.findFirst({ where: { id, secretGroupId } });
  }

  /** The context, locked until `tx` ends so that concurrent updates apply one after the other. */
  async lockContext(tx: Tx, secretGroupId: string, id: string) {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "TlsContext" WHERE "id" = ${id}::uuid AND "secretGroupId" = ${secretGroupId}::uuid FOR UPDATE`;
    return locked.length ? tx.tlsContext.findUniqueOrThrow({ where: { id } }) : null;
  }

  /** Ids of the API instances whose listener serves with context `id` (endpoint.tlsContexts.inbound). */
  async listenersOf(tx: Tx, id: string): Promise<number[]> {
    const rows = await tx.apiInstance.findMany({ where: { inboundTlsId: id }, select: { id: true }, orderBy: { id: 'asc' } });
    return rows.map((row) => row.id);
  }

  async createContext(tx: Tx, data: TlsContextColumns & { secretGroupId: string; name: string }) {
    try {
      return await tx.tlsContext.create({ data });
    } catch (err) {
      if (isUniqueViolation(err)) throw contextNameTaken(data.name);
      // the group was deleted between its lookup and this insert
      if (isForeignKeyViolation(err))
        throw new DomainError('SECRET_GROUP_NOT_FOUND', `Secret group ${data.secretGroupId} not found`);
      throw err;
    }
  }

  async updateContext(tx: Tx, id: string, data: TlsContextColumns) {
    try {
      return await tx.tlsContext.update({ where: { id }, data });
    } catch (err) {
      if (isUniqueViolation(err)) throw contextNameTaken(data.name);
      throw err;
    }
  }

  /**
   * Deletes the context unless an upstream or a listener references it. Answers null when the
   * context does not exist, else the context as it was and the ids of the API instances that
   * reference it (none: it was deleted).
   */
  async deleteUnusedContext(
    tx: Tx,
    secretGroupId: string,
    id: string,
  ): Promise<{ context: TlsContextRecord; users: number[] } | null> {
    const context = await this.lockContext(tx, secretGroupId, id);
    if (!context) return null;
    const upstreams = await tx.apiUpstream.findMany({ where: { tlsContextId: id }, select: { apiId: true } });
    const listeners = await this.listenersOf(tx, id);
    const users = [...new Set([...upstreams.map((u) => u.apiId), ...listeners])].sort((a, b) => a - b);
    if (!users.length) await tx.tlsContext.delete({ where: { id } });
    return { context, users };
  }

  /**
   * For an upstream reference written in `tx`: the context `tlsContextId` of group
   * `secretGroupId` in the environment, KEY SHARE locked (so it cannot be deleted before `tx`
   * commits the reference), and whether the group exists there at all.
   */
  async lockForReference(tx: Tx, environmentId: string, secretGroupId: string, tlsContextId: string) {
    const contexts = await tx.$queryRaw<{ id: string; hasCertificate: boolean }[]>`
      SELECT c."id", c."certificate" IS NOT NULL AS "hasCertificate"
      FROM "TlsContext" c JOIN "SecretGroup" g ON g."id" = c."secretGroupId"
      WHERE c."id" = ${tlsContextId}::uuid AND g."id" = ${secretGroupId}::uuid AND g."environmentId" = ${environmentId}::uuid
      FOR KEY SHARE OF c`;
    if (contexts.length) return { groupExists: true, context: contexts[0]! };
    const group = await tx.secretGroup.findFirst({ where: { id: secretGroupId, environmentId }, select: { id: true } });
    return { groupExists: group !== null, context: null };
  }
}

export type SecretGroupRecord = NonNullable<Awaited<ReturnType<SecretsManagerRepository['findGroup']>>>;
export type TlsContextRecord = NonNullable<Awaited<ReturnType<SecretsManagerRepository['findContext']>>>;

function contextNameTaken(name: string | undefined): DomainError {
  return new DomainError('TLS_CONTEXT_ALREADY_EXISTS', `A TLS context named ${name} already exists in this secret group`);
}
