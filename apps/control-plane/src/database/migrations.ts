import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the committed migrations are: PORTICO_MIGRATIONS_DIR, else the `prisma/migrations` found
 * walking up from this module (works from the sources and from the build under dist/).
 */
export function migrationsDir(): string {
  if (process.env.PORTICO_MIGRATIONS_DIR) return path.resolve(process.env.PORTICO_MIGRATIONS_DIR);
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('prisma/migrations not found; set PORTICO_MIGRATIONS_DIR');
  }
}
