/**
 * Benchmark 3 of issue 3: many gateway replicas on one control plane — its memory, and how long
 * one REST change takes to reach every replica.
 *
 * The replicas are raw sync clients in this process (ConfigSyncServiceClient, mTLS with one
 * registration's certificate, each on its own HTTP/2 connection, distinct replica ids): each
 * sends a Hello, ACKs every snapshot and heartbeats at the interval the HelloAck names, as the
 * gateway does. The target serves one MCP instance with mcp-support; a change PATCHes the
 * policy's `disabled`, and a replica has it when it receives a snapshot whose config has (or
 * lacks) mcp-support accordingly. Propagation is from the REST response to the last replica's
 * receipt. The baseline is the same run with one replica. Control-plane memory is VmRSS of its
 * process (/proc/<pid>/status) right after a full GC (forced through its inspector, so garbage
 * does not blur the figure): idle before any replica, with one, with all of them; VmHWM is its
 * peak.
 *
 * Each change also waits until the deployment's status is `applied` (every connected replica's
 * ACK recorded: the rollout the control plane reports), polled every ROLLOUT_POLL_MS, before the
 * next one, so changes are measured one at a time; the round trips of those REST reads show how
 * the API answers while the replicas' ACKs are recorded. The control plane's CPU over the changes
 * (pauses included) is divided by their number. Before each phase the run waits up to
 * `--quiet-wait` s for the shared machine to be under 15 % busy, and it reports how busy the
 * machine was during the changes: the control plane, this process, and the rest (Postgres and
 * anything else on the machine).
 *
 *   node --conditions=portico-source --import tsx bench/replica-fanout.ts [--replicas 200]
 *     [--changes 20] [--pause-ms 250] [--quiet-wait 120]
 */
import { parseArgs } from 'node:util';
import { type ClientDuplexStream, credentials } from '@grpc/grpc-js';
import { ConfigSyncServiceClient, type ConnectRequest, type ConnectResponse, type Snapshot } from '#portico/proto-ts';
import { ControlPlane, type McpInstance, type RegisteredGateway } from './support/portico.js';
import {
  cpuSeconds,
  establishedConnections,
  machineCpuSeconds,
  memoryKiB,
  runBench,
  sleep,
  waitForQuiet,
} from './support/processes.js';
import { formatMs, median, percentile, positiveInt, printTable, round } from './support/stats.js';

/** A replica that has not received a change after this long fails the run. */
const CHANGE_TIMEOUT_MS = 60_000;
/** Connecting takes a TLS handshake and a recorded Hello per replica, all at once: this long per replica (at least CHANGE_TIMEOUT_MS). */
const CONNECT_TIMEOUT_PER_REPLICA_MS = 100;
/** A change's deployment not `applied` after this long fails the run. */
const ROLLOUT_TIMEOUT_MS = 180_000;
const ROLLOUT_POLL_MS = 50;

const { values: args } = parseArgs({
  options: {
    replicas: { type: 'string', default: '200' },
    changes: { type: 'string', default: '20' },
    'pause-ms': { type: 'string', default: '250' },
    'quiet-wait': { type: 'string', default: '120' },
  },
  strict: true,
});

const hasMcpSupport = (snapshot: Snapshot) =>
  snapshot.config?.apis.some((api) => api.policies.some((p) => p.type === 'mcp-support')) ?? false;

/** What the replicas wait for: a snapshot with (or without) mcp-support, received after `since`. */
interface Expectation {
  mcpSupport: boolean;
  since: number;
  pending: number;
  arrivals: number[];
  done: () => void;
}

/** One simulated gateway replica: the sync client's protocol, without a data plane. */
class SimulatedReplica {
  private readonly client: ConfigSyncServiceClient;
  private stream?: ClientDuplexStream<ConnectRequest, ConnectResponse>;
  private heartbeat?: NodeJS.Timeout;
  private running = { revision: 0, hash: '' };
  private arrivedFor?: Expectation;
  expectation?: Expectation;
  error?: string;

  constructor(
    readonly replicaId: string,
    registration: RegisteredGateway,
  ) {
    this.client = new ConfigSyncServiceClient(
      registration.syncAddress,
      credentials.createSsl(
        Buffer.from(registration.caCertificatePem),
        Buffer.from(registration.privateKeyPem),
        Buffer.from(registration.certificatePem),
      ),
      // Its own subchannel: grpc-js would otherwise multiplex every client of the same target and
      // credentials over one HTTP/2 connection, which real replicas (separate processes) never do.
      { 'grpc.use_local_subchannel_pool': 1, 'grpc.keepalive_time_ms': 20_000, 'grpc.keepalive_timeout_ms': 10_000 },
    );
  }

  connect(): void {
    const stream = this.client.connect();
    this.stream = stream;
    stream.on('data', (msg: ConnectResponse) => this.receive(stream, msg));
    stream.on('error', (err: Error) => (this.error = err.message));
    stream.on('end', () => (this.error ??= 'stream ended'));
    stream.write({
      message: {
        $case: 'hello',
        value: {
          protocolMin: 1,
          protocolMax: 1,
          replicaId: this.replicaId,
          replicaName: this.replicaId,
          gatewayVersion: '1.0.0',
          runningRevision: 0,
          runningHash: '',
          capabilities: ['mcp-support'],
        },
      },
    });
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.stream?.removeAllListeners('error');
    this.stream?.on('error', () => {});
    this.stream?.cancel();
    this.client.close();
  }

  private receive(stream: ClientDuplexStream<ConnectRequest, ConnectResponse>, msg: ConnectResponse): void {
    const message = msg.message;
    if (message?.$case === 'helloAck') {
      this.heartbeat = setInterval(
        () =>
          stream.write({
            message: { $case: 'heartbeat', value: { runningRevision: this.running.revision, runningHash: this.running.hash } },
          }),
        message.value.heartbeatIntervalMs,
      );
    } else if (message?.$case === 'snapshot') {
      const snapshot = message.value;
      const at = performance.now();
      const expected = this.expectation;
      if (expected && this.arrivedFor !== expected && at >= expected.since && hasMcpSupport(snapshot) === expected.mcpSupport) {
        this.arrivedFor = expected;
        expected.arrivals.push(at - expected.since);
        if (--expected.pending === 0) expected.done();
      }
      this.running = { revision: snapshot.revision, hash: snapshot.hash };
      stream.write({
        message: {
          $case: 'ack',
          value: { nonce: snapshot.nonce, revision: snapshot.revision, hash: snapshot.hash, failedApis: [] },
        },
      });
    }
  }
}

/**
 * Arms every replica for a snapshot with `mcpSupport`, runs `change` and resolves with each
 * replica's receipt time, measured from when `change` resolved; fails past `timeoutMs`.
 */
async function fanOut(
  replicas: SimulatedReplica[],
  mcpSupport: boolean,
  change: () => Promise<void>,
  timeoutMs = CHANGE_TIMEOUT_MS,
): Promise<number[]> {
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const expectation: Expectation = { mcpSupport, since: Number.POSITIVE_INFINITY, pending: replicas.length, arrivals: [], done };
  for (const replica of replicas) replica.expectation = expectation;
  // Receipts before the REST response (the push can beat it) count from the response, as 0.
  const before = performance.now();
  expectation.since = before;
  await change();
  const answered = performance.now();
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => {
      const failed = replicas.find((r) => r.error);
      reject(
        new Error(
          `${expectation.pending} of ${replicas.length} replicas did not receive the change within ${timeoutMs} ms` +
            (failed ? ` (replica ${failed.replicaId}: ${failed.error})` : ''),
        ),
      );
    }, timeoutMs).unref(),
  );
  await Promise.race([all, timeout]);
  return expectation.arrivals.map((t) => Math.max(0, t - (answered - before)));
}

/** Median VmRSS (MiB) of the control plane over `samples` readings, each right after a full GC. */
async function rssMiB(cp: ControlPlane, samples = 3): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < samples; i++) {
    await cp.collectGarbage();
    await sleep(500);
    readings.push(memoryKiB(cp.process.pid) / 1024);
  }
  return median(readings);
}

interface Phase {
  replicas: number;
  /** established TCP connections to the sync port while they were connected */
  connections: number;
  connectAllMs: number;
  rssMiB: number;
  /** per change: REST response → last replica received it */
  allReceivedMs: number[];
  /** per change and replica: REST response → that replica received it */
  perReplicaMs: number[];
  /** per change: REST response → the deployment reads `applied` */
  appliedMs: number[];
  /** round trips of those status reads (two REST GETs each), while the replicas' ACKs were being recorded */
  statusReadMs: number[];
  /** control-plane CPU per change (ms), pauses included */
  cpCpuPerChangeMs: number;
  /**
   * Shares of all cores busy during the changes: the control plane, this process (the simulated
   * replicas) and the rest of the machine (Postgres, and whatever else runs on it).
   */
  busy: { cp: number; bench: number; rest: number };
  /** share of all cores busy before the phase, when the quiet wait ended */
  busyBefore: number;
}

/**
 * Polls the deployment's status from the REST response of a change until it reads `applied`; the
 * time that took. The round trip of each read goes to `reads`.
 */
async function appliedAfter(cp: ControlPlane, instance: McpInstance, answered: number, reads: number[]): Promise<number> {
  const deadline = answered + ROLLOUT_TIMEOUT_MS;
  for (;;) {
    const asked = performance.now();
    const status = await cp.deploymentStatus(instance);
    reads.push(performance.now() - asked);
    if (status === 'applied') return performance.now() - answered;
    if (performance.now() > deadline) throw new Error(`the deployment was not applied within ${ROLLOUT_TIMEOUT_MS} ms`);
    await sleep(ROLLOUT_POLL_MS);
  }
}

await runBench(async () => {
  const replicaCount = positiveInt('replicas', args.replicas);
  const changes = positiveInt('changes', args.changes);
  const pauseMs = Number(args['pause-ms']);
  const quietWaitS = Number(args['quiet-wait']);

  console.error('starting the control plane …');
  const cp = await ControlPlane.start({ inspect: true });
  const registration = await cp.registerGateway('bench-fanout');
  // The replicas are simulated: nothing binds this port or dials this upstream.
  const instance: McpInstance = await cp.deployMcpInstance({
    upstreamUrl: 'http://127.0.0.1:9/',
    port: 18_081,
    basePath: '/fanout',
    targetId: registration.gatewayId,
  });
  const syncPort = Number(registration.syncAddress.split(':').at(-1));
  await sleep(3_000);
  const idleRssMiB = await rssMiB(cp);
  let mcpSupport = true;

  const phases: Phase[] = [];
  for (const count of [1, replicaCount]) {
    const busyBefore = await waitForQuiet(quietWaitS);
    const replicas = Array.from(
      { length: count },
      (_, i) => new SimulatedReplica(`bench-replica-${count}-${i + 1}`, registration),
    );
    console.error(`connecting ${count} replica(s) …`);
    const connectAll = fanOut(
      replicas,
      mcpSupport,
      async () => {
        for (const replica of replicas) replica.connect();
      },
      Math.max(CHANGE_TIMEOUT_MS, count * CONNECT_TIMEOUT_PER_REPLICA_MS),
    );
    const started = performance.now();
    await connectAll;
    const connectAllMs = performance.now() - started;
    await sleep(5_000);
    const connections = establishedConnections(syncPort);
    const phaseRss = await rssMiB(cp);

    const allReceivedMs: number[] = [];
    const perReplicaMs: number[] = [];
    const appliedMs: number[] = [];
    const statusReadMs: number[] = [];
    const cpu0 = cpuSeconds(cp.process.pid);
    const bench0 = process.cpuUsage();
    const machine0 = machineCpuSeconds();
    for (let i = 0; i < changes; i++) {
      mcpSupport = !mcpSupport;
      const disabled = !mcpSupport;
      let applied!: Promise<number>;
      const arrivals = await fanOut(replicas, mcpSupport, async () => {
        await cp.setMcpSupportDisabled(instance, disabled);
        applied = appliedAfter(cp, instance, performance.now(), statusReadMs);
        // Awaited below unless the fan-out fails first.
        applied.catch(() => undefined);
      });
      allReceivedMs.push(Math.max(...arrivals));
      perReplicaMs.push(...arrivals);
      appliedMs.push(await applied);
      await sleep(pauseMs);
    }
    const cpCpuS = cpuSeconds(cp.process.pid) - cpu0;
    const benchCpu = process.cpuUsage(bench0);
    const benchCpuS = (benchCpu.user + benchCpu.system) / 1e6;
    const machine1 = machineCpuSeconds();
    const total = machine1.total - machine0.total;
    const busy = {
      cp: cpCpuS / total,
      bench: benchCpuS / total,
      rest: Math.max(0, machine1.busy - machine0.busy - cpCpuS - benchCpuS) / total,
    };
    const cpCpuPerChangeMs = (cpCpuS * 1000) / changes;
    const broken = replicas.filter((r) => r.error);
    if (broken.length)
      throw new Error(`${broken.length} replica streams broke, e.g. ${broken[0]!.replicaId}: ${broken[0]!.error}`);
    phases.push({
      replicas: count,
      connections,
      connectAllMs,
      rssMiB: phaseRss,
      allReceivedMs,
      perReplicaMs,
      appliedMs,
      statusReadMs,
      cpCpuPerChangeMs,
      busy,
      busyBefore,
    });
    console.error(
      `${count} replica(s): all received p50 ${formatMs(percentile(allReceivedMs, 50))}, p99 ${formatMs(percentile(allReceivedMs, 99))}; ` +
        `applied p50 ${formatMs(percentile(appliedMs, 50))}`,
    );
    for (const replica of replicas) replica.close();
    await sleep(2_000);
  }
  const peakRssMiB = memoryKiB(cp.process.pid, 'VmHWM') / 1024;

  const [one, many] = phases as [Phase, Phase];
  printTable(
    `${changes} mcp-support toggles (PATCH) → snapshot received by every replica`,
    [
      'replicas',
      'TCP conns',
      'connect all',
      'CP VmRSS',
      'all received p50',
      'all received p99',
      'all received max',
      'per replica p50',
      'per replica p99',
      'applied p50',
      'applied p99',
      'status read p50',
      'status read max',
      'CP CPU/change',
      'busy before',
      'busy CP/bench/rest',
    ],
    phases.map((p) => [
      p.replicas,
      p.connections,
      formatMs(p.connectAllMs),
      `${p.rssMiB.toFixed(1)} MiB`,
      formatMs(percentile(p.allReceivedMs, 50)),
      formatMs(percentile(p.allReceivedMs, 99)),
      formatMs(Math.max(...p.allReceivedMs)),
      formatMs(percentile(p.perReplicaMs, 50)),
      formatMs(percentile(p.perReplicaMs, 99)),
      formatMs(percentile(p.appliedMs, 50)),
      formatMs(percentile(p.appliedMs, 99)),
      formatMs(percentile(p.statusReadMs, 50)),
      formatMs(Math.max(...p.statusReadMs)),
      formatMs(p.cpCpuPerChangeMs),
      `${Math.round(p.busyBefore * 100)}%`,
      [p.busy.cp, p.busy.bench, p.busy.rest].map((share) => `${Math.round(share * 100)}%`).join(' / '),
    ]),
  );
  // Against the one-replica phase: the first stream also loads code and caches every later one shares.
  const perReplicaKiB = ((many.rssMiB - one.rssMiB) * 1024) / (many.replicas - one.replicas);
  const p99Ratio = percentile(many.allReceivedMs, 99) / percentile(one.allReceivedMs, 99);
  const p50Ratio = percentile(many.allReceivedMs, 50) / percentile(one.allReceivedMs, 50);
  const appliedP50Ratio = percentile(many.appliedMs, 50) / percentile(one.appliedMs, 50);
  const cpuRatio = many.cpCpuPerChangeMs / one.cpCpuPerChangeMs;
  console.log(
    `\ncontrol plane VmRSS: idle ${idleRssMiB.toFixed(1)} MiB, with ${many.replicas} replicas ${many.rssMiB.toFixed(1)} MiB ` +
      `(${(many.rssMiB / idleRssMiB).toFixed(2)}× idle, ${(many.rssMiB / one.rssMiB).toFixed(2)}× with one replica: ≈ ${perReplicaKiB.toFixed(0)} KiB per extra replica), peak ${peakRssMiB.toFixed(1)} MiB; ` +
      `propagation to all ${many.replicas} vs 1 replica: p50 ${p50Ratio.toFixed(1)}×, p99 ${p99Ratio.toFixed(1)}×; ` +
      `applied p50 ${appliedP50Ratio.toFixed(1)}×; control-plane CPU per change ${cpuRatio.toFixed(1)}×`,
  );
  const phaseJson = (p: Phase) => ({
    replicas: p.replicas,
    connections: p.connections,
    connectAllMs: round(p.connectAllMs),
    rssMiB: round(p.rssMiB, 1),
    allReceived: {
      p50Ms: round(percentile(p.allReceivedMs, 50)),
      p99Ms: round(percentile(p.allReceivedMs, 99)),
      maxMs: round(Math.max(...p.allReceivedMs)),
    },
    perReplica: { p50Ms: round(percentile(p.perReplicaMs, 50)), p99Ms: round(percentile(p.perReplicaMs, 99)) },
    applied: { p50Ms: round(percentile(p.appliedMs, 50)), p99Ms: round(percentile(p.appliedMs, 99)) },
    statusRead: { p50Ms: round(percentile(p.statusReadMs, 50)), maxMs: round(Math.max(...p.statusReadMs)) },
    cpCpuPerChangeMs: round(p.cpCpuPerChangeMs),
    busyBefore: round(p.busyBefore),
    busy: { cp: round(p.busy.cp), bench: round(p.busy.bench), rest: round(p.busy.rest) },
  });
  console.log(
    JSON.stringify({
      bench: 'replica-fanout',
      config: { replicas: replicaCount, changes, pauseMs, quietWaitS },
      idleRssMiB: round(idleRssMiB, 1),
      peakRssMiB: round(peakRssMiB, 1),
      perExtraReplicaKiB: round(perReplicaKiB, 0),
      rssToIdle: round(many.rssMiB / idleRssMiB),
      rssToOneReplica: round(many.rssMiB / one.rssMiB),
      baseline: phaseJson(one),
      fanout: phaseJson(many),
      allReceivedP50ToBaseline: round(p50Ratio),
      allReceivedP99ToBaseline: round(p99Ratio),
      appliedP50ToBaseline: round(appliedP50Ratio),
      cpCpuPerChangeToBaseline: round(cpuRatio),
    }),
  );
});
