/**
 * Soak benchmark (issue 12): mixed MCP traffic at a steady rate for 10 minutes through a real
 * registered gateway with a policy chain, sampling every 10 s what clients saw and what the
 * processes hold.
 *
 * The upstream is bench/servers/mcp-upstream.ts (SDK server, sessions) in its own process; the
 * gateway serves it as two MCP instances, `/json` (JSON answers) and `/sse` (event streams), each
 * with mcp-support, rate-limiting counted in Redis per `x-agent` header, an mcp-acl that allows
 * only `echo` and `progress`, and the DLP guardrail (mcp-pii-detector, seven kinds, Redact). SDK
 * clients with sessions call at `--rate` calls/s, in an open loop (the rate holds however slowly
 * answers come), one call in 20 of each:
 * - 11 `echo` (JSON, 10 agents): the text carries an e-mail address, which must come back redacted;
 * - 3 `progress` (SSE, 3 agents): 4 progress notifications 250 ms apart, then a redacted text;
 * - 1 `denied`: `delete_records`, which the ACL hides (−32602 Unknown tool), by the JSON agents;
 * - 3 `greedy`: one agent calling echo at 1.5× its rate limit (429s expected);
 * - 2 `session`: a new session (initialize, echo, DELETE) under one of two agent keys.
 * Each agent's limit is `--rate` calls per 10 s; every agent but the greedy one uses at most 60 %
 * of it. Denials of `denied` calls by the ACL and 429s are "policy"; any other failure, or an
 * answer that was not redacted or lacked its progress notifications, is an error (0 expected).
 *
 * Every `--sample` s it reads, for the window just ended: calls ended (ok / policy / errors), p50
 * and p99 of the echo calls, p99 of the progress calls, the gateway's summed VmRSS, CPU and open
 * descriptors (its primary and worker processes, /proc), the control plane's VmRSS and CPU, and
 * how busy the whole machine was. Then a summary: errors by kind, RSS at start / end / max and its
 * slope (MiB per minute, over the run and over its second half), p99 in the first and last
 * windows; a JSON line last.
 *
 * Before the traffic starts it waits up to `--quiet-wait` s for the machine to be less than 15 %
 * busy (it goes on regardless, and reports how busy the machine was in every window).
 *
 *   node --conditions=portico-source --import tsx bench/soak.ts [--rate 50] [--duration 600]
 *     [--quick] [--sample 10] [--timeout 30] [--quiet-wait 60]
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from '#portico/testing';
import { countKinds, latencies, McpAgent, messagesByKind, OpenLoop, type Outcome } from './support/mcp-traffic.js';
import { ControlPlane, type McpInstance, REDIS_URL, startGateway } from './support/portico.js';
import {
  cpuSeconds,
  machineCpuSeconds,
  memoryKiB,
  processTreeCpuSeconds,
  processTreeDescriptors,
  processTreeMemoryKiB,
  runBench,
  sleep,
  waitForQuiet,
} from './support/processes.js';
import { formatMs, positiveInt, printTable, round, slope } from './support/stats.js';
import { startUpstream } from './support/upstreams.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '600' },
    quick: { type: 'boolean', default: false },
    sample: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '30' },
    'quiet-wait': { type: 'string', default: '60' },
  },
  strict: true,
});

/** The calls of every 20, interleaved so that each kind is spread evenly over time. */
const MIX = [
  'echo',
  'greedy',
  'echo',
  'progress',
  'echo',
  'session',
  'echo',
  'greedy',
  'echo',
  'progress',
  'echo',
  'denied',
  'echo',
  'greedy',
  'echo',
  'progress',
  'echo',
  'session',
  'echo',
  'echo',
] as const;
type Label = (typeof MIX)[number];

/**
 * Agents per kind. With a limit of `rate` calls per 10 s per agent (rate/10 per second), the JSON
 * agents (echo + denied: 12/20 of the calls) and the SSE agents (3/20) each send 0.06 × rate per
 * second, 60 % of it, the session keys 0.05 × rate (50 %); the greedy agent sends 0.15 × rate, 150 %.
 */
const JSON_AGENTS = 10;
const SSE_AGENTS = 3;
const SESSION_KEYS = 2;
const RATE_WINDOW_MS = 10_000;
const PROGRESS = { steps: 4, stepMs: 250 };
const PII_ENTITIES = ['Email', 'Credit Card', 'Phone Number', 'US SSN', 'IBAN', 'API Key', 'Access Token'];

/** What mcp-support is followed by on both instances. */
function policyChain(rate: number) {
  return [
    {
      assetId: 'rate-limiting',
      assetVersion: '1.4.1',
      configurationData: {
        rateLimits: [{ maximumRequests: rate, timePeriodInMilliseconds: RATE_WINDOW_MS }],
        keySelector: "#[attributes.headers['x-agent']]",
        mcpMethods: ['tools/call'],
        exposeHeaders: true,
      },
    },
    {
      assetId: 'mcp-acl',
      assetVersion: '1.0.0',
      configurationData: {
        rules: ['echo', 'progress'].map((name) => ({
          feature: 'tools',
          methods: ['tools/list', 'tools/call'],
          namePatternType: 'LITERAL',
          namePattern: name,
        })),
      },
    },
    { assetId: 'mcp-pii-detector', assetVersion: '1.0.0', configurationData: { entities: PII_ENTITIES, action: 'Redact' } },
  ];
}

const piiText = (agent: string) => `please reach ${agent} at ${agent}@example.com today`;

/** A result whose text still carries the address, or lacks the redaction mark, is an error. */
function redacted(result: CallToolResult): string | undefined {
  const text = result.content?.map((c) => (c.type === 'text' ? c.text : '')).join('') ?? '';
  if (result.isError) return 'tool error (isError)';
  return text.includes('[REDACTED:Email]') && !text.includes('@example.com') ? undefined : 'answer not redacted';
}

type Category = 'ok' | 'policy' | 'error';

/** CPU seconds of this process (the SDK clients and the load generator). */
const benchCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** A load generator this late started calls in bursts: the figures then show the machine's load more than the gateway. */
const LAG_WARNING_MS = 1_000;

/**
 * The 429 rate-limiting answers when it cannot reach Redis (policy-engine quota-gate.ts): the
 * policy could not decide, so it is not a denial by policy but a failure.
 */
const QUOTA_UNKNOWN = 'cannot be checked right now';

/** ok; policy: the ACL hiding `delete_records`, or a 429 of an exceeded limit; error: anything else. */
function categoryOf(o: Outcome): Category {
  if (o.kind === 'ok') return 'ok';
  if (o.label === 'denied' && o.kind === 'JSON-RPC -32602') return 'policy';
  if (o.kind.startsWith('HTTP 429') && !o.message?.includes(QUOTA_UNKNOWN)) return 'policy';
  return 'error';
}

interface Sample {
  t: number;
  calls: number;
  ok: number;
  policy: number;
  errors: number;
  echoP50Ms: number;
  echoP99Ms: number;
  progressP99Ms: number;
  gatewayRssMiB: number;
  gatewayCpuPct: number;
  gatewayFds: number;
  controlPlaneRssMiB: number;
  controlPlaneCpuPct: number;
  upstreamRssMiB: number;
  upstreamCpuPct: number;
  /** this process: the SDK clients and the load generator */
  benchCpuPct: number;
  machineBusyPct: number;
  load1: number;
  /** the load generator's latest start after a call was due */
  lagMs: number;
  inFlight: number;
}

await runBench(async () => {
  const rate = positiveInt('rate', args.rate);
  const durationS = args.quick ? 60 : positiveInt('duration', args.duration);
  const sampleS = positiveInt('sample', args.sample);
  const timeoutMs = positiveInt('timeout', args.timeout) * 1000;
  let unhandled = 0;
  process.on('unhandledRejection', () => void unhandled++);

  console.error('starting the upstream, the control plane and a gateway …');
  const upstream = await startUpstream('mcp');
  const cp = await ControlPlane.start();
  const registration = await cp.registerGateway('bench-soak');
  const deploy = async (mode: 'json' | 'sse'): Promise<McpInstance> => {
    const instance = await cp.deployMcpInstance({
      upstreamUrl: `${upstream.url}${mode}/`,
      port: await freePort(),
      basePath: `/${mode}`,
      targetId: registration.gatewayId,
    });
    for (const policy of policyChain(rate)) await cp.applyPolicy(instance, policy);
    return instance;
  };
  const instances = { json: await deploy('json'), sse: await deploy('sse') };
  const gateway = await startGateway(registration, 'bench-soak', { env: { PORTICO_REDIS_URL: REDIS_URL } });
  for (const instance of Object.values(instances)) await cp.waitForRollout(instance);

  // Rate-limit keys unique to this run: Redis is shared with other runs and tests.
  const run = randomBytes(4).toString('hex');
  const endpoint = { json: `${instances.json.proxyUrl}/mcp`, sse: `${instances.sse.proxyUrl}/mcp` };
  const agent = (mode: 'json' | 'sse', name: string) => new McpAgent(name, [endpoint[mode]], { 'x-agent': `${run}-${name}` });
  const jsonAgents = Array.from({ length: JSON_AGENTS }, (_, i) => agent('json', `json-${i}`));
  const sseAgents = Array.from({ length: SSE_AGENTS }, (_, i) => agent('sse', `sse-${i}`));
  const greedy = agent('json', 'greedy');

  const echo = (a: McpAgent, label: Label) =>
    a.call(label, 'echo', { text: piiText(a.name) }, { timeoutMs, check: (result) => redacted(result) });
  const progress = (a: McpAgent) =>
    a.call(
      'progress',
      'progress',
      { ...PROGRESS, text: piiText(a.name) },
      {
        timeoutMs,
        progress: true,
        check: (result, notifications) =>
          redacted(result) ??
          (notifications === PROGRESS.steps ? undefined : `${notifications}/${PROGRESS.steps} progress notifications`),
      },
    );
  const denied = (a: McpAgent) =>
    a.call('denied', 'delete_records', {}, { timeoutMs, check: () => 'ACL not enforced (delete_records answered)' });
  /** A whole session: initialize, echo, DELETE; its time is all three. */
  const session = async (n: number): Promise<Outcome> => {
    const a = agent('json', `session-${n % SESSION_KEYS}`);
    const outcome = await echo(a, 'session');
    const deleted = await a.terminate(timeoutMs);
    return {
      ...outcome,
      kind: outcome.kind === 'ok' && deleted ? `DELETE: ${deleted}` : outcome.kind,
      ms: performance.now() - outcome.startedAt,
    };
  };

  const checks = [await echo(jsonAgents[0]!, 'echo'), await progress(sseAgents[0]!), await denied(jsonAgents[0]!)];
  if (checks.some((o) => categoryOf(o) === 'error'))
    throw new Error(`the gateway does not serve the mix as expected: ${checks.map((o) => `${o.label}: ${o.kind}`).join(', ')}`);

  const counters: Record<Label, number> = { echo: 0, greedy: 0, progress: 0, denied: 0, session: 0 };
  const outcomes: Outcome[] = [];
  const launch = async (n: number): Promise<void> => {
    const label = MIX[n % MIX.length]!;
    const i = counters[label]++;
    let outcome: Outcome;
    if (label === 'echo') outcome = await echo(jsonAgents[i % JSON_AGENTS]!, 'echo');
    else if (label === 'denied') outcome = await denied(jsonAgents[i % JSON_AGENTS]!);
    else if (label === 'progress') outcome = await progress(sseAgents[i % SSE_AGENTS]!);
    else if (label === 'greedy') outcome = await echo(greedy, 'greedy');
    else outcome = await session(i);
    outcomes.push(outcome);
  };

  const quietWaitS = Number(args['quiet-wait']);
  if (quietWaitS > 0) {
    const share = await waitForQuiet(quietWaitS);
    console.error(`machine ${Math.round(share * 100)}% busy before the traffic starts`);
  }
  const samples: Sample[] = [];
  let seen = 0;
  let last = {
    at: performance.now(),
    gatewayCpu: processTreeCpuSeconds(gateway.pid),
    cpCpu: cpuSeconds(cp.process.pid),
    upstreamCpu: cpuSeconds(upstream.process.pid),
    benchCpu: benchCpuSeconds(),
    machine: machineCpuSeconds(),
  };
  const loop = new OpenLoop(rate, launch);
  const takeSample = () => {
    const now = performance.now();
    const window = outcomes.slice(seen);
    seen = outcomes.length;
    const ok = (label: string) => window.filter((o) => o.label === label && o.kind === 'ok');
    const gatewayCpu = processTreeCpuSeconds(gateway.pid);
    const cpCpu = cpuSeconds(cp.process.pid);
    const upstreamCpu = cpuSeconds(upstream.process.pid);
    const benchCpu = benchCpuSeconds();
    const machine = machineCpuSeconds();
    const dt = (now - last.at) / 1000;
    const cpuPct = (after: number, before: number) => (samples.length === 0 ? Number.NaN : ((after - before) / dt) * 100);
    const sample: Sample = {
      t: Math.round((now - started) / 1000),
      calls: window.length,
      ok: window.filter((o) => categoryOf(o) === 'ok').length,
      policy: window.filter((o) => categoryOf(o) === 'policy').length,
      errors: window.filter((o) => categoryOf(o) === 'error').length,
      echoP50Ms: latencies(ok('echo')).p50Ms,
      echoP99Ms: latencies(ok('echo')).p99Ms,
      progressP99Ms: latencies(ok('progress')).p99Ms,
      gatewayRssMiB: processTreeMemoryKiB(gateway.pid) / 1024,
      gatewayCpuPct: cpuPct(gatewayCpu, last.gatewayCpu),
      gatewayFds: processTreeDescriptors(gateway.pid),
      controlPlaneRssMiB: memoryKiB(cp.process.pid) / 1024,
      controlPlaneCpuPct: cpuPct(cpCpu, last.cpCpu),
      upstreamRssMiB: memoryKiB(upstream.process.pid) / 1024,
      upstreamCpuPct: cpuPct(upstreamCpu, last.upstreamCpu),
      benchCpuPct: cpuPct(benchCpu, last.benchCpu),
      machineBusyPct:
        samples.length === 0 ? Number.NaN : ((machine.busy - last.machine.busy) / (machine.total - last.machine.total)) * 100,
      load1: loadavg()[0]!,
      lagMs: loop.takeMaxLag(),
      inFlight: loop.running,
    };
    samples.push(sample);
    last = { at: now, gatewayCpu, cpCpu, upstreamCpu, benchCpu, machine };
    return sample;
  };

  const loadStart = loadavg();
  // The clock of the samples starts here, after the wait for a quiet machine.
  const started = performance.now();
  takeSample(); // t = 0: idle, before any traffic
  console.error(
    `soak: ${rate} calls/s for ${durationS} s, a sample every ${sampleS} s (load average ${loadStart[0]!.toFixed(1)})`,
  );
  loop.start();
  for (let t = sampleS; t <= durationS; t += sampleS) {
    await sleep(Math.max(0, started + t * 1000 - performance.now()));
    const s = takeSample();
    console.error(
      `t=${s.t}s calls ${s.calls} ok ${s.ok} policy ${s.policy} errors ${s.errors} echo p99 ${formatMs(s.echoP99Ms)} ` +
        `gateway ${s.gatewayRssMiB.toFixed(1)} MiB ${s.gatewayCpuPct.toFixed(0)}% CPU, machine ${s.machineBusyPct.toFixed(0)}% busy`,
    );
  }
  await loop.stop();
  const loadEnd = loadavg();
  await Promise.allSettled([...jsonAgents, ...sseAgents, greedy].map((a) => a.close()));

  const byCategory = (c: Category) => outcomes.filter((o) => categoryOf(o) === c);
  const errors = byCategory('error');
  const policy = byCategory('policy');
  const normalRateLimited = policy.filter((o) => o.kind.startsWith('HTTP 429') && o.label !== 'greedy');
  const windows = samples.slice(1);
  const secondHalf = windows.filter((s) => s.t > durationS / 2);
  const memory = (pick: (s: Sample) => number) => ({
    idleMiB: pick(samples[0]!),
    startMiB: pick(windows[0]!),
    endMiB: pick(windows.at(-1)!),
    maxMiB: Math.max(...windows.map(pick)),
    slopeMiBPerMin: slope(
      windows.map((s) => s.t / 60),
      windows.map(pick),
    ),
    secondHalfSlopeMiBPerMin: slope(
      secondHalf.map((s) => s.t / 60),
      secondHalf.map(pick),
    ),
  });
  const gatewayRss = memory((s) => s.gatewayRssMiB);
  const controlPlaneRss = memory((s) => s.controlPlaneRssMiB);
  const upstreamRss = memory((s) => s.upstreamRssMiB);
  const mean = (values: number[]) => {
    const finite = values.filter(Number.isFinite);
    return finite.reduce((a, b) => a + b, 0) / finite.length;
  };
  const pct = (value: number) => (Number.isNaN(value) ? '–' : `${value.toFixed(0)} %`);
  const maxLagMs = Math.max(...windows.map((s) => s.lagMs));

  printTable(
    `soak: ${rate} calls/s, ${durationS} s, per ${sampleS} s window (calls ended in it; p50/p99 of ok calls)`,
    [
      't s',
      'calls',
      'ok',
      'policy',
      'errors',
      'echo p50',
      'echo p99',
      'progress p99',
      'gw RSS MiB',
      'gw CPU',
      'gw fds',
      'cp RSS MiB',
      'cp CPU',
      'upstream CPU',
      'bench CPU',
      'machine busy',
      'load1',
      'gen lag',
    ],
    samples.map((s) => [
      s.t,
      s.calls,
      s.ok,
      s.policy,
      s.errors,
      formatMs(s.echoP50Ms),
      formatMs(s.echoP99Ms),
      formatMs(s.progressP99Ms),
      s.gatewayRssMiB.toFixed(1),
      pct(s.gatewayCpuPct),
      s.gatewayFds,
      s.controlPlaneRssMiB.toFixed(1),
      pct(s.controlPlaneCpuPct),
      pct(s.upstreamCpuPct),
      pct(s.benchCpuPct),
      pct(s.machineBusyPct),
      s.load1.toFixed(1),
      formatMs(s.lagMs),
    ]),
  );
  const kinds = (list: Outcome[]) =>
    countKinds(list)
      .map(([kind, n]) => `${n} × ${kind}`)
      .join(', ') || 'none';
  const perLabel = (label: Label) => outcomes.filter((o) => o.label === label);
  printTable(
    'calls by kind (the whole run)',
    ['call', 'calls', 'ok', 'policy', 'errors', 'p50', 'p99', 'max', 'outcomes'],
    (['echo', 'progress', 'denied', 'greedy', 'session'] as const).map((label) => {
      const list = perLabel(label);
      const lat = latencies(list);
      return [
        label,
        list.length,
        list.filter((o) => categoryOf(o) === 'ok').length,
        list.filter((o) => categoryOf(o) === 'policy').length,
        list.filter((o) => categoryOf(o) === 'error').length,
        formatMs(lat.p50Ms),
        formatMs(lat.p99Ms),
        formatMs(lat.maxMs),
        kinds(list),
      ];
    }),
  );
  const mem = (name: string, m: ReturnType<typeof memory>) =>
    `${name} RSS: idle ${m.idleMiB.toFixed(1)} MiB, first window ${m.startMiB.toFixed(1)}, end ${m.endMiB.toFixed(1)}, ` +
    `max ${m.maxMiB.toFixed(1)}; slope ${m.slopeMiBPerMin.toFixed(2)} MiB/min over the run, ` +
    `${m.secondHalfSlopeMiBPerMin.toFixed(2)} MiB/min over its second half`;
  console.log(
    [
      '',
      `calls: ${outcomes.length} (${loop.skipped} not sent: in-flight cap), ok ${byCategory('ok').length}, ` +
        `policy ${policy.length} (${kinds(policy)})`,
      `errors not caused by policy: ${errors.length} (expected 0)${errors.length ? `: ${kinds(errors)}` : ''}`,
      ...Object.entries(messagesByKind(errors)).map(([kind, message]) => `  error ${kind}: "${message}"`),
      ...Object.entries(messagesByKind(policy)).map(([kind, message]) => `  policy ${kind}: "${message}"`),
      `429s to agents within their limit: ${normalRateLimited.length}; unhandled rejections in the load generator: ${unhandled}`,
      mem('gateway (primary + workers, summed)', gatewayRss),
      mem('control plane', controlPlaneRss),
      `echo p99: first window ${formatMs(windows[0]!.echoP99Ms)}, last ${formatMs(windows.at(-1)!.echoP99Ms)}; ` +
        `progress p99 (4 × 250 ms by design): first ${formatMs(windows[0]!.progressP99Ms)}, last ${formatMs(windows.at(-1)!.progressP99Ms)}`,
      `gateway descriptors: idle ${samples[0]!.gatewayFds}, first window ${windows[0]!.gatewayFds}, end ${windows.at(-1)!.gatewayFds}`,
      `machine (2 cores, shared): load average ${loadStart.map((l) => l.toFixed(1)).join(' ')} at the start, ` +
        `${loadEnd.map((l) => l.toFixed(1)).join(' ')} at the end; ${mean(windows.map((s) => s.machineBusyPct)).toFixed(0)} % busy on average`,
      maxLagMs > LAG_WARNING_MS
        ? `WARNING: the load generator started calls up to ${formatMs(maxLagMs)} late (CPU-starved), so calls came in bursts: ` +
          'latencies and 429s to agents within their limit reflect the machine, not only the gateway'
        : `load generator lag at most ${formatMs(maxLagMs)}`,
    ].join('\n'),
  );
  const r = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number.isNaN(v) ? null : round(v)]));
  console.log(
    JSON.stringify({
      bench: 'soak',
      config: {
        rate,
        durationS,
        sampleS,
        timeoutMs,
        mix: MIX,
        rateLimitPer10s: rate,
        agents: { json: JSON_AGENTS, sse: SSE_AGENTS },
      },
      calls: outcomes.length,
      notSent: loop.skipped,
      ok: byCategory('ok').length,
      policy: policy.length,
      policyKinds: Object.fromEntries(countKinds(policy)),
      errors: errors.length,
      errorKinds: Object.fromEntries(countKinds(errors)),
      messages: { errors: messagesByKind(errors), policy: messagesByKind(policy) },
      rateLimitedWithinLimit: normalRateLimited.length,
      unhandledRejections: unhandled,
      byCall: Object.fromEntries(
        (['echo', 'progress', 'denied', 'greedy', 'session'] as const).map((label) => [
          label,
          {
            calls: perLabel(label).length,
            ...r(latencies(perLabel(label))),
            kinds: Object.fromEntries(countKinds(perLabel(label))),
          },
        ]),
      ),
      gatewayRss: r(gatewayRss),
      controlPlaneRss: r(controlPlaneRss),
      upstreamRss: r(upstreamRss),
      echoP99: { firstMs: round(windows[0]!.echoP99Ms), lastMs: round(windows.at(-1)!.echoP99Ms) },
      load: {
        start: loadStart.map((l) => round(l, 2)),
        end: loadEnd.map((l) => round(l, 2)),
        machineBusyPct: round(mean(windows.map((s) => s.machineBusyPct))),
        maxGeneratorLagMs: round(maxLagMs),
      },
      windows: samples.map((s) => r({ ...s })),
    }),
  );
});
