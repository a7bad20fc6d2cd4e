/**
 * A quicker variant of proxy-throughput.ts for working on the gateway's hot path: no control
 * plane, no `npm run build`. The gateway code is compiled with tsc into a temporary directory and
 * run as JavaScript, as production runs dist/ (under tsx, esbuild's keepNames wraps every closure
 * in a `__name()` call, which distorts per-request costs). servers/data-plane.ts runs the
 * production translate(), DataPlane and defaults in front of the fixed upstream, next to direct,
 * nginx and section C's minimal Node proxy (servers/node-floor.ts), measured the same way: wrk
 * -t1, interleaved rounds with a warm-up, proxy CPU per request from /proc.
 *
 * `--baseline [name=]<dir>` (repeatable) adds a gateway compiled from another copy of the
 * repository (it needs apps/gateway/src, libs/<lib>/src with libs/proto-ts/src/gen, e.g. `git
 * archive` of the last commit plus the generated code), so before/after figures come from the same
 * rounds; the `gateway/<name> CPU` ratio compares them per round.
 * `--cpu-prof <dir>` runs the gateways under `node --cpu-prof` (one directory per gateway).
 * `--workers <n>` (repeatable) adds the same gateway serving with n worker processes
 * (PORTICO_GATEWAY_WORKERS), its CPU counted over the primary and its workers.
 * `--chain <name>=<policies.json>` (repeatable) adds the same gateway with more policies after
 * mcp-support (bench/chains/, servers/chain-file.ts), so a chain's cost is a ratio against the
 * plain gateway per round; headers a chain file names go with every request of the run. A chain
 * that counts in Redis (`"redis": true`) gets the machine's Redis, and the Redis round trips
 * (scripts run) per request of its runs are reported.
 * `--access-log` adds the same gateway with the access log on (`logged`: every exchange's event
 * built, batched, encoded and taken from the outbox as for publishing), so its cost is the
 * `/gateway` ratio of the same rounds.
 *
 *   node --conditions=portico-source --import tsx bench/data-plane-quick.ts [--rounds 3]
 *     [--duration 10] [--warmup 3] [--connections 32,1] [--baseline [name=]<dir> …] [--cpu-prof <dir>]
 *     [--no-floor] [--workers 2] [--chain access=bench/chains/access.json] [--access-log] [--quiet-wait 60]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '#portico/testing';
import { Redis } from 'ioredis';
import { readChain } from './servers/chain-file.js';
import { buildGateway, startCompiledServer } from './support/gateway-build.js';
import { startNginx } from './support/nginx.js';
import { type BenchProcess, REPO_ROOT, runBench, waitForQuiet } from './support/processes.js';
import { formatMs, median, printTable, round } from './support/stats.js';
import { startUpstream } from './support/upstreams.js';
import { runWrk, WRK_RUN_OPTIONS, wrkRunSettings, type WrkResult } from './support/wrk.js';

const { values: args } = parseArgs({
  options: {
    ...WRK_RUN_OPTIONS,
    baseline: { type: 'string', multiple: true, default: [] },
    'cpu-prof': { type: 'string' },
    'no-floor': { type: 'boolean', default: false },
    'access-log': { type: 'boolean', default: false },
    workers: { type: 'string', multiple: true, default: [] },
    chain: { type: 'string', multiple: true, default: [] },
    'quiet-wait': { type: 'string', default: '60' },
  },
  strict: true,
});

interface Target {
  name: string;
  url: string;
  proxyPid?: number;
  /** Its policies count in Redis: the commands Redis processed during each run are counted. */
  redis?: boolean;
}

interface Run extends WrkResult {
  connections: number;
  round: number;
  target: string;
  /** Round trips (scripts) Redis served during the run (targets with `redis`). */
  redisCommands?: number;
}

const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The scripts (EVAL, EVALSHA) Redis has run since it started: each is one round trip of a gateway
 * (the commands a script runs inside Redis are counted apart, and are not round trips).
 */
async function redisCommands(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  let calls = 0;
  for (const match of stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}

/** Starts `script` (a compiled server of `buildDir`'s bench/servers) on a free port in front of `upstreamUrl`. */
async function startServer(
  name: string,
  buildDir: string,
  script: string,
  upstreamUrl: string,
  profile: boolean,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<{ process: BenchProcess; port: number }> {
  const port = await freePort();
  const child = await startCompiledServer(
    name,
    buildDir,
    script,
    ['--port', String(port), '--upstream', upstreamUrl, ...extraArgs],
    { cpuProfDir: profile ? args['cpu-prof'] : undefined, env },
  );
  return { process: child, port };
}

const usPerRequest = (cpuS: number, requests: number) => (requests > 0 ? (cpuS / requests) * 1e6 : Number.NaN);

await runBench(async () => {
  const { rounds, durationS, warmupS, connections } = wrkRunSettings(args);

  const upstream = await startUpstream('fixed');
  const nginxPort = await freePort();
  const nginx = await startNginx([{ listenPort: nginxPort, upstreamPort: upstream.port }]);
  console.error('compiling the gateway …');
  const current = await buildGateway('gateway', REPO_ROOT);
  const gateway = await startServer('gateway', current, 'data-plane.js', upstream.url, true);
  const targets: Target[] = [
    { name: 'direct', url: `${upstream.url}mcp` },
    { name: 'nginx', url: `http://127.0.0.1:${nginxPort}/mcp`, proxyPid: nginx.workerPid },
  ];
  if (!args['no-floor']) {
    const floor = await startServer('node-floor', current, 'node-floor.js', upstream.url, false);
    targets.push({ name: 'node-floor', url: `http://127.0.0.1:${floor.port}/fixed/mcp`, proxyPid: floor.process.pid });
  }
  targets.push({ name: 'gateway', url: `http://127.0.0.1:${gateway.port}/fixed/mcp`, proxyPid: gateway.process.pid });
  if (args['access-log']) {
    const logged = await startServer('logged', current, 'data-plane.js', upstream.url, true, ['--access-log']);
    targets.push({ name: 'logged', url: `http://127.0.0.1:${logged.port}/fixed/mcp`, proxyPid: logged.process.pid });
  }
  for (const workers of args.workers) {
    const pooled = await startServer(`gateway-w${workers}`, current, 'data-plane.js', upstream.url, false, [
      '--workers',
      workers,
    ]);
    targets.push({ name: `gateway-w${workers}`, url: `http://127.0.0.1:${pooled.port}/fixed/mcp`, proxyPid: pooled.process.pid });
  }
  const headers: Record<string, string> = {};
  let redis: Redis | undefined;
  for (const spec of args.chain) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new Error(`--chain takes name=<policies.json>, got ${spec}`);
    const chain = readChain(path.resolve(spec.slice(eq + 1)));
    Object.assign(headers, chain.headers);
    const name = spec.slice(0, eq);
    if (chain.redis) redis ??= new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
    const chained = await startServer(
      name,
      current,
      'data-plane.js',
      upstream.url,
      true,
      ['--policies', path.resolve(spec.slice(eq + 1))],
      chain.redis ? { PORTICO_REDIS_URL: REDIS_URL } : {},
    );
    targets.push({ name, url: `http://127.0.0.1:${chained.port}/fixed/mcp`, proxyPid: chained.process.pid, redis: chain.redis });
  }
  for (const [i, spec] of args.baseline.entries()) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq) : `baseline${i + 1}`;
    const before = await buildGateway(name, path.resolve(eq > 0 ? spec.slice(eq + 1) : spec));
    const baseline = await startServer(name, before, 'data-plane.js', upstream.url, true);
    targets.push({ name, url: `http://127.0.0.1:${baseline.port}/fixed/mcp`, proxyPid: baseline.process.pid });
  }
  const quietWaitS = Number(args['quiet-wait']);
  if (quietWaitS > 0) console.error(`machine ${Math.round((await waitForQuiet(quietWaitS)) * 100)}% busy before the first round`);

  const runs: Run[] = [];
  for (const c of connections) {
    for (let r = 1; r <= rounds; r++) {
      // Each round starts one target further on, so no target always runs right after the same one.
      for (const target of [...targets.slice((r - 1) % targets.length), ...targets.slice(0, (r - 1) % targets.length)]) {
        const common = { url: target.url, connections: c, proxyPid: target.proxyPid, upstreamPid: upstream.process.pid, headers };
        await runWrk({ ...common, durationS: warmupS });
        const commandsBefore = target.redis && redis ? await redisCommands(redis) : 0;
        const run: Run = { ...(await runWrk({ ...common, durationS })), connections: c, round: r, target: target.name };
        if (target.redis && redis) run.redisCommands = (await redisCommands(redis)) - commandsBefore;
        runs.push(run);
        console.error(
          `c=${c} round ${r} ${target.name}: ${Math.round(run.rps)} req/s, p50 ${formatMs(run.p50Ms)}, ` +
            `${usPerRequest(run.cpu.proxy, run.requests).toFixed(1)} µs/req, errors ${run.errors}, foreign ${run.cpu.foreign.toFixed(2)} s`,
        );
      }
    }
  }

  const summary = [];
  const ratios = [];
  for (const c of connections) {
    const of = (name: string) => runs.filter((r) => r.connections === c && r.target === name);
    for (const target of targets) {
      const rs = of(target.name);
      summary.push({
        connections: c,
        target: target.name,
        rps: median(rs.map((r) => r.rps)),
        p50Ms: median(rs.map((r) => r.p50Ms)),
        p99Ms: median(rs.map((r) => r.p99Ms)),
        proxyCpuUsPerReq: target.proxyPid ? median(rs.map((r) => usPerRequest(r.cpu.proxy, r.requests))) : Number.NaN,
        errors: rs.reduce((sum, r) => sum + r.errors, 0),
        maxForeignCpuS: Math.max(...rs.map((r) => r.cpu.foreign)),
        redisCommandsPerReq: target.redis ? median(rs.map((r) => (r.redisCommands ?? 0) / r.requests)) : Number.NaN,
      });
    }
    const direct = of('direct');
    const ngx = of('nginx');
    const current = of('gateway');
    for (const target of targets.filter((t) => t.name !== 'direct' && t.name !== 'nginx')) {
      const gw = of(target.name);
      const paired = (f: (d: Run, n: Run, g: Run) => number) => median(gw.map((g, i) => f(direct[i]!, ngx[i]!, g)));
      ratios.push({
        connections: c,
        target: target.name,
        toNginxThroughput: paired((_, n, g) => g.rps / n.rps),
        overheadP50Ms: paired((d, _, g) => g.p50Ms - d.p50Ms),
        toNginxCpuPerReq: paired((_, n, g) => usPerRequest(g.cpu.proxy, g.requests) / usPerRequest(n.cpu.proxy, n.requests)),
        toGatewayThroughput: median(gw.map((g, i) => g.rps / current[i]!.rps)),
        toGatewayCpuPerReq: median(
          gw.map((g, i) => usPerRequest(g.cpu.proxy, g.requests) / usPerRequest(current[i]!.cpu.proxy, current[i]!.requests)),
        ),
      });
    }
  }

  printTable(
    `tools/call, wrk -t1, ${durationS} s × ${rounds} rounds (medians)`,
    ['conns', 'target', 'req/s', 'p50', 'p99', 'proxy CPU µs/req', 'errors', 'max foreign CPU', 'Redis trips/req'],
    summary.map((s) => [
      s.connections,
      s.target,
      Math.round(s.rps),
      formatMs(s.p50Ms),
      formatMs(s.p99Ms),
      Number.isNaN(s.proxyCpuUsPerReq) ? '–' : s.proxyCpuUsPerReq.toFixed(1),
      s.errors,
      `${s.maxForeignCpuS.toFixed(2)} s`,
      Number.isNaN(s.redisCommandsPerReq) ? '–' : s.redisCommandsPerReq.toFixed(3),
    ]),
  );
  printTable(
    'against the baselines of the same rounds (median of per-round ratios)',
    ['conns', 'target', '/nginx req/s', 'p50 − direct', '/nginx CPU per req', '/gateway req/s', '/gateway CPU per req'],
    ratios.map((r) => [
      r.connections,
      r.target,
      `${(r.toNginxThroughput * 100).toFixed(0)} %`,
      formatMs(r.overheadP50Ms),
      `${r.toNginxCpuPerReq.toFixed(2)}×`,
      `${(r.toGatewayThroughput * 100).toFixed(0)} %`,
      `${r.toGatewayCpuPerReq.toFixed(2)}×`,
    ]),
  );
  const clean = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? (Number.isNaN(v) ? null : round(v)) : v]));
  console.log(
    JSON.stringify({
      bench: 'data-plane-quick',
      config: { rounds, durationS, warmupS, connections, baselines: args.baseline },
      results: summary.map(clean),
      ratios: ratios.map(clean),
    }),
  );
  redis?.disconnect();
});
