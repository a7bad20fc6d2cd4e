import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import type { ListContractsQuery } from './client-applications.dto.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import { isForeignKeyViolation, isUniqueViolation } from '../common/prisma-errors.js';
import { DomainError } from '../common/domain-error.js';
import { listOrder } from '../common/list-order.js';

/** What a contract view shows besides the row: the application and the (requested) SLA tier. */
const withApplication = { application: true, tier: true, requestedTier: true } as const;

/** The column each `sort` of the contracts list orders by (then by id, for a stable order). */
const CONTRACT_SORT = { id: 'id', status: 'status', createdDate: 'createdAt', updatedDate: 'updatedAt' } as const;

@Injectable()
export class ClientApplicationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  async createApplication(
    tx: Tx,
    data: {
      organizationId: string;
      name: string;
      description: string | null;
      clientId: string;
      clientSecretHash: string;
      redirectUri: string[];
      grantTypes: string[];
    },
  ) {
    try {
      return await tx.clientApplication.create({ data });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError('APPLICATION_ALREADY_EXISTS', `An application named "${data.name}" already exists`);
      throw err;
    }
  }

  findApplication(organizationId: string, id: number, db: Tx = this.prisma) {
    return db.clientApplication.findFirst({ where: { id, organizationId } });
  }

  listApplications(organizationId: string) {
    return this.prisma.clientApplication.findMany({ where: { organizationId }, orderBy: { id: 'asc' } });
  }

  async updateApplication(
    tx: Tx,
    id: number,
    data: {
      name?: string;
      description?: string | null;
      redirectUri?: string[];
      grantTypes?: string[];
      clientSecretHash?: string;
    },
  ) {
    try {
      return await tx.clientApplication.update({ where: { id }, data });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError('APPLICATION_ALREADY_EXISTS', `An application named "${data.name}" already exists`);
      throw err;
    }
  }

  /** Deleting an application revokes its contracts (they go with it). */
  deleteApplication(tx: Tx, id: number) {
    return tx.clientApplication.delete({ where: { id } });
  }

  findApi(organizationId: string, environmentId: string, apiId: number) {
    return this.prisma.apiInstance.findFirst({
      where: { id: apiId, organizationId, environmentId },
      select: { id: true, approvalMethod: true },
    });
  }

  /** A tier of the API (the contract's `requestedTierId`). */
  findTier(apiId: number, id: number) {
    return this.prisma.slaTier.findFirst({ where: { id, apiId } });
  }

  /** True when the API has a tier that takes contracts: a contract must then name one. */
  async hasActiveTier(apiId: number): Promise<boolean> {
    return (await this.prisma.slaTier.count({ where: { apiId, status: 'ACTIVE' } })) > 0;
  }

  /** The application may belong to any organization the caller can see. */
  findApplicationIn(organizationIds: string[], id: number) {
    return this.prisma.clientApplication.findFirst({ where: { id, organizationId: { in: organizationIds } } });
  }

  async createContract(
    tx: Tx,
    data: {
      apiId: number;
      applicationId: number;
      organizationId: string;
      environmentId: string;
      status: string;
      approvedDate: Date | null;
      tierId: number | null;
      requestedTierId: number | null;
    },
  ) {
    try {
      return await tx.contract.create({ data, include: withApplication });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError(
          'CONTRACT_ALREADY_EXISTS',
          `Application ${data.applicationId} already has a contract with API ${data.apiId}`,
        );
      // the tier was deleted since it was looked up
      const tier = data.tierId ?? data.requestedTierId;
      if (isForeignKeyViolation(err) && tier !== null) throw new DomainError('SLA_TIER_NOT_FOUND', `Tier ${tier} not found`);
      throw err;
    }
  }

  async listContracts(apiId: number, query: ListContractsQuery) {
    const where: Prisma.ContractWhereInput = {
      apiId,
      status: query.status,
      application: {
        clientId: query.coreServicesId,
        ...(query.query ? { name: { contains: query.query, mode: 'insensitive' } } : {}),
      },
    };
    const [total, rows] = await this.prisma.$transaction([
      this.prisma.contract.count({ where }),
      this.prisma.contract.findMany({
        where,
        include: withApplication,
        orderBy: listOrder(CONTRACT_SORT[query.sort], query.ascending),
        skip: query.offset,
        take: query.limit,
      }),
    ]);
    return { total, rows };
  }

  findContract(apiId: number, id: number, db: Tx = this.prisma) {
    return db.contract.findFirst({ where: { id, apiId }, include: withApplication });
  }

  updateContractStatus(
    tx: Tx,
    id: number,
    status: string,
    fields: {
      approvedDate?: Date | null;
      rejectedDate?: Date | null;
      revokedDate?: Date | null;
      tierId?: number | null;
      requestedTierId?: number | null;
    },
  ) {
    return tx.contract.update({ where: { id }, data: { status, ...fields }, include: withApplication });
  }

  deleteContract(tx: Tx, id: number) {
    return tx.contract.delete({ where: { id } });
  }

  listApplicationContracts(applicationId: number) {
    return this.prisma.contract.findMany({ where: { applicationId }, include: withApplication, orderBy: { id: 'asc' } });
  }
}
