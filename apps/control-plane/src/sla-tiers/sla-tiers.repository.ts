/**
 * Persistence of SLA tiers. Writes bump the instance's configuration revision through the SlaTier
 * trigger (prisma/migrations/…_sla_tiers), so they take the instance's row lock first, as
 * instance writes, API keys and ACKs do.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isForeignKeyViolation, isRecordNotFound, isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import { listOrder } from '../common/list-order.js';
import { rootOrganizationId } from '../common/root-organization.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { ListTiersQuery } from './sla-tiers.dto.js';

/** What a tier view needs besides the row: its approved contracts (`applicationCount`). */
const withApplicationCount = { _count: { select: { contracts: { where: { status: 'APPROVED' } } } } } as const;

const SORT_COLUMN = {
  id: 'id',
  name: 'name',
  status: 'status',
  createdDate: 'createdAt',
  updatedDate: 'updatedAt',
} as const satisfies Record<ListTiersQuery['sort'], keyof Prisma.SlaTierOrderByWithRelationInput>;

export interface TierColumns {
  name: string;
  description: string | null;
  status: string;
  autoApprove: boolean;
  limits: Prisma.InputJsonValue;
}

export function tierNotFound(id: number | string): DomainError {
  return new DomainError('SLA_TIER_NOT_FOUND', `Tier ${id} not found`);
}

function tierNameTaken(apiId: number, name: string): DomainError {
  return new DomainError('SLA_TIER_ALREADY_EXISTS', `API instance ${apiId} already has a tier named "${name}"`);
}

function tierInUse(id: number, contracts: number): DomainError {
  return new DomainError('SLA_TIER_IN_USE', `Tier ${id} is used by ${contracts} contract${contracts === 1 ? '' : 's'}`);
}

@Injectable()
export class SlaTiersRepository {
  constructor(private readonly prisma: PrismaService) {}

  findApi(where: { id: number; organizationId: string; environmentId: string }) {
    return this.prisma.apiInstance.findFirst({ where, select: { id: true } });
  }

  /** The root of the organization's tree: Anypoint's `masterOrganizationId`. */
  async rootOrganizationId(organizationId: string): Promise<string> {
    return rootOrganizationId(this.prisma, organizationId);
  }

  async list(apiId: number, page: ListTiersQuery) {
    const where = { apiId, ...(page.query ? { name: { contains: page.query, mode: 'insensitive' as const } } : {}) };
    const [total, rows] = await this.prisma.$transaction([
      this.prisma.slaTier.count({ where }),
      this.prisma.slaTier.findMany({
        where,
        include: withApplicationCount,
        orderBy: listOrder(SORT_COLUMN[page.sort], page.ascending),
        skip: page.offset,
        take: page.limit,
      }),
    ]);
    return { total, rows };
  }

  find(apiId: number, id: number, db: Tx = this.prisma) {
    return db.slaTier.findFirst({ where: { id, apiId }, include: withApplicationCount });
  }

  async create(tx: Tx, data: TierColumns & { apiId: number; organizationId: string; environmentId: string }) {
    try {
      return await tx.slaTier.create({ data, include: withApplicationCount });
    } catch (err) {
      if (isUniqueViolation(err)) throw tierNameTaken(data.apiId, data.name);
      throw err;
    }
  }

  /** Updates the tier `id` (of `apiId`, which the caller checked). */
  async update(tx: Tx, apiId: number, id: number, data: TierColumns) {
    try {
      return await tx.slaTier.update({ where: { id }, data, include: withApplicationCount });
    } catch (err) {
      if (isUniqueViolation(err)) throw tierNameTaken(apiId, data.name);
      if (isRecordNotFound(err)) throw tierNotFound(id);
      throw err;
    }
  }

  /**
   * Deletes the tier `id` (of an API the caller checked) unless a contract runs under it; pending
   * requests for it lose their requested tier.
   */
  async remove(tx: Tx, id: number): Promise<void> {
    const used = await tx.contract.count({ where: { tierId: id } });
    if (used > 0) throw tierInUse(id, used);
    try {
      await tx.slaTier.delete({ where: { id } });
    } catch (err) {
      // a contract was put on the tier after the count
      if (isForeignKeyViolation(err)) throw tierInUse(id, await this.prisma.contract.count({ where: { tierId: id } }));
      if (isRecordNotFound(err)) throw tierNotFound(id);
      throw err;
    }
  }

  /** Runs `fn` in a transaction holding the instance's row lock (see the header). */
  withApiLock<T>(apiId: number, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.withApiRowLock(apiId, fn);
  }
}
