/**
 * Persistence of tool pins and recorded tool-definition changes. Writes take the instance's row
 * lock first (FOR NO KEY UPDATE), as instance writes and ACKs do, because a pin write's trigger
 * then moves the instance's deployment (prisma/migrations/…_tool_pinning).
 */
import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';

type Db = PrismaService | Tx;

export interface NewToolChange {
  apiId: number;
  toolName: string;
  sha256: string;
  definition: Prisma.InputJsonObject;
  previousSha256: string | null;
  previousDefinition: Prisma.InputJsonObject | null;
  diff: Prisma.InputJsonArray;
  reportedByTarget: string;
  reportedByReplica: string;
}

@Injectable()
export class ToolPinsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Runs `fn` in a transaction holding the instance's row lock. */
  withApiLock<T>(apiId: number, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.withApiRowLock(apiId, fn);
  }

  findApi(where: { id: number; organizationId: string; environmentId: string }) {
    return this.prisma.apiInstance.findFirst({ where, select: { id: true } });
  }

  /** The applied policy `policyId` of `apiId`, when that API is deployed to `targetId`. */
  findReportingPolicy(targetId: string, apiId: number, policyId: number) {
    return this.prisma.appliedPolicy.findFirst({
      where: { id: policyId, apiId, api: { deployment: { targetId, expectedStatus: 'deployed' } } },
      select: { assetId: true, configurationData: true },
    });
  }

  listPins(apiId: number) {
    return this.prisma.toolPin.findMany({ where: { apiId }, orderBy: { toolName: 'asc' } });
  }

  findPin(tx: Tx, apiId: number, toolName: string) {
    return tx.toolPin.findUnique({ where: { apiId_toolName: { apiId, toolName } } });
  }

  /** Pins (or re-pins) `toolName` to `sha256`. */
  pin(
    tx: Tx,
    apiId: number,
    toolName: string,
    fields: { sha256: string; definition: Prisma.InputJsonObject; source: 'first-use' | 'approved'; approvedBy: string | null },
  ) {
    return tx.toolPin.upsert({
      where: { apiId_toolName: { apiId, toolName } },
      create: { apiId, toolName, ...fields },
      update: fields,
    });
  }

  async deletePin(tx: Tx, apiId: number, toolName: string): Promise<boolean> {
    const { count } = await tx.toolPin.deleteMany({ where: { apiId, toolName } });
    return count > 0;
  }

  listChanges(apiId: number, status: string | undefined) {
    return this.prisma.toolDefinitionChange.findMany({
      where: { apiId, ...(status ? { status } : {}) },
      orderBy: { id: 'asc' },
    });
  }

  findChange(db: Db, apiId: number, id: number) {
    return db.toolDefinitionChange.findFirst({ where: { apiId, id } });
  }

  hasChange(tx: Tx, apiId: number, toolName: string, sha256: string) {
    return tx.toolDefinitionChange.findUnique({
      where: { apiId_toolName_sha256: { apiId, toolName, sha256 } },
      select: { id: true },
    });
  }

  countPendingChanges(tx: Tx, apiId: number) {
    return tx.toolDefinitionChange.count({ where: { apiId, status: 'pending' } });
  }

  createChange(tx: Tx, change: NewToolChange) {
    return tx.toolDefinitionChange.create({
      data: { ...change, previousDefinition: change.previousDefinition ?? undefined },
    });
  }

  decideChange(tx: Tx, id: number, status: 'approved' | 'rejected', decidedBy: string) {
    return tx.toolDefinitionChange.update({ where: { id }, data: { status, decidedBy, decidedAt: new Date() } });
  }
}
