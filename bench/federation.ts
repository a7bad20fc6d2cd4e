/**
 * What federation (mcp-transcoding-router, issue 19) costs: one MCP endpoint over three upstreams
 * against a plain MCP instance over one of them, measured as data-plane-quick.ts measures (no
 * control plane; the gateway compiled with tsc into a temporary directory and run as JavaScript).
 *
 * Three stateful upstreams (servers/tools-upstream.ts: SDK Server, JSON mode, sessions), alpha,
 * beta and gamma, each listing `--tools` tools of which `--shared` have the same name on all three
 * (the federation shows those as `<member>_shared_<i>`); alpha alone has `get_weather`. Each gateway
 * target is its own process (servers/api-data-plane.ts), so its CPU is its own and a federated
 * endpoint's cached lists are not in the plain one's heap:
 *
 * - direct: alpha itself (a reference);
 * - plain: mcp-support over alpha;
 * - federated: mcp-support + mcp-transcoding-router (pageSize 1000) over alpha, beta and gamma;
 * - federated-p100: the same with the router's defaults (pageSize 100), for tools/list only.
 *
 * Each target gets an MCP session first (initialize, notifications/initialized). Then, in
 * interleaved rounds (the order rotated by one each round) after a warm-up:
 *
 * 1. tools/call `get_weather` (the section C call) from `wrk -t1` at each of `--connections`, every
 *    request with its own JSON-RPC id (a stateful server maps answers to requests by id) and the
 *    session's headers; a 200 whose body holds no `"result":` counts as an error;
 * 2. `--list-requests` sequential tools/list requests after `--list-warmup` ones: federated lists
 *    every member's tools each time and answers the first page (all 3 × `--tools` with
 *    pageSize 1000, 100 of them by default); plain answers alpha's.
 *
 * It prints req/s, p50/p99, the gateway process's and the upstreams' CPU per request (from /proc),
 * then federated against plain per round (median of per-round ratios), and one JSON line last.
 *
 *   node --conditions=portico-source --import tsx bench/federation.ts [--rounds 3] [--duration 10]
 *     [--warmup 3] [--connections 1,16] [--list-requests 200] [--list-warmup 20] [--tools 200]
 *     [--shared 10] [--quiet-wait 60] [--cpu-prof <dir>]
 *
 * `--cpu-prof <dir>` runs each gateway process under `node --cpu-prof` (a directory per target).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from '#portico/testing';
import type { ApiSpec } from './servers/api-data-plane.js';
import {
  type BenchProcess,
  cpuSeconds,
  machineCpuSeconds,
  processTreeCpuSeconds,
  reapedChildrenCpuSeconds,
  REPO_ROOT,
  runBench,
  startProcess,
  tempDir,
  waitForQuiet,
} from './support/processes.js';
import { formatMs, median, percentile, positiveInt, printTable, round } from './support/stats.js';
import { TOOLS_CALL_BODY, TOOLS_CALL_HEADERS, WRK_RUN_OPTIONS, wrkLatencyMs, wrkRunSettings } from './support/wrk.js';
import { buildGateway, startCompiledServer } from './support/gateway-build.js';

const { values: args } = parseArgs({
  options: {
    ...WRK_RUN_OPTIONS,
    connections: { type: 'string', default: '1,16' },
    'list-requests': { type: 'string', default: '200' },
    'list-warmup': { type: 'string', default: '20' },
    tools: { type: 'string', default: '200' },
    shared: { type: 'string', default: '10' },
    'quiet-wait': { type: 'string', default: '60' },
    'cpu-prof': { type: 'string' },
  },
  strict: true,
});

const MEMBERS = ['alpha', 'beta', 'gamma'] as const;

interface Target {
  name: string;
  url: string;
  /** The gateway process (none for direct). */
  pid?: number;
  /** The session's headers (Mcp-Session-Id, MCP-Protocol-Version). */
  headers: Record<string, string>;
}

interface Cpu {
  gateway: number;
  upstreams: number;
  foreign: number;
}

interface CallRun {
  target: string;
  connections: number;
  round: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, socket errors, and 200s without a JSON-RPC result. */
  errors: number;
  cpu: Cpu;
}

interface ListRun {
  target: string;
  round: number;
  latenciesMs: number[];
  cpu: Cpu;
}

/** Starts a compiled server of the build; `profile`: under `--cpu-prof`. */
function startServer(
  name: string,
  buildDir: string,
  script: string,
  serverArgs: string[],
  profile = false,
): Promise<BenchProcess> {
  return startCompiledServer(name, buildDir, script, serverArgs, { cpuProfDir: profile ? args['cpu-prof'] : undefined });
}

let nextId = 1;

/** One JSON-RPC POST to `target`; the answer's status, session header and body text. */
async function post(target: Pick<Target, 'url' | 'headers'>, message: Record<string, unknown>) {
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { ...TOOLS_CALL_HEADERS, ...target.headers },
    body: JSON.stringify({ jsonrpc: '2.0', ...message }),
  });
  return { status: res.status, sessionId: res.headers.get('mcp-session-id'), text: await res.text() };
}

/** initialize and notifications/initialized: the headers of the session the target made. */
async function openSession(url: string): Promise<Record<string, string>> {
  const init = await post(
    { url, headers: {} },
    {
      id: nextId++,
      method: 'initialize',
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'bench-federation', version: '1' },
      },
    },
  );
  const version = (JSON.parse(init.text) as { result?: { protocolVersion?: string } }).result?.protocolVersion;
  if (init.status !== 200 || !init.sessionId || !version) throw new Error(`initialize at ${url}: ${init.status} ${init.text}`);
  const headers = { 'mcp-session-id': init.sessionId, 'mcp-protocol-version': version };
  const initialized = await post({ url, headers }, { method: 'notifications/initialized' });
  if (initialized.status !== 202)
    throw new Error(`notifications/initialized at ${url}: ${initialized.status} ${initialized.text}`);
  return headers;
}

async function listTools(target: Target): Promise<{ tools: { name: string }[]; nextCursor?: string; bytes: number }> {
  const { status, text } = await post(target, { id: nextId++, method: 'tools/list', params: {} });
  const result = (JSON.parse(text) as { result?: { tools: { name: string }[]; nextCursor?: string } }).result;
  if (status !== 200 || !result) throw new Error(`tools/list at ${target.name}: ${status} ${text.slice(0, 500)}`);
  return { ...result, bytes: Buffer.byteLength(text) };
}

/** What each target lists and answers is what this bench means to measure; throws otherwise. Returns the list sizes. */
async function check(targets: Target[], tools: number, shared: number): Promise<Map<string, { items: number; bytes: number }>> {
  const sizes = new Map<string, { items: number; bytes: number }>();
  for (const target of targets) {
    const list = await listTools(target);
    const names = list.tools.map((t) => t.name);
    const expected =
      target.name === 'federated-p100' ? Math.min(100, 3 * tools) : target.name === 'federated' ? 3 * tools : tools;
    if (names.length !== expected || new Set(names).size !== names.length)
      throw new Error(`${target.name} lists ${names.length} tools (${new Set(names).size} distinct), not ${expected}`);
    if (target.name === 'federated') {
      const wanted = ['get_weather', ...(shared > 0 ? MEMBERS.map((m) => `${m}_shared_0`) : [])];
      const missing = wanted.filter((name) => !names.includes(name));
      if (missing.length) throw new Error(`federated lists no ${missing.join(', ')}`);
    }
    if (target.name === 'federated-p100' && 3 * tools > 100 && !list.nextCursor)
      throw new Error('federated-p100 gave no nextCursor');
    sizes.set(target.name, { items: names.length, bytes: list.bytes });
    const call = await post(target, { ...(JSON.parse(TOOLS_CALL_BODY) as object), id: nextId++ });
    if (call.status !== 200 || !call.text.includes('"result":'))
      throw new Error(`tools/call at ${target.name}: ${call.status} ${call.text}`);
  }
  return sizes;
}

const luaScripts = new Map<string, Promise<string>>();

/**
 * The wrk script of a target: POSTs of the tools/call with the session's headers, each with the
 * next JSON-RPC id; it counts 200s without a result and prints `jsonrpc errors: <n>` at the end.
 */
function luaScript(target: Target): Promise<string> {
  let script = luaScripts.get(target.name);
  if (!script) {
    script = (async () => {
      const file = path.join(await tempDir('wrk'), `${target.name}.lua`);
      const [prefix, suffix] = JSON.stringify({ ...(JSON.parse(TOOLS_CALL_BODY) as object), id: 0 }).split('"id":0');
      const headers = Object.entries({ ...TOOLS_CALL_HEADERS, ...target.headers }).map(
        ([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`,
      );
      const lua = [
        'wrk.method = "POST"',
        ...headers,
        `local prefix = [==[${prefix}"id":]==]`,
        `local suffix = [==[${suffix}]==]`,
        'local id = 0',
        'rpc_errors = 0',
        'local threads = {}',
        'function setup(thread) table.insert(threads, thread) end',
        'function request()',
        '  id = id + 1',
        '  return wrk.format(nil, nil, nil, prefix .. id .. suffix)',
        'end',
        'function response(status, headers, body)',
        '  if status == 200 and not string.find(body, \'"result":\', 1, true) then rpc_errors = rpc_errors + 1 end',
        'end',
        'function done(summary, latency, requests)',
        '  local errors = 0',
        '  for _, thread in ipairs(threads) do errors = errors + thread:get("rpc_errors") end',
        '  io.write(string.format("jsonrpc errors: %d\\n", errors))',
        'end',
        '',
      ];
      await writeFile(file, lua.join('\n'));
      return file;
    })();
    luaScripts.set(target.name, script);
  }
  return script;
}

/** CPU seconds of the gateway, the upstreams and the machine; `stop()` gives what each used since. */
function cpuMeter(target: Target, upstreamPids: readonly number[]): { stop(own: number): Cpu } {
  const gateway0 = target.pid ? processTreeCpuSeconds(target.pid) : 0;
  const upstreams = () => upstreamPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const upstreams0 = upstreams();
  const machine0 = machineCpuSeconds().busy;
  return {
    /** `own`: CPU seconds the load generator used meanwhile (wrk, or this process). */
    stop(own) {
      const gateway = target.pid ? processTreeCpuSeconds(target.pid) - gateway0 : 0;
      const upstreamsUsed = upstreams() - upstreams0;
      const foreign = Math.max(0, machineCpuSeconds().busy - machine0 - gateway - upstreamsUsed - own);
      return { gateway, upstreams: upstreamsUsed, foreign };
    },
  };
}

/** One `wrk -t1 --latency` run of tools/call against `target`. */
async function runCalls(
  target: Target,
  upstreamPids: readonly number[],
  connections: number,
  durationS: number,
): Promise<Omit<CallRun, 'target' | 'round'>> {
  const lua = await luaScript(target);
  const wrk0 = reapedChildrenCpuSeconds();
  const meter = cpuMeter(target, upstreamPids);
  const wrk = startProcess('wrk', 'wrk', ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency', '-s', lua, target.url]);
  const code = await wrk.exited;
  const cpu = meter.stop(reapedChildrenCpuSeconds() - wrk0);
  const out = wrk.output();
  const requests = out.match(/^\s*(\d+) requests in/m);
  const rps = out.match(/^Requests\/sec:\s+([\d.]+)/m);
  const rpcErrors = out.match(/^jsonrpc errors: (\d+)/m);
  if (code !== 0 || !requests || !rps || !rpcErrors) throw new Error(`wrk ${target.url} exited with ${code}:\n${out}`);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const socketErrors = socket ? socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    connections,
    requests: Number(requests[1]),
    rps: Number(rps[1]),
    p50Ms: wrkLatencyMs(out, '50'),
    p99Ms: wrkLatencyMs(out, '99'),
    errors: non2xx + socketErrors + Number(rpcErrors[1]),
    cpu,
  };
}

/** `count` tools/list requests one after the other; their latencies and the CPU they cost. */
async function runLists(
  target: Target,
  upstreamPids: readonly number[],
  count: number,
): Promise<Omit<ListRun, 'target' | 'round'>> {
  const own0 = process.cpuUsage();
  const meter = cpuMeter(target, upstreamPids);
  const latenciesMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const { status, text } = await post(target, { id: nextId++, method: 'tools/list', params: {} });
    latenciesMs.push(performance.now() - started);
    if (status !== 200 || !text.includes('"result":'))
      throw new Error(`tools/list at ${target.name}: ${status} ${text.slice(0, 500)}`);
  }
  const own = process.cpuUsage(own0);
  return { latenciesMs, cpu: meter.stop((own.user + own.system) / 1e6) };
}

const usPerRequest = (cpuS: number, requests: number) => (requests > 0 ? (cpuS / requests) * 1e6 : Number.NaN);

/** `targets` starting `round - 1` places further on, so no target always runs right after the same one. */
const rotated = <T>(targets: T[], round: number) => [
  ...targets.slice((round - 1) % targets.length),
  ...targets.slice(0, (round - 1) % targets.length),
];

const clean = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? (Number.isNaN(v) ? null : round(v)) : v]));

await runBench(async () => {
  const { rounds, durationS, warmupS, connections } = wrkRunSettings(args);
  const listRequests = positiveInt('list-requests', args['list-requests']);
  const listWarmup = positiveInt('list-warmup', args['list-warmup']);
  const tools = positiveInt('tools', args.tools);
  const shared = Number(args.shared);
  if (!Number.isInteger(shared) || shared < 0 || shared >= tools)
    throw new Error('--shared must be an integer from 0 to --tools − 1');

  console.error('compiling the gateway …');
  const buildDir = await buildGateway('federation', REPO_ROOT);
  const upstreams = new Map<string, { process: BenchProcess; url: string }>();
  for (const member of MEMBERS) {
    const port = await freePort();
    const child = await startServer(`upstream ${member}`, buildDir, 'tools-upstream.js', [
      '--name',
      member,
      '--port',
      String(port),
      '--tools',
      String(tools),
      '--shared',
      String(shared),
      ...(member === 'alpha' ? ['--weather'] : []),
    ]);
    upstreams.set(member, { process: child, url: `http://127.0.0.1:${port}/` });
  }
  const upstreamPids = [...upstreams.values()].map((u) => u.process.pid);
  const mcpSupport = { type: 'mcp-support', configuration: {} };
  const gateways: { name: string; basePath: string; spec: Omit<ApiSpec, 'basePath'> }[] = [
    {
      name: 'plain',
      basePath: '/plain',
      spec: { upstreams: [{ label: '', url: upstreams.get('alpha')!.url }], policies: [mcpSupport] },
    },
    ...[
      { name: 'federated', configuration: { pageSize: 1000 } },
      { name: 'federated-p100', configuration: {} },
    ].map(({ name, configuration }) => ({
      name,
      basePath: '/hub',
      spec: {
        upstreams: MEMBERS.map((label) => ({ label, url: upstreams.get(label)!.url })),
        policies: [mcpSupport, { type: 'mcp-transcoding-router', configuration }],
      },
    })),
  ];
  const targets: Target[] = [{ name: 'direct', url: `${upstreams.get('alpha')!.url}mcp`, headers: {} }];
  for (const gateway of gateways) {
    const port = await freePort();
    const child = await startServer(
      gateway.name,
      buildDir,
      'api-data-plane.js',
      ['--port', String(port), '--api', JSON.stringify({ basePath: gateway.basePath, ...gateway.spec })],
      true,
    );
    targets.push({ name: gateway.name, url: `http://127.0.0.1:${port}${gateway.basePath}/mcp`, pid: child.pid, headers: {} });
  }
  for (const target of targets) target.headers = await openSession(target.url);
  const sizes = await check(targets, tools, shared);
  const callTargets = targets.filter((t) => t.name !== 'federated-p100');

  const quietWaitS = Number(args['quiet-wait']);
  if (quietWaitS > 0) console.error(`machine ${Math.round((await waitForQuiet(quietWaitS)) * 100)}% busy before the first round`);

  const callRuns: CallRun[] = [];
  for (const c of connections) {
    for (let r = 1; r <= rounds; r++) {
      for (const target of rotated(callTargets, r)) {
        await runCalls(target, upstreamPids, c, warmupS);
        const run: CallRun = { ...(await runCalls(target, upstreamPids, c, durationS)), target: target.name, round: r };
        callRuns.push(run);
        console.error(
          `tools/call c=${c} round ${r} ${target.name}: ${Math.round(run.rps)} req/s, p50 ${formatMs(run.p50Ms)}, ` +
            `gateway ${usPerRequest(run.cpu.gateway, run.requests).toFixed(1)} µs/req, errors ${run.errors}, ` +
            `foreign ${run.cpu.foreign.toFixed(2)} s`,
        );
      }
    }
  }

  const listRuns: ListRun[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const target of rotated(targets, r)) {
      await runLists(target, upstreamPids, listWarmup);
      const run: ListRun = { ...(await runLists(target, upstreamPids, listRequests)), target: target.name, round: r };
      listRuns.push(run);
      console.error(
        `tools/list round ${r} ${target.name}: p50 ${formatMs(percentile(run.latenciesMs, 50))}, ` +
          `p99 ${formatMs(percentile(run.latenciesMs, 99))}, foreign ${run.cpu.foreign.toFixed(2)} s`,
      );
    }
  }

  const callSummary = [];
  const callRatios = [];
  for (const c of connections) {
    const of = (name: string) => callRuns.filter((run) => run.connections === c && run.target === name);
    for (const target of callTargets) {
      const runs = of(target.name);
      callSummary.push({
        connections: c,
        target: target.name,
        rps: median(runs.map((run) => run.rps)),
        p50Ms: median(runs.map((run) => run.p50Ms)),
        p99Ms: median(runs.map((run) => run.p99Ms)),
        gatewayCpuUsPerReq: target.pid ? median(runs.map((run) => usPerRequest(run.cpu.gateway, run.requests))) : Number.NaN,
        upstreamsCpuUsPerReq: median(runs.map((run) => usPerRequest(run.cpu.upstreams, run.requests))),
        errors: runs.reduce((sum, run) => sum + run.errors, 0),
        maxForeignCpuS: Math.max(...runs.map((run) => run.cpu.foreign)),
      });
    }
    const plain = of('plain');
    const federated = of('federated');
    const paired = (f: (fed: CallRun, pl: CallRun) => number) => median(federated.map((fed, i) => f(fed, plain[i]!)));
    callRatios.push({
      connections: c,
      throughput: paired((fed, pl) => fed.rps / pl.rps),
      p50: paired((fed, pl) => fed.p50Ms / pl.p50Ms),
      p99: paired((fed, pl) => fed.p99Ms / pl.p99Ms),
      p50DiffMs: paired((fed, pl) => fed.p50Ms - pl.p50Ms),
      gatewayCpuPerReq: paired(
        (fed, pl) => usPerRequest(fed.cpu.gateway, fed.requests) / usPerRequest(pl.cpu.gateway, pl.requests),
      ),
    });
  }

  const listOf = (name: string) => listRuns.filter((run) => run.target === name);
  const listSummary = targets.map((target) => {
    const runs = listOf(target.name);
    return {
      target: target.name,
      tools: sizes.get(target.name)!.items,
      bytes: sizes.get(target.name)!.bytes,
      p50Ms: median(runs.map((run) => percentile(run.latenciesMs, 50))),
      p99Ms: median(runs.map((run) => percentile(run.latenciesMs, 99))),
      gatewayCpuUsPerReq: target.pid ? median(runs.map((run) => usPerRequest(run.cpu.gateway, listRequests))) : Number.NaN,
      upstreamsCpuUsPerReq: median(runs.map((run) => usPerRequest(run.cpu.upstreams, listRequests))),
      maxForeignCpuS: Math.max(...runs.map((run) => run.cpu.foreign)),
    };
  });
  const plainLists = listOf('plain');
  const listRatios = ['federated', 'federated-p100'].map((name) => {
    const paired = (f: (fed: ListRun, pl: ListRun) => number) => median(listOf(name).map((fed, i) => f(fed, plainLists[i]!)));
    const p = (run: ListRun, q: number) => percentile(run.latenciesMs, q);
    return {
      target: name,
      p50: paired((fed, pl) => p(fed, 50) / p(pl, 50)),
      p99: paired((fed, pl) => p(fed, 99) / p(pl, 99)),
      p50DiffMs: paired((fed, pl) => p(fed, 50) - p(pl, 50)),
      gatewayCpuPerReq: paired((fed, pl) => fed.cpu.gateway / pl.cpu.gateway),
    };
  });

  const cpuCell = (us: number) => (Number.isNaN(us) ? '–' : us.toFixed(1));
  printTable(
    `tools/call get_weather (alpha's), wrk -t1, ${durationS} s × ${rounds} rounds (medians)`,
    ['conns', 'target', 'req/s', 'p50', 'p99', 'gateway CPU µs/req', 'upstreams µs/req', 'errors', 'max foreign CPU'],
    callSummary.map((s) => [
      s.connections,
      s.target,
      Math.round(s.rps),
      formatMs(s.p50Ms),
      formatMs(s.p99Ms),
      cpuCell(s.gatewayCpuUsPerReq),
      cpuCell(s.upstreamsCpuUsPerReq),
      s.errors,
      `${s.maxForeignCpuS.toFixed(2)} s`,
    ]),
  );
  printTable(
    'tools/call: federated against plain of the same rounds (median of per-round ratios)',
    ['conns', 'req/s', 'p50', 'p99', 'p50 − plain', 'gateway CPU per req'],
    callRatios.map((r) => [
      r.connections,
      `${(r.throughput * 100).toFixed(0)} %`,
      `${r.p50.toFixed(2)}×`,
      `${r.p99.toFixed(2)}×`,
      formatMs(r.p50DiffMs),
      `${r.gatewayCpuPerReq.toFixed(2)}×`,
    ]),
  );
  printTable(
    `tools/list, ${listRequests} sequential requests × ${rounds} rounds (medians)`,
    ['target', 'tools shown', 'bytes', 'p50', 'p99', 'gateway CPU µs/req', 'upstreams µs/req', 'max foreign CPU'],
    listSummary.map((s) => [
      s.target,
      s.tools,
      s.bytes,
      formatMs(s.p50Ms),
      formatMs(s.p99Ms),
      cpuCell(s.gatewayCpuUsPerReq),
      cpuCell(s.upstreamsCpuUsPerReq),
      `${s.maxForeignCpuS.toFixed(2)} s`,
    ]),
  );
  printTable(
    'tools/list: against plain of the same rounds (median of per-round ratios)',
    ['target', 'p50', 'p99', 'p50 − plain', 'gateway CPU per req'],
    listRatios.map((r) => [
      r.target,
      `${r.p50.toFixed(2)}×`,
      `${r.p99.toFixed(2)}×`,
      formatMs(r.p50DiffMs),
      `${r.gatewayCpuPerReq.toFixed(2)}×`,
    ]),
  );
  console.log(
    JSON.stringify({
      bench: 'federation',
      config: { rounds, durationS, warmupS, connections, listRequests, listWarmup, tools, shared },
      call: { results: callSummary.map(clean), ratios: callRatios.map(clean) },
      list: { results: listSummary.map(clean), ratios: listRatios.map(clean) },
    }),
  );
});
