/**
 * Fault benchmark (issues 12 and 16): steady MCP traffic through two replicas of a registered
 * gateway while one thing at a time is broken and then restored, reporting what the clients saw.
 *
 * Set-up, all on 127.0.0.1: the control plane reaches Postgres through a TCP proxy and the
 * gateways reach Redis through another (libs/testing startTcpProxy), so either can be taken down
 * without touching the shared services; the upstream (bench/servers/mcp-upstream.ts, SDK server
 * with sessions, its own process) sits behind bench/support/fault-proxy.ts. The proxies run in a
 * process of their own (bench/servers/fault-proxies.ts), so the load generator's event loop never
 * delays the traffic they carry. Three MCP instances on
 * two gateway replicas (127.0.0.1 and 127.0.0.2; no load balancer): `/json` (JSON answers) and
 * `/sse` (event streams), each with mcp-support and rate-limiting counted in Redis per `x-agent`
 * (a limit never reached; `blockOnUnknownQuota` as the product default unless
 * `--rate-limit-fail-open`), and `/probe` with mcp-support alone, whose `disabled` flag is the
 * configuration change timed after a restart. Instances answer within `--response-timeout` s.
 *
 * Traffic: `--rate` echo calls/s in an open loop over 10 SDK clients (sessions), and `--long`
 * back-to-back progress calls of `--long-ms` on the SSE instance (a progress notification a
 * second); clients are split over the replicas and move their session to the other one when theirs
 * refuses connections. Every call has a client timeout of `--timeout` s (a hang shows as `client
 * timeout`, its time as the longest call).
 *
 * Faults (`--only a,c`), each broken for `--outage` s, then restored and watched for `--recovery` s
 * (and until every call started by then has ended):
 *   a  control plane killed (SIGKILL), then started again on the same database and ports: also the
 *      time from its readiness until each replica's sync stream is back, and until a change made
 *      right after readiness (mcp-support of /probe disabled) is enforced by both replicas;
 *   b  Postgres stopped (its proxy down): also what REST answered meanwhile, whether sync streams
 *      stayed up, and after the restore the time until REST answers and a change is enforced;
 *   c  Redis stopped (its proxy down);
 *   d  upstream killed (SIGKILL; its proxy refuses connections as the dead port would), then
 *      started again on the same port (its sessions are gone: clients get 404 and start new ones);
 *   e  upstream slow: every byte it sends arrives `--slow-ms` late;
 *   f  upstream resetting connections: every open connection is reset, every new one at its first bytes;
 *   g  upstream returning garbage: HTML, JSON that is not JSON-RPC, non-JSON labelled JSON, a
 *      non-SSE event stream (bench/support/garbage-upstream.ts), in turn;
 *   h  gateway replica a killed (SIGKILL) mid-stream, then started again.
 * Per fault and kind of call: calls that overlapped the fault window, ok, failed by kind (JSON-RPC
 * code + data.reason, HTTP status + reason, connection error, client timeout), the longest call,
 * the time from the restore to the first successful call started after it, and the last failure
 * relative to the restore; for the long calls in flight when the fault began, how long after it
 * each ended and how. A JSON line last.
 *
 *   node --conditions=portico-source --import tsx bench/faults.ts [--only a,b,c,d,e,f,g,h]
 *     [--rate 50] [--long 4] [--long-ms 10000] [--outage 30] [--recovery 10] [--timeout 30]
 *     [--response-timeout 10] [--slow-ms 15000] [--rate-limit-fail-open]
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { freePort } from '#portico/testing';
import { closedLoops, countKinds, McpAgent, messagesByKind, OpenLoop, type Outcome } from './support/mcp-traffic.js';
import {
  ControlPlane,
  type GatewayProcess,
  type McpInstance,
  POSTGRES_SERVER_URL,
  REDIS_URL,
  startGateway,
} from './support/portico.js';
import {
  allProcessesCpu,
  childPids,
  cpuSeconds,
  machineCpuSeconds,
  processTreeCpuSeconds,
  runBench,
  sleep,
} from './support/processes.js';
import { startProxyProcess } from './support/proxy-process.js';
import { formatMs, positiveInt, printTable, round } from './support/stats.js';
import { startUpstream } from './support/upstreams.js';

const FAULTS = {
  a: 'control plane killed (SIGKILL) and restarted',
  b: 'Postgres stopped and restarted',
  c: 'Redis stopped and restarted',
  d: 'upstream killed (SIGKILL) and restarted',
  e: 'upstream slow',
  f: 'upstream resetting connections',
  g: 'upstream returning garbage',
  h: 'gateway replica killed (SIGKILL) mid-stream',
} as const;
type FaultId = keyof typeof FAULTS;

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: Object.keys(FAULTS).join(',') },
    rate: { type: 'string', default: '50' },
    long: { type: 'string', default: '4' },
    'long-ms': { type: 'string', default: '10000' },
    outage: { type: 'string', default: '30' },
    recovery: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '30' },
    'response-timeout': { type: 'string', default: '10' },
    'slow-ms': { type: 'string', default: '15000' },
    'rate-limit-fail-open': { type: 'boolean', default: false },
  },
  strict: true,
});

const JSON_AGENTS = 10;
const HOSTS = ['127.0.0.1', '127.0.0.2'] as const;
const REPLICA_NAMES = ['a', 'b'] as const;
/** What a disabled mcp-support answers (config-propagation.ts reads the same). */
const MCP_SUPPORT_REQUIRED = 'MCP Support policy is required';
/** Before a fault, traffic must have run this long without a failure. */
const CLEAN_BEFORE_FAULT_MS = 5_000;
/** How long a fault's extra measurements (REST back, change enforced) wait before giving up. */
const MEASURE_TIMEOUT_MS = 60_000;

/** Outcomes of the calls, and the start times of those still running. */
class Traffic {
  readonly outcomes: Outcome[] = [];
  /** call number → when it started */
  private readonly running = new Map<number, number>();
  private calls = 0;

  async track(call: Promise<Outcome>): Promise<Outcome> {
    const n = this.calls++;
    this.running.set(n, performance.now());
    try {
      const outcome = await call;
      this.outcomes.push(outcome);
      return outcome;
    } finally {
      this.running.delete(n);
    }
  }

  /** Waits until every call started before `time` has ended (at most `maxMs`); false when some still run. */
  async ended(time: number, maxMs: number): Promise<boolean> {
    const deadline = performance.now() + maxMs;
    while ([...this.running.values()].some((t) => t < time)) {
      if (performance.now() > deadline) return false;
      await sleep(100);
    }
    return true;
  }

  /**
   * Waits until every call that ended in the last `cleanMs` succeeded (and some did), looking at
   * least `cleanMs` from now, at most `maxMs`; returns how long it waited, NaN when traffic never
   * got clean.
   */
  async clean(cleanMs: number, maxMs: number): Promise<number> {
    const from = performance.now();
    for (;;) {
      const now = performance.now();
      const recent = this.outcomes.filter((o) => o.startedAt + o.ms > now - cleanMs);
      if (now - from >= cleanMs && recent.length > 0 && recent.every((o) => o.kind === 'ok')) return now - from;
      if (now - from > maxMs) return Number.NaN;
      await sleep(250);
    }
  }
}

interface Row {
  calls: string;
  count: number;
  ok: number;
  failed: number;
  http5xx: number;
  timeouts: number;
  connectionErrors: number;
  longestMs: number;
  restoreToFirstOkMs: number;
  lastFailureVsRestoreMs: number;
  failures: [string, number][];
}

interface FaultResult {
  id: FaultId;
  name: string;
  brokenMs: number;
  rows: Row[];
  /** Long calls in flight when the fault began: kind, and how long after the break each ended. */
  cutLongCalls: { kind: string; endedAfterBreakMs: number }[];
  /** What each kind of failure said (its first message). */
  messages: Record<string, string>;
  notes: Record<string, unknown>;
}

function row(calls: string, outcomes: Outcome[], restoredAt: number): Row {
  const failed = outcomes.filter((o) => o.kind !== 'ok');
  const okAfter = outcomes.filter((o) => o.kind === 'ok' && o.startedAt >= restoredAt);
  const count = (test: (kind: string) => boolean) => failed.filter((o) => test(o.kind.replace(/^initialize: /, ''))).length;
  return {
    calls,
    count: outcomes.length,
    ok: outcomes.length - failed.length,
    failed: failed.length,
    http5xx: count((k) => /^HTTP 5/.test(k)),
    timeouts: count((k) => k === 'client timeout'),
    connectionErrors: count((k) => k.startsWith('connection')),
    longestMs: outcomes.length ? Math.max(...outcomes.map((o) => o.ms)) : Number.NaN,
    restoreToFirstOkMs: okAfter.length ? Math.min(...okAfter.map((o) => o.startedAt + o.ms)) - restoredAt : Number.NaN,
    lastFailureVsRestoreMs: failed.length ? Math.max(...failed.map((o) => o.startedAt)) - restoredAt : Number.NaN,
    failures: countKinds(failed),
  };
}

await runBench(async () => {
  const only = args.only.split(',').map((id) => id.trim());
  for (const id of only)
    if (!(id in FAULTS))
      throw new Error(`--only: unknown fault ${JSON.stringify(id)} (one of ${Object.keys(FAULTS).join(', ')})`);
  const faultIds = (Object.keys(FAULTS) as FaultId[]).filter((id) => only.includes(id));
  const rate = positiveInt('rate', args.rate);
  const longCount = positiveInt('long', args.long);
  const longMs = positiveInt('long-ms', args['long-ms']);
  const outageMs = positiveInt('outage', args.outage) * 1000;
  const recoveryMs = positiveInt('recovery', args.recovery) * 1000;
  const timeoutMs = positiveInt('timeout', args.timeout) * 1000;
  const responseTimeoutMs = positiveInt('response-timeout', args['response-timeout']) * 1000;
  const slowMs = positiveInt('slow-ms', args['slow-ms']);
  const longSteps = Math.max(1, Math.round(longMs / 1000));
  let unhandled = 0;
  process.on('unhandledRejection', () => void unhandled++);

  console.error('starting proxies, the upstream, the control plane and two gateway replicas …');
  let upstream = await startUpstream('mcp');
  const proxies = await startProxyProcess({
    redis: Number(new URL(REDIS_URL).port || 6379),
    postgres: Number(new URL(POSTGRES_SERVER_URL).port || 5432),
    upstream: upstream.port,
  });

  const cp = await ControlPlane.start({ postgresPort: proxies.ports.postgres });
  const registration = await cp.registerGateway('bench-faults');
  const rateLimit = {
    assetId: 'rate-limiting',
    assetVersion: '1.4.1',
    configurationData: {
      rateLimits: [{ maximumRequests: 1_000_000_000, timePeriodInMilliseconds: 3_600_000 }],
      keySelector: "#[attributes.headers['x-agent']]",
      mcpMethods: ['tools/call'],
      blockOnUnknownQuota: !args['rate-limit-fail-open'],
    },
  };
  const deploy = async (path: 'json' | 'sse', basePath: string, policies: (typeof rateLimit)[]): Promise<McpInstance> => {
    const instance = await cp.deployMcpInstance({
      upstreamUrl: `http://127.0.0.1:${proxies.ports.upstream}/${path}/`,
      port: await freePort(),
      basePath,
      targetId: registration.gatewayId,
      responseTimeoutMs,
    });
    for (const policy of policies) await cp.applyPolicy(instance, policy);
    return instance;
  };
  const json = await deploy('json', '/json', [rateLimit]);
  const sse = await deploy('sse', '/sse', [rateLimit]);
  const probe = await deploy('json', '/probe', []);
  const startReplica = (i: number) =>
    startGateway(registration, `replica-${REPLICA_NAMES[i]}`, {
      listenHost: HOSTS[i],
      env: { PORTICO_REDIS_URL: `redis://127.0.0.1:${proxies.ports.redis}` },
    });
  const replicas: GatewayProcess[] = [await startReplica(0), await startReplica(1)];
  for (const instance of [json, sse, probe]) await cp.waitForRollout(instance);
  const at = (instance: McpInstance, i: number) => `${instance.proxyUrl.replace('127.0.0.1', HOSTS[i]!)}/mcp`;

  // Clients: agent i starts on replica i % 2 and can move to the other. Rate-limit keys are unique
  // to this run (Redis is shared).
  const run = randomBytes(4).toString('hex');
  const agent = (instance: McpInstance, name: string, i: number) =>
    new McpAgent(`${REPLICA_NAMES[i % 2]}-${name}`, [at(instance, i % 2), at(instance, (i + 1) % 2)], {
      'x-agent': `${run}-${name}`,
    });
  const jsonAgents = Array.from({ length: JSON_AGENTS }, (_, i) => agent(json, `json-${i}`, i));
  const longAgents = Array.from({ length: longCount }, (_, i) => agent(sse, `sse-${i}`, i));
  const echo = (a: McpAgent) => a.call('json', 'echo', { text: 'ping' }, { timeoutMs });
  const long = (a: McpAgent) =>
    a.call(
      'sse',
      'progress',
      { steps: longSteps, stepMs: Math.round(longMs / longSteps), text: 'done' },
      {
        timeoutMs,
        progress: true,
        check: (_result, notifications) =>
          notifications === longSteps ? undefined : `${notifications}/${longSteps} progress notifications`,
      },
    );
  const first = await Promise.all(jsonAgents.map(echo));
  if (first.some((o) => o.kind !== 'ok'))
    throw new Error(`the replicas do not serve the JSON instance: ${first.map((o) => `${o.agent}: ${o.kind}`).join(', ')}`);

  /** Whether replica i's /probe answers as mcp-support `disabled` says it should. */
  const probeShows = async (i: number, disabled: boolean): Promise<boolean> => {
    try {
      const res = await fetch(at(probe, i), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } }),
        signal: AbortSignal.timeout(5_000),
      });
      const text = await res.text();
      return (res.status === 503 && text.includes(MCP_SUPPORT_REQUIRED)) === disabled;
    } catch {
      return false;
    }
  };
  /**
   * Sets /probe's mcp-support `disabled`, retrying every 100 ms while REST refuses; ms from `from`
   * until accepted and until each replica enforces it, and what the refusals said.
   */
  const change = async (disabled: boolean, from: number) => {
    const refusals = new Set<string>();
    for (;;) {
      try {
        await cp.setMcpSupportDisabled(probe, disabled);
        break;
      } catch (err) {
        refusals.add((err as Error).message.slice(0, 160));
        if (performance.now() - from > MEASURE_TIMEOUT_MS) throw err;
        await sleep(100);
      }
    }
    const acceptedMs = performance.now() - from;
    const enforcedMs = await Promise.all(
      replicas.map(async (_, i) => {
        while (!(await probeShows(i, disabled))) {
          if (performance.now() - from > MEASURE_TIMEOUT_MS) return Number.NaN;
          await sleep(20);
        }
        return performance.now() - from;
      }),
    );
    return { acceptedMs: round(acceptedMs), enforcedMs: enforcedMs.map((ms) => round(ms)), refusals: [...refusals] };
  };
  const status = async (i: number) => {
    try {
      return await replicas[i]!.status();
    } catch {
      return undefined;
    }
  };
  /** ms from `from` until every replica's sync stream is connected on a stream opened after `streamsBefore`. */
  const syncBack = (from: number, streamsBefore: number[]) =>
    Promise.all(
      replicas.map(async (_, i) => {
        for (;;) {
          const s = await status(i);
          if (s?.sync.state === 'connected' && s.sync.streams > streamsBefore[i]!) return round(performance.now() - from);
          if (performance.now() - from > MEASURE_TIMEOUT_MS) return Number.NaN;
          await sleep(20);
        }
      }),
    );
  /** Polls the replicas' sync state every 250 ms until stopped: how often it changed, the states seen, the last. */
  const watchSync = () => {
    const seen = replicas.map(() => [] as string[]);
    let stopped = false;
    const watching = (async () => {
      while (!stopped) {
        await Promise.all(
          replicas.map(async (_, i) => {
            const state = (await status(i))?.sync.state ?? 'no answer';
            if (seen[i]!.at(-1) !== state) seen[i]!.push(state);
          }),
        );
        await sleep(250);
      }
    })();
    return async () => {
      stopped = true;
      await watching;
      return Object.fromEntries(
        seen.map((states, i) => [
          REPLICA_NAMES[i],
          { changes: states.length - 1, seen: [...new Set(states)], last: states.at(-1) },
        ]),
      );
    };
  };
  const streams = async () => Promise.all(replicas.map(async (_, i) => ((await status(i))?.sync.streams as number) ?? 0));
  const dropped = async () =>
    Promise.all(replicas.map(async (_, i) => ((await status(i))?.accessLog?.dropped as number | undefined) ?? 0));
  /** GET the API list every second while the fault lasts: what REST answered (status, code, Retry-After). */
  const watchRest = () => {
    const answers: string[] = [];
    let stopped = false;
    const watching = (async () => {
      while (!stopped) {
        const sent = performance.now();
        try {
          const res = await cp.request('GET', cp.apisPath, { timeoutMs: 10_000 });
          const retryAfter = res.headers.get('retry-after');
          answers.push(
            res.status === 200
              ? '200'
              : `${res.status} ${res.body?.code ?? ''}${retryAfter ? ` Retry-After ${retryAfter}` : ''} "${String(res.body?.message ?? res.text).slice(0, 80)}"`,
          );
        } catch (err) {
          answers.push(`no answer (${(err as Error).name})`);
        }
        await sleep(Math.max(0, 1_000 - (performance.now() - sent)));
      }
    })();
    return async () => {
      stopped = true;
      await watching;
      const counts: Record<string, number> = {};
      for (const answer of answers) counts[answer] = (counts[answer] ?? 0) + 1;
      return counts;
    };
  };

  /** Names of this run's processes by PID (a replica's workers under the replica's name). */
  const ours = () => {
    const names = new Map<number, string>([
      [process.pid, 'bench (clients)'],
      [cp.process.pid, 'control plane'],
      [upstream.process.pid, 'upstream'],
      [proxies.process.pid, 'fault proxies'],
    ]);
    replicas.forEach((r, i) => {
      names.set(r.pid, `replica ${REPLICA_NAMES[i]}`);
      for (const worker of safeChildPids(r.pid)) names.set(worker, `replica ${REPLICA_NAMES[i]}`);
    });
    return names;
  };
  /**
   * CPU seconds every process on the machine used between two allProcessesCpu() readings, this
   * run's by name, the others summed by command name ("(not ours)"), most first: what a figure
   * that looks like starvation was competing with.
   */
  const cpuUsers = (
    before: Map<number, { comm: string; seconds: number }>,
    after: Map<number, { comm: string; seconds: number }>,
    names: Map<number, string>,
  ) => {
    const used = new Map<string, number>();
    for (const [pid, { comm, seconds }] of after) {
      const previous = before.get(pid);
      const delta = previous && previous.comm === comm ? seconds - previous.seconds : seconds;
      const name = names.get(pid) ?? `${comm} (not ours)`;
      used.set(name, (used.get(name) ?? 0) + delta);
    }
    return Object.fromEntries(
      [...used]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([name, seconds]) => [name, round(seconds, 1)]),
    );
  };
  /** CPU seconds of each replica (primary and workers), of this process (the clients) and of the machine, for the share each took during a fault. */
  const cpu = () => ({
    replicas: replicas.map((r) => ({ pid: r.pid, seconds: processTreeCpuSeconds(r.pid) })),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    machine: machineCpuSeconds(),
  });

  interface Fault {
    /** Breaks it; resolves with what brings it back. */
    break(): Promise<{
      /** Brings it back; resolves once it is back (the restore time). */
      restore(): Promise<void>;
      /** Measures, with traffic flowing, how things come back after `restoredAt`. */
      measure?(restoredAt: number): Promise<Record<string, unknown>>;
    }>;
  }
  const faults: Record<FaultId, Fault> = {
    a: {
      async break() {
        const before = await streams();
        await cp.kill('SIGKILL');
        return {
          restore: () => cp.restart(),
          async measure(ready) {
            const bootCpuSeconds = round(cpuSeconds(cp.process.pid), 2);
            const [syncBackMs, disabling] = await Promise.all([syncBack(ready, before), change(true, ready)]);
            const enabling = await change(false, performance.now());
            return {
              controlPlaneBootCpuSeconds: bootCpuSeconds,
              readyToSyncStreamBackMs: syncBackMs,
              readyToChangeAcceptedMs: disabling.acceptedMs,
              readyToChangeEnforcedMs: disabling.enforcedMs,
              changeRefusals: disabling.refusals,
              nextChangeEnforcedMs: enabling.enforcedMs,
            };
          },
        };
      },
    },
    b: {
      async break() {
        const before = await streams();
        await proxies.down('postgres');
        const rest = watchRest();
        let restDuringOutage: Record<string, number> = {};
        return {
          async restore() {
            restDuringOutage = await rest();
            await proxies.up('postgres');
          },
          async measure(restored) {
            let restBackMs = Number.NaN;
            while (performance.now() - restored < MEASURE_TIMEOUT_MS) {
              const res = await cp.request('GET', cp.apisPath, { timeoutMs: 10_000 }).catch(() => undefined);
              if (res?.status === 200) {
                restBackMs = performance.now() - restored;
                break;
              }
              await sleep(100);
            }
            const disabling = await change(true, restored);
            const enabling = await change(false, performance.now());
            const after = await streams();
            return {
              restDuringOutage,
              syncStreamsOpenedSinceBreak: after.map((n, i) => n - before[i]!),
              restoreToRestOkMs: round(restBackMs),
              restoreToChangeAcceptedMs: disabling.acceptedMs,
              restoreToChangeEnforcedMs: disabling.enforcedMs,
              changeRefusals: disabling.refusals,
              nextChangeEnforcedMs: enabling.enforcedMs,
            };
          },
        };
      },
    },
    c: {
      async break() {
        await proxies.down('redis');
        return { restore: () => proxies.up('redis') };
      },
    },
    d: {
      async break() {
        upstream.process.child.kill('SIGKILL');
        await upstream.process.exited;
        await proxies.down('upstream');
        return {
          async restore() {
            upstream = await startUpstream('mcp', { port: upstream.port });
            await proxies.up('upstream');
          },
        };
      },
    },
    e: {
      async break() {
        await proxies.upstreamMode({ kind: 'slow', delayMs: slowMs });
        return {
          restore: () => proxies.upstreamMode({ kind: 'pass' }),
          measure: async () => ({ delayMs: slowMs, responseTimeoutMs }),
        };
      },
    },
    f: {
      async break() {
        await proxies.upstreamMode({ kind: 'reset' });
        return { restore: () => proxies.upstreamMode({ kind: 'pass' }) };
      },
    },
    g: {
      async break() {
        await proxies.upstreamMode({ kind: 'garbage' });
        return {
          restore: () => proxies.upstreamMode({ kind: 'pass' }),
          measure: async () => ({ garbageAnswersServed: await proxies.garbageServed() }),
        };
      },
    },
    h: {
      async break() {
        replicas[0]!.child.kill('SIGKILL');
        await replicas[0]!.exited;
        return {
          async restore() {
            replicas[0] = await startReplica(0);
          },
          measure: async () => ({
            endpointSwitches: Object.fromEntries(
              [...jsonAgents, ...longAgents]
                .filter((a) => a.stats.endpointSwitches > 0)
                .map((a) => [a.name, a.stats.endpointSwitches]),
            ),
          }),
        };
      },
    },
  };

  const traffic = new Traffic();
  const loop = new OpenLoop(rate, (n) => traffic.track(echo(jsonAgents[n % JSON_AGENTS]!)).then(() => undefined));
  const longLoops = closedLoops(longCount, async (i) => {
    const outcome = await traffic.track(long(longAgents[i]!));
    // A call that failed at once must not turn the loop into a busy loop.
    if (outcome.kind !== 'ok' && outcome.ms < 1_000) await sleep(1_000);
  });
  const loadStart = loadavg();
  loop.start();

  const results: FaultResult[] = [];
  for (const id of faultIds) {
    const waited = await traffic.clean(CLEAN_BEFORE_FAULT_MS, 120_000);
    console.error(
      `(${id}) ${FAULTS[id]}: ${Number.isNaN(waited) ? 'traffic did not get clean within 120 s; breaking anyway' : 'traffic clean'}, breaking for ${outageMs / 1000} s …`,
    );
    const droppedBefore = await dropped();
    const sync = watchSync();
    const cpuBefore = cpu();
    const everyCpuBefore = allProcessesCpu();
    loop.takeMaxLag();
    const broken = performance.now();
    const { restore, measure } = await faults[id].break();
    await sleep(Math.max(0, broken + outageMs - performance.now()));
    const restoring = performance.now();
    await restore();
    const restoredAt = performance.now();
    const notes = { restoreTookMs: round(restoredAt - restoring), ...(await measure?.(restoredAt)) };
    await sleep(Math.max(0, restoredAt + recoveryMs - performance.now()));
    const windowEnd = performance.now();
    const allEnded = await traffic.ended(windowEnd, timeoutMs * 2 + 10_000);
    const syncStates = await sync();
    const cpuAfter = cpu();
    const everyCpuAfter = allProcessesCpu();
    const generatorMaxLagMs = loop.takeMaxLag();
    const seconds = (windowEnd - broken) / 1000;
    const droppedAfter = await dropped();
    const during = traffic.outcomes.filter((o) => o.startedAt <= windowEnd && o.startedAt + o.ms >= broken);
    const of = (label: string, side?: string) =>
      during.filter((o) => o.label === label && (side === undefined || o.agent.startsWith(`${side}-`)));
    const rows = [row('json', of('json'), restoredAt), row('sse (long)', of('sse'), restoredAt)];
    if (id === 'h') for (const side of REPLICA_NAMES) rows.push(row(`json, clients of ${side}`, of('json', side), restoredAt));
    const result: FaultResult = {
      id,
      name: FAULTS[id],
      brokenMs: restoredAt - broken,
      rows,
      cutLongCalls: of('sse')
        .filter((o) => o.startedAt < broken)
        .map((o) => ({ kind: o.kind, endedAfterBreakMs: round(o.startedAt + o.ms - broken) })),
      messages: messagesByKind(during),
      notes: {
        ...notes,
        syncStates,
        // A replica restarted during the window has no figure (its CPU counter started again).
        gatewayCpuPct: cpuAfter.replicas.map((c, i) =>
          c.pid === cpuBefore.replicas[i]!.pid ? round(((c.seconds - cpuBefore.replicas[i]!.seconds) / seconds) * 100, 1) : null,
        ),
        benchCpuPct: round(((cpuAfter.bench - cpuBefore.bench) / seconds) * 100, 1),
        generatorMaxLagMs: round(generatorMaxLagMs),
        machineBusyPct: round(
          ((cpuAfter.machine.busy - cpuBefore.machine.busy) / (cpuAfter.machine.total - cpuBefore.machine.total)) * 100,
          1,
        ),
        cpuSecondsByProcess: cpuUsers(everyCpuBefore, everyCpuAfter, ours()),
        accessEventsDropped: droppedAfter.map((n, i) => n - droppedBefore[i]!),
        ...(allEnded ? {} : { callsStillRunning: true }),
      },
    };
    results.push(result);
    printFault(result);
  }
  await loop.stop();
  await longLoops.stop();
  const loadEnd = loadavg();
  await Promise.allSettled([...jsonAgents, ...longAgents].map((a) => a.close()));

  printTable(
    `faults with ${rate} echo calls/s and ${longCount} long SSE calls (${longMs / 1000} s) flowing; client timeout ${timeoutMs / 1000} s`,
    ['fault', 'broken', 'calls', 'ok', 'failed', '5xx', 'timeouts', 'conn errors', 'longest', 'restore → first ok'],
    results.map((r) => {
      const sum = (f: (row: Row) => number) => r.rows.slice(0, 2).reduce((s, row) => s + f(row), 0);
      return [
        `(${r.id}) ${r.name}`,
        formatMs(r.brokenMs),
        sum((x) => x.count),
        sum((x) => x.ok),
        sum((x) => x.failed),
        sum((x) => x.http5xx),
        sum((x) => x.timeouts),
        sum((x) => x.connectionErrors),
        formatMs(Math.max(...r.rows.map((x) => x.longestMs).filter((ms) => !Number.isNaN(ms)))),
        formatMs(r.rows[0]!.restoreToFirstOkMs),
      ];
    }),
  );
  console.log(
    `\nnot sent (in-flight cap): ${loop.skipped}; unhandled rejections in the load generator: ${unhandled}; ` +
      `machine (2 cores, shared): load average ${loadStart.map((l) => l.toFixed(1)).join(' ')} at the start, ` +
      `${loadEnd.map((l) => l.toFixed(1)).join(' ')} at the end`,
  );
  const clean = (value: unknown): unknown =>
    typeof value === 'number'
      ? Number.isNaN(value)
        ? null
        : round(value)
      : Array.isArray(value)
        ? value.map(clean)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]))
          : value;
  console.log(
    JSON.stringify(
      clean({
        bench: 'faults',
        config: {
          rate,
          longCalls: longCount,
          longMs,
          outageMs,
          recoveryMs,
          clientTimeoutMs: timeoutMs,
          responseTimeoutMs,
          slowMs,
          blockOnUnknownQuota: !args['rate-limit-fail-open'],
        },
        load: { start: loadStart, end: loadEnd },
        notSent: loop.skipped,
        unhandledRejections: unhandled,
        faults: results.map((r) => ({ ...r, rows: r.rows.map((x) => ({ ...x, failures: Object.fromEntries(x.failures) })) })),
      }),
    ),
  );
});

/** The children of `pid`, none when it is gone. */
function safeChildPids(pid: number): number[] {
  try {
    return childPids(pid);
  } catch {
    return [];
  }
}

function printFault(r: FaultResult): void {
  printTable(
    `(${r.id}) ${r.name}: broken for ${formatMs(r.brokenMs)}; calls that overlapped the fault and the recovery window`,
    ['calls', 'count', 'ok', 'failed', 'longest', 'restore → first ok', 'last failure vs restore', 'failures by kind'],
    r.rows.map((x) => [
      x.calls,
      x.count,
      x.ok,
      x.failed,
      formatMs(x.longestMs),
      formatMs(x.restoreToFirstOkMs),
      Number.isNaN(x.lastFailureVsRestoreMs)
        ? '–'
        : `${x.lastFailureVsRestoreMs < 0 ? '−' : '+'}${formatMs(Math.abs(x.lastFailureVsRestoreMs))}`,
      x.failures.map(([kind, n]) => `${n} × ${kind}`).join(', ') || '–',
    ]),
  );
  const cut = r.cutLongCalls.map((c) => `${c.kind} after ${formatMs(c.endedAfterBreakMs)}`).join('; ');
  console.log(`long calls in flight at the break: ${r.cutLongCalls.length ? cut : 'none'}`);
  for (const [kind, message] of Object.entries(r.messages)) console.log(`  ${kind}: "${message}"`);
  console.log(`notes: ${JSON.stringify(r.notes)}`);
}
