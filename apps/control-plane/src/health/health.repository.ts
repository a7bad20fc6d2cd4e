import { readdirSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/prisma.service.js';
import { migrationsDir } from '../database/migrations.js';

@Injectable()
export class HealthRepository {
  private readonly committed = readdirSync(migrationsDir(), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

  constructor(private readonly prisma: PrismaService) {}

  /** Committed migrations the database has not finished applying. */
  async pendingMigrations(): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const applied = new Set(rows.map((r) => r.migration_name));
    return this.committed.filter((m) => !applied.has(m));
  }
}
