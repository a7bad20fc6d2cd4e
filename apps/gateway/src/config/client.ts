/**
 * The gateway end of the sync stream (proto/portico/config/v1/sync.proto).
 *
 * One stream per replica, over mTLS with the registration's certificate. The client opens with a
 * Hello carrying what it runs, heartbeats at the interval the HelloAck names, hands every
 * Snapshot to `apply` one at a time and answers each with an Ack or a Nack carrying its nonce.
 * When the stream breaks it reconnects after ReconnectBackoff's delay (within about 1 s while
 * the control plane cannot be reached; longer when it refuses), on a new channel each time
 * (control-plane-channel.ts); the control plane's "maximum connection age" close reconnects at
 * once, and the new channel's new connection may land on another control-plane replica. While
 * disconnected the gateway keeps serving what it has.
 */
import { type ClientDuplexStream, type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ConfigSyncServiceClient, type ConnectRequest, type ConnectResponse, type Snapshot } from '#portico/proto-ts';
import { controlPlaneAnswered, type ControlPlaneIdentity, openControlPlaneChannel } from './control-plane-channel.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import type { ReportOutbox } from './report-outbox.js';
import type { ApiFailure } from './translate.js';

export const PROTOCOL_MIN = 1;
export const PROTOCOL_MAX = 1;

const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 20_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
};

export interface Running {
  revision: number;
  hash: string;
}

/** What applying a snapshot came to: the config now served (but for `failedApis`), or why it was rejected. */
export type ApplyOutcome = { ok: true; failedApis: readonly ApiFailure[] } | { ok: false; error: string };

export interface SyncClientOptions extends ControlPlaneIdentity {
  replicaId: string;
  replicaName: string;
  gatewayVersion: string;
  capabilities: string[];
  /** What the gateway serves now (0 / "" without a config). */
  running(): Running;
  /** Compiles, swaps in and stores a snapshot; never throws. */
  apply(snapshot: Snapshot): Promise<ApplyOutcome>;
  /** Policy reports and observed tool lists, sent while a stream is accepted. */
  reports: ReportOutbox;
  logger: Logger;
}

export type SyncState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

export class SyncClient {
  /** The channel of the current stream, or of the last one until the next attempt. */
  private client?: ConfigSyncServiceClient;
  private stream?: ClientDuplexStream<ConnectRequest, ConnectResponse>;
  private heartbeat?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private readonly backoff = new ReconnectBackoff();
  private queue: Promise<void> = Promise.resolve();
  private stateValue: SyncState = 'disconnected';
  private lastErrorValue: string | null = null;
  /** A failure of the current outage was logged at warn. */
  private outageLogged = false;
  private counters = { streams: 0, snapshots: 0 };

  constructor(private readonly options: SyncClientOptions) {
    options.reports.onAdd(() => this.sendReports());
  }

  get state(): SyncState {
    return this.stateValue;
  }

  /** Streams the control plane accepted, and snapshots it pushed, since start. */
  get stats(): { streams: number; snapshots: number } {
    return { ...this.counters };
  }

  /** Why the last stream ended, if it ended with an error. */
  get lastError(): string | null {
    return this.lastErrorValue;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stateValue = 'stopped';
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.stream?.cancel();
    this.client?.close();
  }

  private connect(): void {
    if (this.stateValue === 'stopped') return;
    this.stateValue = 'connecting';
    const client = openControlPlaneChannel(ConfigSyncServiceClient, this.options, CHANNEL_OPTIONS);
    const stream = client.connect();
    this.client = client;
    this.stream = stream;
    const running = this.options.running();
    stream.write({
      message: {
        $case: 'hello',
        value: {
          protocolMin: PROTOCOL_MIN,
          protocolMax: PROTOCOL_MAX,
          replicaId: this.options.replicaId,
          replicaName: this.options.replicaName,
          gatewayVersion: this.options.gatewayVersion,
          runningRevision: running.revision,
          runningHash: running.hash,
          capabilities: this.options.capabilities,
        },
      },
    });
    stream.on('data', (msg: ConnectResponse) => this.receive(stream, msg));
    stream.on('error', (err: ServiceError) => this.broken(client, stream, err));
    stream.on('end', () => this.broken(client, stream));
  }

  private receive(stream: ClientDuplexStream<ConnectRequest, ConnectResponse>, msg: ConnectResponse): void {
    if (stream !== this.stream) return;
    const message = msg.message;
    if (message?.$case === 'helloAck') {
      this.counters.streams++;
      this.stateValue = 'connected';
      this.lastErrorValue = null;
      this.outageLogged = false;
      this.backoff.reset();
      // The logger's bindings already name the gateway (the certificate's, which the HelloAck echoes).
      this.options.logger.info({ protocol: message.value.protocolVersion }, 'connected to the control plane');
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => {
        const { revision, hash } = this.options.running();
        stream.write({ message: { $case: 'heartbeat', value: { runningRevision: revision, runningHash: hash } } });
      }, message.value.heartbeatIntervalMs || 30_000);
      this.heartbeat.unref();
      this.sendReports();
    } else if (message?.$case === 'snapshot') {
      const snapshot = message.value;
      this.counters.snapshots++;
      // One at a time, in order: each push is answered before the control plane sends the next.
      this.queue = this.queue.then(() => this.answer(stream, snapshot));
    }
  }

  private async answer(stream: ClientDuplexStream<ConnectRequest, ConnectResponse>, snapshot: Snapshot): Promise<void> {
    const outcome = await this.options.apply(snapshot);
    if (stream !== this.stream) return;
    if (outcome.ok) {
      const failedApis = outcome.failedApis.map((f) => ({ apiId: f.apiId, errorMessage: f.reason }));
      stream.write({
        message: { $case: 'ack', value: { nonce: snapshot.nonce, revision: snapshot.revision, hash: snapshot.hash, failedApis } },
      });
    } else {
      stream.write({
        message: {
          $case: 'nack',
          value: {
            nonce: snapshot.nonce,
            rejectedRevision: snapshot.revision,
            runningRevision: this.options.running().revision,
            errorMessage: outcome.error,
          },
        },
      });
    }
  }

  /** Sends the queued reports on the accepted stream, if there is one. */
  private sendReports(): void {
    if (this.stateValue !== 'connected' || !this.stream) return;
    for (const message of this.options.reports.take()) this.stream.write({ message });
  }

  private broken(
    client: ConfigSyncServiceClient,
    stream: ClientDuplexStream<ConnectRequest, ConnectResponse>,
    err?: ServiceError,
  ): void {
    if (stream !== this.stream || this.stateValue === 'stopped') return;
    const answered = controlPlaneAnswered(client);
    this.stream = undefined;
    clearInterval(this.heartbeat);
    stream.cancel();
    client.close();
    this.stateValue = 'disconnected';
    // The control plane asks replicas to reconnect at their maximum connection age: not a failure.
    const rebalance = err?.code === GrpcStatus.UNAVAILABLE && /maximum connection age/.test(err.details);
    this.lastErrorValue = err && !rebalance ? `${GrpcStatus[err.code]}: ${err.details}` : null;
    const delay = rebalance ? 0 : this.backoff.next(answered);
    // One warning per outage: while the control plane is away attempts come about twice a
    // second, and the later ones log at debug (the status shows the last error).
    const level = !err || rebalance ? 'info' : this.outageLogged ? 'debug' : 'warn';
    if (level === 'warn') this.outageLogged = true;
    this.options.logger[level](
      { reason: this.lastErrorValue ?? err?.details ?? 'stream ended', retryInMs: Math.round(delay) },
      'sync stream closed',
    );
    this.retry = setTimeout(() => this.connect(), delay);
    this.retry.unref();
  }
}
