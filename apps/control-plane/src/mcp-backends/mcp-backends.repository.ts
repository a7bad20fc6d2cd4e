/**
 * Persistence of MCP backends: the API instances of an environment served as MCP (endpoint type
 * `mcp`), with what their backend view shows. Switching a backend writes `backendEnabled`, which
 * the ApiInstance trigger turns into a configuration push (prisma/migrations/…_mcp_gateway).
 */
import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';

const BACKEND_SELECT = {
  id: true,
  organizationId: true,
  environmentId: true,
  instanceLabel: true,
  tags: true,
  groupId: true,
  assetId: true,
  assetVersion: true,
  upstreamUri: true,
  proxyUri: true,
  backendEnabled: true,
  status: true,
  createdAt: true,
  updatedAt: true,
  deployment: { select: { id: true, status: true, expectedStatus: true, errorMessage: true, targetId: true, targetName: true } },
  policies: { where: { disabled: false }, orderBy: { order: 'asc' }, select: { assetId: true, configurationData: true } },
} satisfies Prisma.ApiInstanceSelect;

export type BackendRecord = Prisma.ApiInstanceGetPayload<{ select: typeof BACKEND_SELECT }>;

@Injectable()
export class McpBackendsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async page(
    where: { organizationId: string; environmentId: string; enabled?: boolean },
    page: { skip: number; take: number },
  ): Promise<{ total: number; rows: BackendRecord[] }> {
    const filter: Prisma.ApiInstanceWhereInput = {
      organizationId: where.organizationId,
      environmentId: where.environmentId,
      endpointType: 'mcp',
      ...(where.enabled === undefined ? {} : { backendEnabled: where.enabled }),
    };
    const [total, rows] = await this.prisma.$transaction([
      this.prisma.apiInstance.count({ where: filter }),
      this.prisma.apiInstance.findMany({ where: filter, select: BACKEND_SELECT, orderBy: { id: 'asc' }, ...page }),
    ]);
    return { total, rows };
  }

  find(where: { id: number; organizationId: string; environmentId: string }, tx?: Tx): Promise<BackendRecord | null> {
    return (tx ?? this.prisma).apiInstance.findFirst({ where: { ...where, endpointType: 'mcp' }, select: BACKEND_SELECT });
  }

  /** Runs `fn` in a transaction holding the instance's row lock, as instance writes and ACKs do. */
  withApiLock<T>(apiId: number, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.withApiRowLock(apiId, fn);
  }

  /** Adds `tag` to the instance's tags, or takes it away; other tags stay. */
  async setTag(apiId: number, tag: string, on: boolean): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const { tags } = await tx.apiInstance.findUniqueOrThrow({ where: { id: apiId }, select: { tags: true } });
      const next = on ? [...new Set([...tags, tag])] : tags.filter((t) => t !== tag);
      if (next.length !== tags.length) await tx.apiInstance.update({ where: { id: apiId }, data: { tags: next } });
    });
  }

  setEnabled(tx: Tx, apiId: number, enabled: boolean): Promise<BackendRecord> {
    return tx.apiInstance.update({ where: { id: apiId }, data: { backendEnabled: enabled }, select: BACKEND_SELECT });
  }
}
