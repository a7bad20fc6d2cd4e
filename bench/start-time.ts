/**
 * How long `npm start` takes on a checkout that is already built (issue 21: ready within 10 s), as
 * the start script was (`npm run build && node scripts/start.mjs`: every start rebuilt) and as it is
 * (`node scripts/build-if-changed.mjs && node scripts/start.mjs`), in the same run.
 *
 * Each variant runs as `sh -c '<build> && exec node scripts/start.mjs'` (what npm runs, less npm's
 * own start) with a new data directory on the embedded PostgreSQL, twice: the first start creates
 * the database, the admin, the CA and registers `local-gateway`; the second is a restart of that
 * one. Each figure is measured from the spawn: `built` when the launcher starts the control plane,
 * `control plane` when its /readyz answers 200, `gateway` when the local gateway's /readyz does.
 * The build is brought up to date once before the first variant, so both start from a built checkout.
 *
 *   node --conditions=portico-source --import tsx bench/start-time.ts [--quiet-wait 60]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { freePort } from '#portico/testing';
import { type BenchProcess, REPO_ROOT, runBench, startProcess, tempDir, waitForQuiet } from './support/processes.js';
import { formatMs, printTable, round } from './support/stats.js';

const { values: args } = parseArgs({ options: { 'quiet-wait': { type: 'string', default: '60' } }, strict: true });

// `after` first: `npm run build` rewrites dist/ and the generated code (with the same bytes).
const VARIANTS = [
  { name: 'after', build: 'node scripts/build-if-changed.mjs' },
  { name: 'before', build: 'npm run build' },
];
const READY_TIMEOUT_MS = 300_000;

interface StartTimes {
  /** What build-if-changed said: `up to date` or `built` (empty for `npm run build`). */
  build: string;
  built: number;
  controlPlane: number;
  gateway: number;
}

/** One start of `build` then the launcher on `dataDir`, until the gateway is ready; then stopped. */
async function timeStart(name: string, build: string, dataDir: string): Promise<StartTimes> {
  const api = await freePort();
  const admin = await freePort();
  const env = {
    PORTICO_DATA_DIR: dataDir,
    PORTICO_HOST: '127.0.0.1',
    PORTICO_PORT: String(api),
    PORTICO_SYNC_PORT: String(await freePort()),
    PORTICO_EMBEDDED_PG_PORT: String(await freePort()),
    PORTICO_GATEWAY_ADMIN_PORT: String(admin),
    PORTICO_GATEWAY_LISTEN_HOST: '127.0.0.1',
    PORTICO_ADMIN_PASSWORD: 'bench-start-admin',
  };
  const started = performance.now();
  const launcher = startProcess(name, 'sh', ['-c', `${build} && exec node scripts/start.mjs`], { env });
  await launcher.waitForOutput(/portico: started the control plane/, READY_TIMEOUT_MS);
  const built = performance.now() - started;
  const readyAfter = async (url: string) => {
    await untilReady(launcher, url);
    return performance.now() - started;
  };
  const [controlPlane, gateway] = await Promise.all([
    readyAfter(`http://127.0.0.1:${api}/readyz`),
    readyAfter(`http://127.0.0.1:${admin}/readyz`),
  ]);
  await launcher.stop(30_000);
  const said = launcher.output().match(/portico: (build up to date|built in)/)?.[1];
  return { build: said ? (said === 'built in' ? 'built' : 'up to date') : '', built, controlPlane, gateway };
}

/** Polls `url` every 50 ms until it answers 200; fails when `launcher` exits first or after READY_TIMEOUT_MS. */
async function untilReady(launcher: BenchProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void launcher.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${launcher.name} exited before ${url} answered:\n${launcher.output()}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${READY_TIMEOUT_MS / 1000} s:\n${launcher.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

await runBench(async () => {
  const warmUp = spawnSync(process.execPath, ['scripts/build-if-changed.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (warmUp.status !== 0) throw new Error('the build failed');
  await waitForQuiet(Number(args['quiet-wait']));
  const results: Record<string, StartTimes>[] = [];
  for (const variant of VARIANTS) {
    const dataDir = await tempDir(`start-${variant.name}`);
    results.push({
      [`${variant.name}, first start`]: await timeStart(`${variant.name} (first start)`, variant.build, dataDir),
      [`${variant.name}, restart`]: await timeStart(`${variant.name} (restart)`, variant.build, dataDir),
    });
  }
  const rows = results.flatMap((r) => Object.entries(r));
  printTable(
    '`npm start` on a built checkout, from the spawn',
    ['start', 'build', 'built', 'control plane ready', 'gateway ready'],
    rows.map(([name, t]) => [name, t.build || 'npm run build', formatMs(t.built), formatMs(t.controlPlane), formatMs(t.gateway)]),
  );
  console.log(
    JSON.stringify(
      Object.fromEntries(
        rows.map(([name, t]) => [
          name,
          {
            build: t.build,
            builtMs: round(t.built, 0),
            controlPlaneMs: round(t.controlPlane, 0),
            gatewayMs: round(t.gateway, 0),
          },
        ]),
      ),
    ),
  );
});
