import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import type { DeploymentStatus, ExpectedStatus } from './deployment-status.js';

/** What a deployment needs to know about the API instance it deploys. */
const DEPLOYABLE_API = {
  id: true,
  organizationId: true,
  environmentId: true,
  technology: true,
  proxyPort: true,
  proxyBasePath: true,
  status: true,
} as const;

export interface DeploymentData {
  environmentName: string | null;
  targetId: string;
  targetName: string;
  gatewayVersion: string;
  expectedStatus: ExpectedStatus;
  status: DeploymentStatus;
  applicationName: string | null;
}

@Injectable()
export class DeploymentsRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  findApi(organizationId: string, environmentId: string, id: number, tx: Tx = this.prisma) {
    return tx.apiInstance.findFirst({ where: { id, organizationId, environmentId }, select: DEPLOYABLE_API });
  }

  findByApi(apiId: number, tx: Tx = this.prisma) {
    return tx.deployment.findUnique({ where: { apiId } });
  }

  async create(tx: Tx, data: DeploymentData & { apiId: number; organizationId: string; environmentId: string }) {
    try {
      return await tx.deployment.create({ data: { ...data, type: 'HY' } });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DomainError('DEPLOYMENT_ALREADY_EXISTS', `API ${data.apiId} is already deployed`);
      throw err;
    }
  }

  update(tx: Tx, id: number, data: DeploymentData) {
    return tx.deployment.update({ where: { id }, data });
  }

  delete(tx: Tx, id: number) {
    return tx.deployment.delete({ where: { id } });
  }

  /**
   * API instances that listen on `targetId` (deployed there with expectedStatus `deployed`),
   * optionally only those on `port` and/or `basePath`.
   */
  proxyClaims(targetId: string, filter: { port?: number; basePath?: string; exceptApiId?: number }, tx: Tx = this.prisma) {
    return tx.apiInstance.findMany({
      where: {
        deployment: { targetId, expectedStatus: 'deployed' },
        ...(filter.port !== undefined ? { proxyPort: filter.port } : {}),
        ...(filter.basePath !== undefined ? { proxyBasePath: filter.basePath } : {}),
        ...(filter.exceptApiId !== undefined ? { id: { not: filter.exceptApiId } } : {}),
      },
      select: { id: true, proxyPort: true, proxyBasePath: true },
      orderBy: { id: 'asc' },
    });
  }

  /** Template asset ids of the API's enabled policies: what its gateways must implement. */
  async enabledPolicyTypes(tx: Tx, apiId: number): Promise<string[]> {
    const rows = await tx.appliedPolicy.findMany({ where: { apiId, disabled: false }, select: { assetId: true } });
    return rows.map((r) => r.assetId);
  }
}

export type DeployableApi = NonNullable<Awaited<ReturnType<DeploymentsRepository['findApi']>>>;
