/**
 * Prisma's WebAssembly schema engine, driven through the pg driver adapter.
 *
 * The native schema engine (what `prisma migrate` runs) is a download that machines behind a
 * registry-only firewall cannot fetch, so Portico applies its committed migrations with the
 * WebAssembly build instead. It records them in `_prisma_migrations` exactly as
 * `prisma migrate deploy` does, so both tools see the same history.
 */
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationDirectory, SchemaEngine } from '@prisma/schema-engine-wasm';

const require = createRequire(import.meta.url);

/** The slice of the WebAssembly global we use (Node's types do not declare it on Node 20). */
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};
let wasmReady: Promise<void> | undefined;

/**
 * The engine's imports, with its timers unref'd: it leaves a ~10 s timer pending after each
 * command, which otherwise keeps a finished `db:migrate` (or a stopped test run) alive that long.
 */
function withUnrefTimers(module: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(module).map(([name, value]) =>
      name.startsWith('__wbg_setTimeout_') && typeof value === 'function'
        ? [name, (...args: unknown[]) => (value(...args) as NodeJS.Timeout).unref()]
        : [name, value],
    ),
  );
}

/** Instantiates the engine's wasm module once per process (Node 20 has no ESM wasm imports). */
function initWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': withUnrefTimers(bg),
    });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return wasmReady;
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * The pg driver adapter runs a migration script statement by statement, split at every ";",
 * which cuts PL/pgSQL function bodies (our triggers) apart. The native engine sends a script
 * whole, and so does this adapter: one simple-protocol query, which Postgres runs statement by
 * statement itself. Errors keep the adapter's own mapping.
 */
class WholeScriptPg extends PrismaPg {
  constructor(private readonly pool: pg.Pool) {
    super(pool);
  }

  override async connect(): Promise<Awaited<ReturnType<PrismaPg['connect']>>> {
    const adapter = await super.connect();
    const pool = this.pool;
    adapter.executeScript = async function (this: typeof adapter, script: string): Promise<void> {
      try {
        await pool.query(script);
      } catch (error) {
        (this as unknown as { onError(error: unknown): never }).onError(error);
      }
    };
    return adapter;
  }
}

export interface SchemaEngineHandle {
  engine: SchemaEngine;
  close(): Promise<void>;
}

/** Opens an engine bound to `connectionString`; the caller must `close()` it. */
export async function openSchemaEngine(connectionString: string, schemaText = ''): Promise<SchemaEngineHandle> {
  await initWasm();
  // We own the pool so close() can end it; an idle-connection error must not crash the process.
  const pool = new pg.Pool({ connectionString, max: 2 });
  pool.on('error', () => undefined);
  const factory = bindMigrationAwareSqlAdapterFactory(new WholeScriptPg(pool));
  const logs: string[] = [];
  const engine = (await bg.SchemaEngine.new(
    { datamodels: [['schema.prisma', schemaText]] },
    (line: string) => logs.push(line),
    factory,
  )) as SchemaEngine;
  return {
    engine,
    close: async () => {
      engine.free();
      await pool.end();
    },
  };
}

/** Reads `prisma/migrations` into the shape the engine expects. */
export async function readMigrations(migrationsDir: string) {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const migrationDirectories: MigrationDirectory[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const sql = await readFile(path.join(migrationsDir, entry.name, 'migration.sql'), 'utf8');
    migrationDirectories.push({
      path: entry.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: sql } },
    });
  }
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** Applies pending migrations; returns the names it applied (empty when up to date). */
export async function applyMigrations(connectionString: string, migrationsDir: string): Promise<string[]> {
  const handle = await openSchemaEngine(connectionString);
  try {
    const out = await handle.engine.applyMigrations({
      migrationsList: await readMigrations(migrationsDir),
      filters: noFilters,
    });
    return out.appliedMigrationNames;
  } finally {
    await handle.close();
  }
}

/**
 * SQL that takes a database from data model `fromSchema` (null = empty database) to `toSchema`.
 * Both sides are data models, so the database's content is irrelevant: the wasm engine cannot introspect a live
 * Postgres, which is why each migration directory keeps the schema.prisma it produces.
 */
export async function diffSchemas(connectionString: string, fromSchema: string | null, toSchema: string): Promise<string> {
  // The engine insists on a reachable database when it starts, though this diff never reads it.
  const handle = await openSchemaEngine(connectionString, toSchema);
  try {
    const result = await handle.engine.diff({
      from:
        fromSchema === null
          ? { tag: 'empty' }
          : { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: fromSchema }] },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: toSchema }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    } as Parameters<SchemaEngine['diff']>[0]);
    return result.stdout ?? '';
  } finally {
    await handle.close();
  }
}
