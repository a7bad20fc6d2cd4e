import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { cp, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createControlPlane } from '../app.js';
import { loadEnv } from '../config/env.js';
import { spawnControlPlaneProcess, testDatabaseUrl } from '../../test/support/control-plane.js';
import { eventually } from '../../test/support/gateways.js';
import { freePort } from '../../test/support/test-database.js';
import { migrate, openDatabase } from './database.js';
import { isProcessRunning, startEmbeddedPostgres } from './embedded-postgres.js';
import { migrationsDir } from './migrations.js';
import { applyMigrations, diffSchemas } from './schema-engine.js';

const committed = readdirSync(migrationsDir(), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A migrations directory holding only the first `count` committed migrations. */
async function firstMigrations(count: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'portico-migrations-'));
  await cp(path.join(migrationsDir(), 'migration_lock.toml'), path.join(dir, 'migration_lock.toml'));
  for (const name of committed.slice(0, count)) {
    await cp(path.join(migrationsDir(), name), path.join(dir, name), { recursive: true });
  }
  return dir;
}

/** The environment of a child process: ours without jest's NODE_OPTIONS and any DATABASE_URL. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _jestOnly, DATABASE_URL: _inherited, ...inherited } = process.env;
  return { ...inherited, ...env };
}

/** Plain-Node entry points run from the sources with tsx (Nest code cannot run under tsx). */
const TSX = ['--conditions=portico-source', '--import', 'tsx'];

/** Runs `npm run db:migrate`'s entry point. */
function runDbMigrate(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...TSX, 'apps/control-plane/src/db-migrate.ts'],
      { cwd: repoRoot, env: childEnv(env), timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A child process holding the embedded database of `env` as a control plane does (test/support/hold-database.ts). */
async function holdDatabase(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...TSX, 'apps/control-plane/test/support/hold-database.ts'], {
    cwd: repoRoot,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('ready ')) resolve(line.slice('ready '.length));
    });
    child.once('exit', (code) => reject(new Error(`the database holder exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

/** The pid PostgreSQL's lock file of `dataDir` names, if any. */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => undefined);
  return text ? Number(text.split('\n')[0]) : undefined;
}

/** Stops what a failed test may leave running on `dataDir`: the servers these tests started. */
async function stopLeftovers(dataDir: string, ...children: ChildProcess[]): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const pid = await postmasterPid(dataDir);
  if (pid !== undefined && isProcessRunning(pid)) process.kill(pid, 'SIGINT');
}

async function readyz(app: Awaited<ReturnType<typeof createControlPlane>>) {
  const { port } = app.getHttpServer().address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

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
  it('with PORTICO_MIGRATE_ON_START=false, a control plane waits for db:migrate to apply them, then starts', async () => {
    await withDatabase(async (url) => {
      const spawned = await spawnControlPlaneProcess({
        DATABASE_URL: url,
        PORTICO_MIGRATE_ON_START: 'false',
        PORTICO_LOG_LEVEL: 'info',
      });
      spawned.ready.catch(() => undefined);
      await eventually(async () => spawned.output().includes('waiting for migrations') || undefined, 'the waiting line');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const tables = await client.query(`SELECT to_regclass('_prisma_migrations') AS t`);
      await client.end();
      expect(tables.rows[0].t).toBeNull();
      const job = await runDbMigrate({ DATABASE_URL: url });
      expect({ code: job.code, stdout: job.stdout.trim() }).toEqual({ code: 0, stdout: `applied ${committed.join(', ')}` });
      const cp = await spawned.ready;
      try {
        expect(cp.output()).toContain(`waiting for migrations ${committed.join(', ')} to be applied`);
        expect((await cp.request('GET', '/readyz')).status).toBe(200);
      } finally {
        await cp.close();
      }
    });
  });

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

  it.each(committed.slice(1).map((_, i) => i + 1))(
    'upgrade a database that stops after the first %i migration(s), keeping its rows',
    async (count) => {
      await withDatabase(async (url) => {
        expect(await applyMigrations(url, await firstMigrations(count))).toEqual(committed.slice(0, count));
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(
            `INSERT INTO "Organization" (id, name, "clientId", "updatedAt") VALUES ($1, 'before upgrade', 'c1', now())`,
            ['11111111-1111-4111-8111-111111111111'],
          );
          expect(await migrate(url)).toEqual(committed.slice(count));
          expect(await migrate(url)).toEqual([]);
          const rows = await client.query('SELECT name FROM "Organization"');
          expect(rows.rows).toEqual([{ name: 'before upgrade' }]);
        } finally {
          await client.end();
        }
      });
    },
  );

  it('cover prisma/schema.prisma: it needs no migration beyond the latest one', async () => {
    const latest = committed.at(-1)!;
    const snapshot = await readFile(path.join(migrationsDir(), latest, 'schema.prisma'), 'utf8');
    const current = await readFile(path.join(migrationsDir(), '..', 'schema.prisma'), 'utf8');
    const sql = await diffSchemas(testDatabaseUrl(), snapshot, current);
    // A non-empty diff means the schema changed without `npm run db:migration:new -- <name>`.
    expect({ latest, sql: sql.trim() }).toEqual({ latest, sql: '-- This is an empty migration.' });
  });
});

describe('db:migrate', () => {
  it('applies pending migrations to DATABASE_URL, and reports an up-to-date database the second time', async () => {
    await withDatabase(async (url) => {
      const first = await runDbMigrate({ DATABASE_URL: url });
      expect(first).toMatchObject({ code: 0, stdout: `applied ${committed.join(', ')}\n` });
      const second = await runDbMigrate({ DATABASE_URL: url });
      expect(second).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
    });
  });

  it('migrates the embedded database of PORTICO_DATA_DIR and stops it again', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-db-migrate-'));
    const env = { PORTICO_DATA_DIR: dataDir, PORTICO_EMBEDDED_PG_PORT: String(await freePort()) };
    const first = await runDbMigrate(env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`applied ${committed.join(', ')}`);
    expect((await runDbMigrate(env)).stdout).toContain('database is up to date');
  });

  it('fails with a one-line reason, not a stack trace, when the database cannot be reached', async () => {
    const port = await freePort();
    const res = await runDbMigrate({ DATABASE_URL: `postgresql://portico:x@127.0.0.1:${port}/portico` });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^db:migrate failed: .*127\\.0\\.0\\.1:${port}`, 'm'));
    expect(res.stderr).not.toMatch(/\bat .+\.(js|ts):\d+/);
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
        PORTICO_SYNC_PORT: '0',
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

  it('answers readyz with 503 "Database is not reachable" once the database is gone, healthz still 200', async () => {
    const db = await startEmbeddedPostgres({
      dataDir: await mkdtemp(path.join(tmpdir(), 'portico-ready-pg-')),
      port: await freePort(),
      ephemeral: true,
    });
    let stopped = false;
    try {
      await migrate(db.url);
      const env = loadEnv({
        PORTICO_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'portico-ready-')),
        PORTICO_LOG_LEVEL: 'silent',
        PORTICO_ADMIN_PASSWORD: 'ready-check-pw',
        PORTICO_SYNC_PORT: '0',
      });
      const app = await createControlPlane(env, db.url);
      await app.listen(0, '127.0.0.1');
      try {
        expect(await readyz(app)).toEqual({ status: 200, body: { status: 'ready' } });
        await db.stop();
        stopped = true;
        expect(await readyz(app)).toEqual({
          status: 503,
          body: {
            status: 503,
            name: 'ServiceUnavailableError',
            code: 'SERVICE_UNAVAILABLE',
            message: 'Database is not reachable',
          },
        });
        const { port } = app.getHttpServer().address() as { port: number };
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      } finally {
        await app.close();
      }
    } finally {
      if (!stopped) await db.stop();
    }
  });
});

describe('embedded database', () => {
  const embeddedEnv = async () => ({
    PORTICO_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'portico-crash-')),
    PORTICO_EMBEDDED_PG_PORT: String(await freePort()),
    PORTICO_LOG_LEVEL: 'silent',
    PORTICO_ADMIN_PASSWORD: 'crash-test-password',
    PORTICO_SYNC_PORT: '0',
  });

  it('starts again after the control plane was SIGKILLed: stops the PostgreSQL it left behind, keeps the data', async () => {
    const env = await embeddedEnv();
    const holder = await holdDatabase(env);
    try {
      const client = new pg.Client({ connectionString: holder.url });
      await client.connect();
      await client.query(
        `INSERT INTO "Organization" (id, name, "clientId", "updatedAt") VALUES ($1, 'before the crash', $2, now())`,
        ['22222222-2222-4222-8222-222222222222', `crash-${Date.now()}`],
      );
      await client.end();
      holder.child.kill('SIGKILL');
      await once(holder.child, 'exit');
      const orphan = (await postmasterPid(env.PORTICO_DATA_DIR))!;
      expect(isProcessRunning(orphan)).toBe(true); // what used to make the next start fail

      const db = await openDatabase(loadEnv(env));
      try {
        expect(isProcessRunning(orphan)).toBe(false);
        expect(await postmasterPid(env.PORTICO_DATA_DIR)).not.toBe(orphan);
        await migrate(db.url);
        const app = await createControlPlane(loadEnv(env), db.url);
        await app.listen(0, '127.0.0.1');
        try {
          expect(await readyz(app)).toEqual({ status: 200, body: { status: 'ready' } });
        } finally {
          await app.close();
        }
        const after = new pg.Client({ connectionString: db.url });
        await after.connect();
        const rows = await after.query(`SELECT name FROM "Organization" WHERE name = 'before the crash'`);
        await after.end();
        expect(rows.rowCount).toBe(1);
      } finally {
        await db.stop();
      }
    } finally {
      await stopLeftovers(env.PORTICO_DATA_DIR, holder.child);
    }
  });

  it('refuses, and leaves alone, a database whose control plane still runs', async () => {
    const env = await embeddedEnv();
    const holder = await holdDatabase(env);
    try {
      await expect(openDatabase(loadEnv(env))).rejects.toThrow(
        `embedded PostgreSQL in ${path.join(env.PORTICO_DATA_DIR, 'postgres')} is in use by process ${holder.child.pid};`,
      );
      const client = new pg.Client({ connectionString: holder.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
      const server = await postmasterPid(env.PORTICO_DATA_DIR);
      holder.child.kill('SIGTERM');
      await once(holder.child, 'exit');
      expect(isProcessRunning(server!)).toBe(false);
    } finally {
      await stopLeftovers(env.PORTICO_DATA_DIR, holder.child);
    }
  });

  it('signals no process a stale lock file names when it is not our PostgreSQL', async () => {
    const env = await embeddedEnv();
    const holder = await holdDatabase(env);
    holder.child.kill('SIGTERM');
    await once(holder.child, 'exit');
    // After a reboot the pid in a stale lock file may belong to anything: here, a sleeping process.
    const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const lockFile = path.join(env.PORTICO_DATA_DIR, 'postgres', 'postmaster.pid');
      const lock = [bystander.pid, path.join(env.PORTICO_DATA_DIR, 'postgres'), '0', env.PORTICO_EMBEDDED_PG_PORT, '', '', ''];
      await writeFile(lockFile, `${lock.join('\n')}\n`);
      await expect(openDatabase(loadEnv(env))).rejects.toThrow(
        `${lockFile} names process ${bystander.pid}, which runs but does not answer as the PostgreSQL of`,
      );
      expect(bystander.exitCode).toBeNull();
      expect(isProcessRunning(bystander.pid!)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
      await stopLeftovers(env.PORTICO_DATA_DIR, holder.child);
    }
  });

  it('keeps its data across restarts and generates the admin password once, in a 0600 file', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-restart-'));
    const env = loadEnv({
      PORTICO_DATA_DIR: dataDir,
      PORTICO_EMBEDDED_PG_PORT: String(await freePort()),
      PORTICO_LOG_LEVEL: 'silent',
      PORTICO_SYNC_PORT: '0',
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
