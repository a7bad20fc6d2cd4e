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
 *   node --conditions=portico-source --import tsx bench/replica-fanout.ts [--replicas 200]
 *     [--changes 20] [--pause-ms 250]
 */
import { parseArgs } from 'node:util';
import { type ClientDuplexStream, credentials } from '@grpc/grpc-js';
import { ConfigSyncServiceClient, type ConnectRequest, type ConnectResponse, type Snapshot } from '#portico/proto-ts';
import { ControlPlane, type McpInstance, type RegisteredGateway } from './support/portico.js';
import { establishedConnections, memoryKiB, runBench, sleep } from './support/processes.js';
import { formatMs, median, percentile, positiveInt, printTable, round } from './support/stats.js';

/** A replica that has not received a change after this long fails the run. */
const CHANGE_TIMEOUT_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    replicas: { type: 'string', default: '200' },
    changes: { type: 'string', default: '20' },
    'pause-ms': { type: 'string', default: '250' },
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
 * replica's receipt time, measured from when `change` resolved.
 */
async function fanOut(replicas: SimulatedReplica[], mcpSupport: boolean, change: () => Promise<void>): Promise<number[]> {
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
          `${expectation.pending} of ${replicas.length} replicas did not receive the change within ${CHANGE_TIMEOUT_MS} ms` +
            (failed ? ` (replica ${failed.replicaId}: ${failed.error})` : ''),
        ),
      );
    }, CHANGE_TIMEOUT_MS).unref(),
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
}

await runBench(async () => {
  const replicaCount = positiveInt('replicas', args.replicas);
  const changes = positiveInt('changes', args.changes);
  const pauseMs = Number(args['pause-ms']);

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
    const replicas = Array.from(
      { length: count },
      (_, i) => new SimulatedReplica(`bench-replica-${count}-${i + 1}`, registration),
    );
    console.error(`connecting ${count} replica(s) …`);
    const connectAll = fanOut(replicas, mcpSupport, async () => {
      for (const replica of replicas) replica.connect();
    });
    const started = performance.now();
    await connectAll;
    const connectAllMs = performance.now() - started;
    await sleep(5_000);
    const connections = establishedConnections(syncPort);
    const phaseRss = await rssMiB(cp);

    const allReceivedMs: number[] = [];
    const perReplicaMs: number[] = [];
    for (let i = 0; i < changes; i++) {
      mcpSupport = !mcpSupport;
      const disabled = !mcpSupport;
      const arrivals = await fanOut(replicas, mcpSupport, () => cp.setMcpSupportDisabled(instance, disabled));
      allReceivedMs.push(Math.max(...arrivals));
      perReplicaMs.push(...arrivals);
      await sleep(pauseMs);
    }
    const broken = replicas.filter((r) => r.error);
    if (broken.length)
      throw new Error(`${broken.length} replica streams broke, e.g. ${broken[0]!.replicaId}: ${broken[0]!.error}`);
    phases.push({ replicas: count, connections, connectAllMs, rssMiB: phaseRss, allReceivedMs, perReplicaMs });
    console.error(
      `${count} replica(s): all received p50 ${formatMs(percentile(allReceivedMs, 50))}, p99 ${formatMs(percentile(allReceivedMs, 99))}`,
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
    ]),
  );
  // Against the one-replica phase: the first stream also loads code and caches every later one shares.
  const perReplicaKiB = ((many.rssMiB - one.rssMiB) * 1024) / (many.replicas - one.replicas);
  const p99Ratio = percentile(many.allReceivedMs, 99) / percentile(one.allReceivedMs, 99);
  const p50Ratio = percentile(many.allReceivedMs, 50) / percentile(one.allReceivedMs, 50);
  console.log(
    `\ncontrol plane VmRSS: idle ${idleRssMiB.toFixed(1)} MiB, with ${many.replicas} replicas ${many.rssMiB.toFixed(1)} MiB ` +
      `(${(many.rssMiB / idleRssMiB).toFixed(2)}× idle, ${(many.rssMiB / one.rssMiB).toFixed(2)}× with one replica: ≈ ${perReplicaKiB.toFixed(0)} KiB per extra replica), peak ${peakRssMiB.toFixed(1)} MiB; ` +
      `propagation to all ${many.replicas} vs 1 replica: p50 ${p50Ratio.toFixed(1)}×, p99 ${p99Ratio.toFixed(1)}×`,
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
  });
  console.log(
    JSON.stringify({
      bench: 'replica-fanout',
      config: { replicas: replicaCount, changes, pauseMs },
      idleRssMiB: round(idleRssMiB, 1),
      peakRssMiB: round(peakRssMiB, 1),
      perExtraReplicaKiB: round(perReplicaKiB, 0),
      rssToIdle: round(many.rssMiB / idleRssMiB),
      rssToOneReplica: round(many.rssMiB / one.rssMiB),
      baseline: phaseJson(one),
      fanout: phaseJson(many),
      allReceivedP50ToBaseline: round(p50Ratio),
      allReceivedP99ToBaseline: round(p99Ratio),
    }),
  );
});
