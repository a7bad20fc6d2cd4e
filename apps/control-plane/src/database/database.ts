/**
 * The database a control-plane process uses: DATABASE_URL when set, otherwise an embedded
 * Postgres whose data lives under PORTICO_DATA_DIR and survives restarts. Pending migrations are
 * applied before the app starts (applying them again is a no-op), or, with
 * PORTICO_MIGRATE_ON_START=false, awaited: something else applies them.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Env } from '../config/env.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { APPLIED_MIGRATIONS_SQL, committedMigrations, migrationsDir } from './migrations.js';
import { applyMigrations } from './schema-engine.js';

export interface Database {
  url: string;
  embedded: boolean;
  /** Embedded: a fast shutdown of PostgreSQL, once the pools on it are closed. DATABASE_URL: nothing. */
  stop(): Promise<void>;
}

export async function openDatabase(env: Env, log: (line: string) => void = () => undefined): Promise<Database> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, stop: async () => undefined };
  const db = await startEmbeddedPostgres({ dataDir: env.dataDir, port: env.PORTICO_EMBEDDED_PG_PORT, log });
  log(`embedded PostgreSQL on 127.0.0.1:${env.PORTICO_EMBEDDED_PG_PORT}, data in ${path.join(env.dataDir, 'postgres')}`);
  return { url: db.url, embedded: true, stop: db.stop };
}

/** Applies the committed migrations; returns the names applied now. */
export function migrate(databaseUrl: string): Promise<string[]> {
  return applyMigrations(databaseUrl, migrationsDir());
}

/** How often waitForMigrations looks again. */
const MIGRATIONS_POLL_MS = 2_000;

/**
 * Resolves once every committed migration is applied to `databaseUrl`; `waiting` hears the pending
 * ones, and why they cannot be read (a database it cannot reach yet, without naming its URL),
 * whenever that changes. A database without Prisma's table has none applied.
 */
export async function waitForMigrations(
  databaseUrl: string,
  waiting: (pending: string[], problem?: string) => void,
): Promise<void> {
  const committed = committedMigrations();
  let told = '';
  for (;;) {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('error', () => undefined);
    let problem: string | undefined;
    const applied = await client
      .connect()
      .then(() => client.query<{ migration_name: string }>(APPLIED_MIGRATIONS_SQL))
      .then((result) => new Set(result.rows.map((r) => r.migration_name)))
      .catch((err: Error & { code?: string }) => {
        // 42P01: no _prisma_migrations table yet, i.e. nothing applied; anything else is a problem.
        if (err.code !== '42P01') problem = err.message;
        return new Set<string>();
      })
      .finally(() => client.end().catch(() => undefined));
    const pending = committed.filter((m) => !applied.has(m));
    if (pending.length === 0) return;
    const now = `${pending.join()}|${problem ?? ''}`;
    if (now !== told) waiting(pending, problem);
    told = now;
    await sleep(MIGRATIONS_POLL_MS);
  }
}
