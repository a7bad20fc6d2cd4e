import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../common/prisma.service.js';

/** First-start seeding; every call runs under one transaction-scoped advisory lock. */
@Injectable()
export class BootstrapRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Runs `fn` while holding the bootstrap lock, so concurrent starts seed once. */
  withLock<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(7701001)`;
        return fn(tx);
      },
      { timeout: 60_000, maxWait: 60_000 },
    );
  }
}
