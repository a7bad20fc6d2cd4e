/**
 * Benchmark 1 of issue 3: MCP tools/call through a real registered gateway, against the same
 * upstream directly and through nginx, in one run (method of reference/sync-and-performance.md
 * section C).
 *
 * The gateway is a real process fed by a real control plane: an MCP instance with mcp-support,
 * deployed over REST. wrk POSTs the same tools/call to each target, interleaved round by round
 * (warm-up before every measurement) at every concurrency; figures are medians over the rounds,
 * and the gateway's ratios are taken per round (paired with the direct and nginx runs next to
 * it) before the median. CPU µs per request of each proxy (the gateway process, the nginx
 * worker) come from /proc/<pid>/stat, so they hold even though wrk, proxy and upstream share the
 * machine's cores. Targets: gateway p50 − direct p50 ≤ 1 ms, gateway throughput ≥ 50 % of nginx.
 *
 *   node --conditions=portico-source --import tsx bench/proxy-throughput.ts [--rounds 3]
 *     [--duration 10] [--warmup 3] [--connections 32,1] [--sdk] [--quiet-wait 120]
 */
import { parseArgs } from 'node:util';
import { freePort } from '#portico/testing';
import { startNginx } from './support/nginx.js';
import { ControlPlane, type McpInstance, startGateway } from './support/portico.js';
import { runBench, waitForQuiet } from './support/processes.js';
import { formatMs, median, printTable, round } from './support/stats.js';
import { type Upstream, type UpstreamKind, startUpstream } from './support/upstreams.js';
import { runWrk, WRK_RUN_OPTIONS, wrkRunSettings, TOOLS_CALL_BODY, TOOLS_CALL_HEADERS, type WrkResult } from './support/wrk.js';

const TARGET_OVERHEAD_MS = 1;
const TARGET_THROUGHPUT_SHARE = 0.5;

const { values: args } = parseArgs({
  options: {
    ...WRK_RUN_OPTIONS,
    sdk: { type: 'boolean', default: false },
    'quiet-wait': { type: 'string', default: '120' },
  },
  strict: true,
});

type TargetName = 'direct' | 'nginx' | 'gateway';
const TARGETS: TargetName[] = ['direct', 'nginx', 'gateway'];

interface Target {
  name: TargetName;
  url: string;
  /** the proxy process whose CPU is the cost of proxying (none when direct) */
  proxyPid?: number;
}

interface Pass {
  upstream: Upstream;
  targets: Target[];
}

interface Run extends WrkResult {
  pass: UpstreamKind;
  connections: number;
  round: number;
  target: TargetName;
}

/** One request through `target`: it must answer 200 with the tools/call result, or the figures mean nothing. */
async function checkTarget(pass: Pass, target: Target): Promise<void> {
  const res = await fetch(target.url, { method: 'POST', headers: TOOLS_CALL_HEADERS, body: TOOLS_CALL_BODY });
  const text = await res.text();
  let result: unknown;
  try {
    result = (JSON.parse(text) as { result?: unknown }).result;
  } catch {
    // reported below
  }
  if (res.status !== 200 || result === undefined) {
    throw new Error(
      `${target.name} (${pass.upstream.kind} upstream) at ${target.url} answered ${res.status}: ${text.slice(0, 300)}`,
    );
  }
}

const usPerRequest = (cpuS: number, requests: number) => (requests > 0 ? (cpuS / requests) * 1e6 : Number.NaN);

await runBench(async () => {
  const { rounds, durationS, warmupS, connections } = wrkRunSettings(args);
  const quietWaitS = Number(args['quiet-wait']);
  const kinds: UpstreamKind[] = args.sdk ? ['fixed', 'sdk'] : ['fixed'];

  console.error('starting upstreams, nginx, the control plane and a gateway …');
  const upstreams = await Promise.all(kinds.map((kind) => startUpstream(kind)));
  const nginxPorts = await Promise.all(upstreams.map(() => freePort()));
  const nginx = await startNginx(upstreams.map((u, i) => ({ listenPort: nginxPorts[i]!, upstreamPort: u.port })));
  const cp = await ControlPlane.start();
  const registration = await cp.registerGateway('bench-gateway');
  const instances: McpInstance[] = [];
  for (const upstream of upstreams) {
    instances.push(
      await cp.deployMcpInstance({
        upstreamUrl: upstream.url,
        port: await freePort(),
        basePath: `/${upstream.kind}`,
        targetId: registration.gatewayId,
      }),
    );
  }
  const gateway = await startGateway(registration);
  for (const instance of instances) await cp.waitForRollout(instance);

  const passes: Pass[] = upstreams.map((upstream, i) => ({
    upstream,
    targets: [
      { name: 'direct', url: `${upstream.url}mcp` },
      { name: 'nginx', url: `http://127.0.0.1:${nginxPorts[i]}/mcp`, proxyPid: nginx.workerPid },
      { name: 'gateway', url: `${instances[i]!.proxyUrl}/mcp`, proxyPid: gateway.pid },
    ],
  }));
  for (const pass of passes) for (const target of pass.targets) await checkTarget(pass, target);

  if (quietWaitS > 0) {
    const share = await waitForQuiet(quietWaitS);
    console.error(`machine ${Math.round(share * 100)}% busy before the first round`);
  }

  const runs: Run[] = [];
  for (const pass of passes) {
    for (const c of connections) {
      for (let round = 1; round <= rounds; round++) {
        for (const target of pass.targets) {
          const common = { url: target.url, connections: c, proxyPid: target.proxyPid, upstreamPid: pass.upstream.process.pid };
          await runWrk({ ...common, durationS: warmupS });
          const run: Run = {
            ...(await runWrk({ ...common, durationS })),
            pass: pass.upstream.kind,
            connections: c,
            round,
            target: target.name,
          };
          runs.push(run);
          console.error(
            `${pass.upstream.kind} c=${c} round ${round} ${target.name}: ${Math.round(run.rps)} req/s, p50 ${formatMs(run.p50Ms)}, ` +
              `p99 ${formatMs(run.p99Ms)}, errors ${run.errors}, foreign CPU ${run.cpu.foreign.toFixed(2)} s`,
          );
        }
      }
    }
  }

  const summary = [];
  const ratios = [];
  for (const kind of kinds) {
    for (const c of connections) {
      const of = (target: TargetName) => runs.filter((r) => r.pass === kind && r.connections === c && r.target === target);
      for (const target of TARGETS) {
        const rs = of(target);
        summary.push({
          pass: kind,
          connections: c,
          target,
          rps: median(rs.map((r) => r.rps)),
          p50Ms: median(rs.map((r) => r.p50Ms)),
          p99Ms: median(rs.map((r) => r.p99Ms)),
          proxyCpuUsPerReq: target === 'direct' ? Number.NaN : median(rs.map((r) => usPerRequest(r.cpu.proxy, r.requests))),
          upstreamCpuUsPerReq: median(rs.map((r) => usPerRequest(r.cpu.upstream, r.requests))),
          errors: rs.reduce((sum, r) => sum + r.errors, 0),
          maxForeignCpuS: Math.max(...rs.map((r) => r.cpu.foreign)),
        });
      }
      // Paired per round: the three targets of a round ran back to back under the same conditions.
      const [direct, ngx, gw] = TARGETS.map(of) as [Run[], Run[], Run[]];
      const paired = (f: (d: Run, n: Run, g: Run) => number) => median(gw.map((g, i) => f(direct[i]!, ngx[i]!, g)));
      ratios.push({
        pass: kind,
        connections: c,
        gatewayToNginxThroughput: paired((_, n, g) => g.rps / n.rps),
        gatewayToDirectThroughput: paired((d, _, g) => g.rps / d.rps),
        gatewayOverheadP50Ms: paired((d, _, g) => g.p50Ms - d.p50Ms),
        nginxOverheadP50Ms: paired((d, n) => n.p50Ms - d.p50Ms),
        gatewayOverheadP99Ms: paired((d, _, g) => g.p99Ms - d.p99Ms),
        gatewayToNginxCpuPerReq: paired(
          (_, n, g) => usPerRequest(g.cpu.proxy, g.requests) / usPerRequest(n.cpu.proxy, n.requests),
        ),
      });
    }
  }

  printTable(
    `tools/call, wrk -t1, ${durationS} s × ${rounds} rounds (medians)`,
    [
      'upstream',
      'conns',
      'target',
      'req/s',
      'p50',
      'p99',
      'proxy CPU µs/req',
      '⇒ req/s per core',
      'upstream µs/req',
      'errors',
      'max foreign CPU',
    ],
    summary.map((s) => [
      s.pass,
      s.connections,
      s.target,
      Math.round(s.rps),
      formatMs(s.p50Ms),
      formatMs(s.p99Ms),
      Number.isNaN(s.proxyCpuUsPerReq) ? '–' : s.proxyCpuUsPerReq.toFixed(1),
      Number.isNaN(s.proxyCpuUsPerReq) ? '–' : Math.round(1e6 / s.proxyCpuUsPerReq),
      s.upstreamCpuUsPerReq.toFixed(1),
      s.errors,
      `${s.maxForeignCpuS.toFixed(2)} s`,
    ]),
  );
  const largest = Math.max(...connections);
  printTable(
    `gateway against the baselines of the same rounds (median of per-round ratios; targets: overhead ≤ ${TARGET_OVERHEAD_MS} ms, ≥ ${TARGET_THROUGHPUT_SHARE * 100} % of nginx at c=${largest})`,
    [
      'upstream',
      'conns',
      'gw/nginx req/s',
      'gw/direct req/s',
      'gw p50 − direct',
      'nginx p50 − direct',
      'gw p99 − direct',
      'gw/nginx CPU per req',
      'targets',
    ],
    ratios.map((r) => {
      const verdicts = [`overhead ${r.gatewayOverheadP50Ms <= TARGET_OVERHEAD_MS ? 'ok' : 'MISSED'}`];
      if (r.connections === largest)
        verdicts.push(`throughput ${r.gatewayToNginxThroughput >= TARGET_THROUGHPUT_SHARE ? 'ok' : 'MISSED'}`);
      return [
        r.pass,
        r.connections,
        `${(r.gatewayToNginxThroughput * 100).toFixed(0)} %`,
        `${(r.gatewayToDirectThroughput * 100).toFixed(0)} %`,
        formatMs(r.gatewayOverheadP50Ms),
        formatMs(r.nginxOverheadP50Ms),
        formatMs(r.gatewayOverheadP99Ms),
        `${r.gatewayToNginxCpuPerReq.toFixed(2)}×`,
        verdicts.join(', '),
      ];
    }),
  );
  const clean = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? (Number.isNaN(v) ? null : round(v)) : v]));
  console.log(
    JSON.stringify({
      bench: 'proxy-throughput',
      config: { rounds, durationS, warmupS, connections, upstreams: kinds },
      results: summary.map(clean),
      ratios: ratios.map(clean),
      targets: { overheadP50Ms: TARGET_OVERHEAD_MS, throughputShareOfNginx: TARGET_THROUGHPUT_SHARE },
    }),
  );
});
