/**
 * The database a control-plane process uses: DATABASE_URL when set, otherwise an embedded
 * Postgres whose data lives under PORTICO_DATA_DIR and survives restarts. Pending migrations are
 * applied before the app starts; applying them again is a no-op.
 */
import path from 'node:path';
import type { Env } from '../config/env.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { migrationsDir } from './migrations.js';
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
