/**
 * How a control plane on its embedded PostgreSQL stops (main.ts): the app closes its pool, then
 * PostgreSQL gets a fast shutdown, within 5 s of the signal (issue 16), however it is signalled.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '#portico/testing';
import { type ControlPlaneProcess, startControlPlaneProcess } from '../../test/support/control-plane.js';
import { isProcessRunning } from './embedded-postgres.js';

/** Issue 16: the embedded PostgreSQL is gone within 5 s of the control plane's SIGTERM. */
const STOP_BOUND_MS = 5_000;
const START_TIMEOUT_MS = 120_000;

/** Polls every 20 ms until `pid` has exited; the milliseconds since `since` (at most 30 s). */
async function goneAfter(pid: number, since: number): Promise<number> {
  while (isProcessRunning(pid)) {
    if (Date.now() - since > 30_000) throw new Error(`process ${pid} still runs after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - since;
}

describe('a control plane on its embedded PostgreSQL', () => {
  let dataDir: string;
  let cp: ControlPlaneProcess | undefined;

  /** main.ts on the embedded database of `dataDir` (an empty DATABASE_URL counts as unset). */
  const start = async () =>
    startControlPlaneProcess({
      DATABASE_URL: '',
      PORTICO_DATA_DIR: dataDir,
      PORTICO_EMBEDDED_PG_PORT: String(await freePort()),
    });
  /** PostgreSQL's lock file: its first line is the server's pid, its fourth the port. */
  const lockFile = async () => (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n');
  const postmasterPid = async () => Number((await lockFile())[0]);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'portico-embedded-stop-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    // A failed test may leave what it started: the control plane, then its PostgreSQL.
    await cp?.kill('SIGKILL');
    cp = undefined;
    const pid = await postmasterPid().catch(() => undefined);
    if (pid && isProcessRunning(pid)) {
      process.kill(pid, 'SIGQUIT');
      await goneAfter(pid, Date.now());
    }
  });

  it(
    'stops PostgreSQL within 5 s of SIGTERM while its pool holds idle sessions, after closing them',
    async () => {
      const running = (cp = await start());
      const token = await running.adminToken();
      const me = await running.request('GET', '/accounts/api/me', { token });
      await Promise.all(
        ['environments', 'environments?name=Sandbox'].map((list) =>
          running.request('GET', `/accounts/api/organizations/${me.body.user.organization.id}/${list}`, { token }),
        ),
      );
      const { user, password } = JSON.parse(await readFile(path.join(dataDir, 'postgres-credentials.json'), 'utf8'));
      const port = Number((await lockFile())[3]);
      const probe = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
      await probe.connect();
      const { rows } = await probe.query<{ idle: number }>(
        "SELECT count(*)::int AS idle FROM pg_stat_activity WHERE datname = 'portico' AND state = 'idle'",
      );
      await probe.end();
      expect(rows[0]!.idle).toBeGreaterThan(0);

      const pid = await postmasterPid();
      const signalled = Date.now();
      const exited = running.kill('SIGTERM');
      const elapsed = await goneAfter(pid, signalled);
      await exited;
      expect(elapsed).toBeLessThanOrEqual(STOP_BOUND_MS);
      // 0, not the 143 of embedded-postgres's own signal handler, which stopped PostgreSQL under the open pool.
      expect(running.child.exitCode).toBe(0);
      // No session of the app was cut: it closed them before PostgreSQL stopped.
      expect(running.output()).not.toMatch(/terminating connection|connection lost/);
      // stop() finished: the cluster has no owner any more.
      expect(existsSync(path.join(dataDir, 'postgres-owner.pid'))).toBe(false);
      cp = undefined;
    },
    START_TIMEOUT_MS,
  );

  it(
    'exits within 5 s when a Ctrl-C already stopped its PostgreSQL (one process group)',
    async () => {
      const running = (cp = await start());
      const pid = await postmasterPid();
      process.kill(pid, 'SIGINT');
      await goneAfter(pid, Date.now());
      const signalled = Date.now();
      await running.kill('SIGINT');
      expect(Date.now() - signalled).toBeLessThanOrEqual(STOP_BOUND_MS);
      expect(running.child.exitCode).toBe(0);
      cp = undefined;
    },
    START_TIMEOUT_MS,
  );
});
