import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/prisma.service.js';
import { APPLIED_MIGRATIONS_SQL, committedMigrations } from '../database/migrations.js';

@Injectable()
export class HealthRepository {
  private readonly committed = committedMigrations();

  constructor(private readonly prisma: PrismaService) {}

  /** Committed migrations the database has not finished applying. */
  async pendingMigrations(): Promise<string[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ migration_name: string }[]>(APPLIED_MIGRATIONS_SQL);
    const applied = new Set(rows.map((r) => r.migration_name));
    return this.committed.filter((m) => !applied.has(m));
  }
}
