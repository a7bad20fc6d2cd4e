/**
 * Persistence of API keys. Writes bump the instance's configuration revision through the ApiKey
 * trigger (prisma/migrations/…_api_keys), so they take the instance's row lock first, as instance
 * writes and ACKs do.
 */
import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../common/prisma.service.js';

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  findApi(where: { id: number; organizationId: string; environmentId: string }) {
    return this.prisma.apiInstance.findFirst({ where, select: { id: true } });
  }

  /** Runs `fn` in a transaction holding the instance's row lock (see the header). */
  withApiLock<T>(apiId: number, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.withApiRowLock(apiId, fn);
  }

  create(
    tx: Tx,
    data: { apiId: number; name: string; prefix: string; secretSha256: string; createdBy: string; expiresAt: Date | null },
  ) {
    return tx.apiKey.create({ data });
  }

  list(apiId: number) {
    return this.prisma.apiKey.findMany({ where: { apiId }, orderBy: { createdAt: 'asc' } });
  }

  /** An active key of the instance; null when it has no such key or the key is revoked. */
  findActive(tx: Tx, apiId: number, id: string) {
    return tx.apiKey.findFirst({ where: { id, apiId, revokedAt: null } });
  }

  revoke(tx: Tx, id: string) {
    return tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
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
