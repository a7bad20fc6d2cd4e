/**
 * One real Postgres for the whole control-plane test run: a fresh database on DATABASE_URL's
 * server when that is set, otherwise an embedded, throwaway cluster on a free port. Committed
 * migrations are applied once; tests get the URL as PORTICO_TEST_DATABASE_URL.
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { migrate } from '../../src/database/database.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function freshDatabaseOn(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `portico_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Starts the test database and returns its URL and how to stop it. */
export async function setupTestDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  let url: string;
  let stop: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    const db = await freshDatabaseOn(process.env.DATABASE_URL);
    url = db.url;
    stop = db.drop;
  } else {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-test-pg-'));
    const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true });
    url = db.url;
    stop = db.stop;
  }
  await migrate(url);
  return { url, stop };
}
