import { readdirSync } from 'node:fs';
import path from 'node:path';
import { findUpward } from '../common/find-upward.js';

/**
 * Where the committed migrations are: PORTICO_MIGRATIONS_DIR, else the `prisma/migrations` found
 * walking up from this module (works from the sources and from the build under dist/).
 */
export function migrationsDir(): string {
  if (process.env.PORTICO_MIGRATIONS_DIR) return path.resolve(process.env.PORTICO_MIGRATIONS_DIR);
  const found = findUpward(path.join('prisma', 'migrations'));
  if (!found) throw new Error('prisma/migrations not found; set PORTICO_MIGRATIONS_DIR');
  return found;
}

/** The committed migrations' names (their directories). */
export function committedMigrations(dir = migrationsDir()): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Migrations the database has finished applying, as Prisma records them. */
export const APPLIED_MIGRATIONS_SQL =
  'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL';
