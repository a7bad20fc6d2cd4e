/**
 * Persistence of API keys. Writes bump the instance's configuration revision through the ApiKey
 * trigger (prisma/migrations/…_api_keys), so they take the instance's row lock first, as instance
 * writes and ACKs do.
 */
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/prisma.service.js';

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  findApi(where: { id: number; organizationId: string; environmentId: string }) {
    return this.prisma.apiInstance.findFirst({ where, select: { id: true } });
  }

  create(data: { apiId: number; name: string; prefix: string; secretSha256: string; createdBy: string; expiresAt: Date | null }) {
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT "id" FROM "ApiInstance" WHERE "id" = ${data.apiId} FOR NO KEY UPDATE`;
      return tx.apiKey.create({ data });
    });
  }

  list(apiId: number) {
    return this.prisma.apiKey.findMany({ where: { apiId }, orderBy: { createdAt: 'asc' } });
  }

  /** Revokes an active key; false when the instance has no such active key. */
  revoke(apiId: number, id: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT "id" FROM "ApiInstance" WHERE "id" = ${apiId} FOR NO KEY UPDATE`;
      const { count } = await tx.apiKey.updateMany({ where: { id, apiId, revokedAt: null }, data: { revokedAt: new Date() } });
      return count > 0;
    });
  }

  /** Records a use reported by a gateway of `targetId`, for a key of an API deployed to it. */
  async markUsed(targetId: string, apiId: number, id: string, at: Date): Promise<boolean> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { id, apiId, api: { deployment: { targetId, expectedStatus: 'deployed' } } },
      data: { lastUsedAt: at },
    });
    return count > 0;
  }
}
