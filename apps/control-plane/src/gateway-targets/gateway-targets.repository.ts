import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';

const WITH_REPLICAS = { replicas: { orderBy: { createdAt: 'asc' as const } } };

export interface TargetPage {
  skip: number;
  take: number;
}

@Injectable()
export class GatewayTargetsRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  /** Targets of an environment that are not deleted, with their replicas. */
  findLive(organizationId: string, environmentId: string, nameContains?: string) {
    return this.prisma.gatewayTarget.findMany({
      where: {
        organizationId,
        environmentId,
        deletedAt: null,
        ...(nameContains ? { name: { contains: nameContains, mode: 'insensitive' as const } } : {}),
      },
      include: WITH_REPLICAS,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
    });
  }

  /** Every target of an environment, deleted ones included (the standalone API keeps tombstones). */
  async findPage(organizationId: string, environmentId: string, page: TargetPage) {
    const where = { organizationId, environmentId };
    const [total, rows] = await this.prisma.$transaction([
      this.prisma.gatewayTarget.count({ where }),
      this.prisma.gatewayTarget.findMany({
        where,
        include: WITH_REPLICAS,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        skip: page.skip,
        take: page.take,
      }),
    ]);
    return { total, rows };
  }

  findOne(organizationId: string, environmentId: string, id: string, db: Tx = this.prisma) {
    return db.gatewayTarget.findFirst({ where: { id, organizationId, environmentId }, include: WITH_REPLICAS });
  }

  /** A target with its replicas, read in `tx`. */
  findWithReplicas(tx: Tx, id: string) {
    return tx.gatewayTarget.findUnique({ where: { id }, include: WITH_REPLICAS });
  }

  async findReplicas(targetId: string, page: TargetPage) {
    const where = { targetId };
    const [total, rows] = await this.prisma.$transaction([
      this.prisma.gatewayReplica.count({ where }),
      this.prisma.gatewayReplica.findMany({
        where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        skip: page.skip,
        take: page.take,
      }),
    ]);
    return { total, rows };
  }

  async create(tx: Tx, data: { organizationId: string; environmentId: string; name: string }) {
    try {
      return await tx.gatewayTarget.create({ data, include: WITH_REPLICAS });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DomainError(
          'TARGET_ALREADY_EXISTS',
          `A gateway named ${data.name} already exists in this environment; gateway names cannot be reused, even after deletion`,
        );
      }
      throw err;
    }
  }

  /**
   * Locks the target row until `tx` ends. Deploys, proxy claims and deletes of one target take
   * this lock, so "no two APIs on one port + base path" and "no deployments on a deleted target"
   * hold under concurrent requests.
   */
  async lock(tx: Tx, organizationId: string, environmentId: string, id: string) {
    const rows = await tx.$queryRaw<{ id: string; name: string; deletedAt: Date | null }[]>`
      SELECT "id", "name", "deletedAt" FROM "GatewayTarget"
      WHERE "id" = ${id}::uuid AND "organizationId" = ${organizationId}::uuid AND "environmentId" = ${environmentId}::uuid
      FOR UPDATE`;
    return rows[0] ?? null;
  }

  /** Ids of the API instances deployed to the target. */
  async deployedApiIds(tx: Tx, targetId: string): Promise<number[]> {
    const rows = await tx.deployment.findMany({ where: { targetId }, select: { apiId: true }, orderBy: { apiId: 'asc' } });
    return rows.map((r) => r.apiId);
  }

  markDeleted(tx: Tx, id: string) {
    return tx.gatewayTarget.update({ where: { id }, data: { deletedAt: new Date() }, include: WITH_REPLICAS });
  }

  createRegistrationToken(
    tx: Tx,
    data: { tokenHash: string; organizationId: string; environmentId: string; createdById: string; expiresAt: Date },
  ) {
    return tx.registrationToken.create({ data });
  }
}

export type TargetRecord = NonNullable<Awaited<ReturnType<GatewayTargetsRepository['findOne']>>>;
export type ReplicaRecord = TargetRecord['replicas'][number];
