/**
 * The primary side of a gateway with PORTICO_GATEWAY_WORKERS > 1 (node:cluster): it forks the
 * workers (worker.ts), sends each configuration to all of them and answers for them as one data
 * plane (Serving), so the gateway keeps ONE registration, ONE sync stream and one last good
 * configuration whatever the number of workers.
 *
 * - serve(): the configuration's bytes go to every worker; it resolves once every worker serves
 *   it, with the APIs not served (the union of what the workers report: translation is
 *   deterministic, and listening sockets are the primary's, so they agree). The gateway ACKs only
 *   then. Each worker swaps its configuration atomically, like a single process; between the
 *   first and the last worker's swap (milliseconds) a request may be served by either version.
 * - A worker that exits unexpectedly is replaced after RESTART_DELAY_MS; the replacement gets
 *   the current configuration before it is handed any connection (a worker only receives
 *   connections on the ports it listens on). A serve() in progress does not wait for a dead
 *   worker. Connections go to the workers in turn (node:cluster's round robin, which balances
 *   better than a shared accept queue); the connections a dying worker held are lost with it, and
 *   so is one handed to it in the instant before the primary sees its exit.
 * - /metrics is the sum over the workers (prom-client AggregatorRegistry); /status lists them.
 */
import { type PolicyReportSink } from '#portico/policy-engine';
import cluster, { type Worker } from 'node:cluster';
import { GatewayConfig } from '#portico/proto-ts';
import type { Logger } from 'pino';
import type { EventBatchSink } from '../access-log/event-batcher.js';
import { AggregatorRegistry } from 'prom-client';
import type { MetricsSource } from '../admin/admin-server.js';
import type { Served } from '../config/serve-config.js';
import type { ToolsObservedSink } from '../pipeline/tools-observer.js';
import { ConfigRejectedError, type ApiFailure } from '../config/translate.js';
import { isWorkerMessage, type ApplyMessage, type StopMessage, type WorkerMessage } from './messages.js';
import type { Serving } from './serving.js';

const RESTART_DELAY_MS = 500;
/** What a stopping worker gets beyond its drain period (PORTICO_GATEWAY_DRAIN_MS) before it is killed. */
const STOP_MARGIN_MS = 10_000;

type Applied = Extract<WorkerMessage, { type: 'portico:applied' }>;

interface Member {
  readonly worker: Worker;
  ready: boolean;
  ports: readonly number[];
  /** seq -> the answer's resolver; resolved with undefined when the worker dies first. */
  readonly pending: Map<number, (answer: Applied | Error | undefined) => void>;
}

export class WorkerPool implements Serving {
  private readonly members = new Map<number, Member>();
  private readonly aggregator = new AggregatorRegistry();
  readonly metrics: MetricsSource = {
    contentType: this.aggregator.contentType,
    metrics: () => this.aggregator.clusterMetrics(),
  };
  /** The configuration every worker must serve (a replacement gets it first). */
  private current: Uint8Array | undefined;
  private seq = 0;
  private restarts = 0;
  private closing = false;

  private constructor(
    private readonly logger: Logger,
    private readonly report: PolicyReportSink,
    private readonly events: EventBatchSink | undefined,
    private readonly drainMs: number,
    private readonly tools: ToolsObservedSink | undefined,
  ) {}

  /**
   * Forks `count` workers and resolves once all of them are up; their policies' reports go to
   * `report`, their access events to `events`, the tool lists they observe to `tools`.
   * `drainMs`: the workers' drain period.
   */
  static async start(
    count: number,
    logger: Logger,
    report: PolicyReportSink,
    events: EventBatchSink | undefined,
    drainMs: number,
    tools?: ToolsObservedSink,
  ): Promise<WorkerPool> {
    cluster.setupPrimary({ serialization: 'advanced' });
    const pool = new WorkerPool(logger.child({ component: 'workers' }), report, events, drainMs, tools);
    await Promise.all(Array.from({ length: count }, () => pool.fork()));
    return pool;
  }

  async serve(config: GatewayConfig): Promise<Served> {
    const bytes = GatewayConfig.encode(config).finish();
    this.current = bytes;
    const answers = await Promise.all([...this.members.values()].filter((m) => m.ready).map((m) => this.apply(m, bytes)));
    const error = answers.find((a): a is Error => a instanceof Error);
    if (error) throw error;
    const applied = answers.filter((a): a is Applied => a !== undefined);
    const failures = new Map<string, ApiFailure>();
    for (const answer of applied) for (const failure of answer.failures) failures.set(failure.apiId, failure);
    return { warnings: applied[0]?.warnings ?? [], failures: [...failures.values()] };
  }

  ports(): readonly number[] {
    return [...new Set([...this.members.values()].flatMap((m) => m.ports))].sort((a, b) => a - b);
  }

  status(): Record<string, unknown> {
    return {
      workers: [...this.members.values()].map((m) => ({
        id: m.worker.id,
        pid: m.worker.process.pid,
        ready: m.ready,
        ports: m.ports,
      })),
      workerRestarts: this.restarts,
    };
  }

  /**
   * Stops every worker (each finishes its requests in flight; not cluster's disconnect(), which
   * would also wait for idle keep-alive connections), killing any still there once its drain
   * period and STOP_MARGIN_MS are over.
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.members.values()].map(
        ({ worker }) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), this.drainMs + STOP_MARGIN_MS);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.send({ type: 'portico:stop' } satisfies StopMessage);
          }),
      ),
    );
  }

  private apply(member: Member, config: Uint8Array): Promise<Applied | Error | undefined> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      member.pending.set(seq, resolve);
      member.worker.send({ type: 'portico:apply', seq, config } satisfies ApplyMessage);
    });
  }

  /** Forks a worker; resolves once it is ready and serves the current configuration. */
  private fork(): Promise<void> {
    const worker = cluster.fork();
    const member: Member = { worker, ready: false, ports: [], pending: new Map() };
    this.members.set(worker.id, member);
    return new Promise((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'portico:ready') {
          void this.onReady(member).then(resolve);
          return;
        }
        if (message.type === 'portico:report') return this.report(message.apiId, message.policyId, message.report);
        if (message.type === 'portico:events') return this.events?.({ bytes: message.bytes, count: message.count });
        if (message.type === 'portico:tools') return this.tools?.(message.list);
        const answer =
          message.type === 'portico:applied' ? message : new ConfigRejectedError(`worker ${worker.id}: ${message.error}`);
        if (message.type === 'portico:applied') member.ports = message.ports;
        member.pending.get(message.seq)?.(answer);
        member.pending.delete(message.seq);
      });
      worker.once('exit', (code, signal) => {
        this.members.delete(worker.id);
        for (const settle of member.pending.values()) settle(undefined);
        if (!member.ready) reject(new Error(`worker ${worker.id} exited before it was ready (code ${code}, signal ${signal})`));
        if (this.closing) return;
        this.restarts++;
        this.logger.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker exited; starting a replacement');
        setTimeout(() => {
          if (!this.closing)
            this.fork().catch((err: Error) => this.logger.error({ err: err.message }, 'replacement worker failed'));
        }, RESTART_DELAY_MS).unref();
      });
    });
  }

  /** Brings a new worker to the current configuration (again, if a serve() changed it meanwhile), then counts it in. */
  private async onReady(member: Member): Promise<void> {
    let applied: Uint8Array | undefined;
    while (this.current !== applied) {
      applied = this.current!;
      const answer = await this.apply(member, applied);
      if (answer instanceof Error)
        this.logger.error({ worker: member.worker.id, err: answer.message }, 'worker rejected the configuration');
    }
    member.ready = true;
    this.logger.info({ worker: member.worker.id, pid: member.worker.process.pid }, 'worker serving');
  }
}
