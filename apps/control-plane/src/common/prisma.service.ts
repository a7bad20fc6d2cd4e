import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { ENV, type Env } from '../config/env.js';
import { PrismaClient } from '../generated/prisma/client.js';

export const DATABASE_URL = Symbol('DATABASE_URL');

/** The Prisma client over the pg driver adapter; one pool per control-plane process. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(DATABASE_URL) databaseUrl: string, @Inject(ENV) env: Env) {
    // pg waits forever for a connection by default (Prisma 6 gave up after 5 s): a database that
    // accepts connections but never answers would hang every request instead of answering 503.
    super({
      adapter: new PrismaPg({
        connectionString: databaseUrl,
        max: env.PORTICO_DATABASE_POOL_SIZE,
        connectionTimeoutMillis: 5_000,
      }),
    });
  }

  /**
   * Runs `fn` in a transaction holding API instance `apiId`'s row lock (FOR NO KEY UPDATE), the
   * lock instance writes and gateway ACKs take: a write whose trigger moves the instance's
   * deployment takes it first, so the two never deadlock.
   */
  withApiRowLock<T>(apiId: number, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT "id" FROM "ApiInstance" WHERE "id" = ${apiId} FOR NO KEY UPDATE`;
      return fn(tx);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

export type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];
