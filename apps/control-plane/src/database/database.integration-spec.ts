import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createControlPlane } from '../app.js';
import { loadEnv } from '../config/env.js';
import { testDatabaseUrl } from '../../test/support/control-plane.js';
import { freePort } from '../../test/support/test-database.js';
import { migrate, openDatabase } from './database.js';
import { migrationsDir } from './migrations.js';
import { readdirSync } from 'node:fs';

const committed = readdirSync(migrationsDir(), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const server = new URL(testDatabaseUrl());
  const name = `portico_mig_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(server);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

describe('migrations', () => {
  it('apply every committed migration to an empty database, and applying again is a no-op', async () => {
    await withDatabase(async (url) => {
      expect(await migrate(url)).toEqual(committed);
      expect(await migrate(url)).toEqual([]);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = await client.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL');
      await client.end();
      expect(rows.rows.map((r) => r.migration_name).sort()).toEqual(committed);
    });
  });
});

describe('DATABASE_URL', () => {
  it('is used as given, without starting an embedded Postgres', async () => {
    const url = testDatabaseUrl();
    const db = await openDatabase(loadEnv({ DATABASE_URL: url }));
    expect(db).toMatchObject({ url, embedded: false });
    await db.stop();
  });

  it('answers readyz with 503 naming a migration that is not applied', async () => {
    await withDatabase(async (url) => {
      await migrate(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('DELETE FROM _prisma_migrations WHERE migration_name = $1', [committed.at(-1)]);
      await client.end();
      const env = loadEnv({
        PORTICO_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'portico-ready-')),
        PORTICO_LOG_LEVEL: 'silent',
        PORTICO_ADMIN_PASSWORD: 'ready-check-pw',
      });
      const app = await createControlPlane(env, url);
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as { port: number };
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({
          code: 'SERVICE_UNAVAILABLE',
          message: `Migrations not applied: ${committed.at(-1)}`,
        });
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      } finally {
        await app.close();
      }
    });
  });
});

describe('embedded database', () => {
  it('keeps its data across restarts and generates the admin password once, in a 0600 file', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-restart-'));
    const env = loadEnv({
      PORTICO_DATA_DIR: dataDir,
      PORTICO_EMBEDDED_PG_PORT: String(await freePort()),
      PORTICO_LOG_LEVEL: 'silent',
    });

    const start = async () => {
      const db = await openDatabase(env);
      await migrate(db.url);
      const app = await createControlPlane(env, db.url);
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as { port: number };
      return { db, app, base: `http://127.0.0.1:${port}` };
    };
    const login = async (base: string, password: string) => {
      const res = await fetch(`${base}/accounts/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      return res.status === 200 ? ((await res.json()) as { access_token: string }).access_token : undefined;
    };
    const orgOf = async (base: string, token: string) =>
      ((await (await fetch(`${base}/accounts/api/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as any).user
        .organization.id;

    const first = await start();
    const passwordFile = path.join(dataDir, 'admin-password');
    const password = (await readFile(passwordFile, 'utf8')).trim();
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    const token = await login(first.base, password);
    expect(token).toBeDefined();
    const orgId = await orgOf(first.base, token!);
    await first.app.close();
    await first.db.stop();

    const second = await start();
    try {
      expect((await readFile(passwordFile, 'utf8')).trim()).toBe(password);
      // the token issued before the restart is still valid: it lives in the database
      expect(await orgOf(second.base, token!)).toBe(orgId);
      expect((await fetch(`${second.base}/readyz`)).status).toBe(200);
    } finally {
      await second.app.close();
      await second.db.stop();
    }
  });
});
