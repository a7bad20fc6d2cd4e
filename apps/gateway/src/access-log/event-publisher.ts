/**
 * Publishes the outbox's access events to the control plane (AccessEventService.Publish, on the
 * sync stream's mTLS identity), one batch at a time, oldest first: as soon as `batchBytes` wait,
 * else every `intervalMs`. A batch is committed only once the control plane answered OK; after a
 * failure it is given back and publishing pauses for ReconnectBackoff's delay — within about 1 s
 * while the control plane cannot be reached (then on a new channel: control-plane-channel.ts), so
 * events flow again promptly once it is back, and up to 30 s while it refuses — with one log line
 * per outage. A batch the control plane refuses as malformed (INVALID_ARGUMENT) is dropped and
 * counted. The request is the batches' bytes concatenated after a header carrying the replica
 * and the drop count (protobuf concatenation is a merge), so events are never decoded here.
 */
import { Client, type ClientUnaryCall, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { AccessEventServiceService, PublishRequest, type PublishResponse } from '#portico/proto-ts';
import type { Logger } from 'pino';
import { controlPlaneAnswered, type ControlPlaneIdentity, openControlPlaneChannel } from '../config/control-plane-channel.js';
import { ReconnectBackoff } from '../config/reconnect-backoff.js';
import type { EventOutbox, TakenEvents } from './event-outbox.js';

const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const PUBLISH_DEADLINE_MS = 10_000;
const CHANNEL_OPTIONS = { 'grpc.max_send_message_length': MAX_BATCH_BYTES + 1024 * 1024 };
// At shutdown, a Publish in flight gets this long before it is cancelled (its events are then spilled).
const STOP_GRACE_MS = 2_000;

export interface EventPublisherOptions extends ControlPlaneIdentity {
  readonly replicaId: string;
  readonly replicaName: string;
  readonly outbox: EventOutbox;
  readonly logger: Logger;
  readonly intervalMs?: number;
  readonly batchBytes?: number;
}

export class EventPublisher {
  private client: Client;
  private readonly backoff = new ReconnectBackoff();
  private stopped = false;
  private wake: (() => void) | undefined;
  private failing = false;
  private publishedEvents = 0;
  private lastErrorMessage: string | undefined;
  private loop: Promise<void> | undefined;
  private inFlight: ClientUnaryCall | undefined;

  constructor(private readonly options: EventPublisherOptions) {
    this.client = openControlPlaneChannel(Client, options, CHANNEL_OPTIONS);
    // A full batch goes at once, unless publishing failed: then the backoff's pause holds (a
    // busy gateway would otherwise try again with every event).
    options.outbox.onAdd(() => {
      if (!this.failing && options.outbox.memoryQueuedBytes >= (options.batchBytes ?? 256 * 1024)) this.wake?.();
    });
  }

  get stats(): { published: number; lastError: string | undefined } {
    return { published: this.publishedEvents, lastError: this.lastErrorMessage };
  }

  start(): void {
    this.loop = this.run();
  }

  /**
   * Stops publishing once the Publish in flight ended (cancelled after STOP_GRACE_MS); what is
   * still in memory then goes to the spill file, for the next run.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const cancel = setTimeout(() => this.inFlight?.cancel(), STOP_GRACE_MS);
    await this.loop;
    clearTimeout(cancel);
    this.options.outbox.spill();
    this.options.outbox.close();
    this.client.close();
  }

  private async run(): Promise<void> {
    /** Set for the next round only: at once (more events wait) or the backoff's delay (after a failure). */
    let pauseMs: number | undefined;
    while (!this.stopped) {
      await this.sleep(pauseMs ?? this.options.intervalMs ?? 1_000);
      pauseMs = undefined;
      if (this.stopped) return;
      let taken: TakenEvents | undefined;
      try {
        taken = this.options.outbox.take(MAX_BATCH_BYTES);
        if (taken === undefined) continue;
        await this.publish(taken.batches);
        taken.commit();
        this.publishedEvents += taken.count;
        if (this.failing) this.options.logger.info('access events are published again');
        this.failing = false;
        this.backoff.reset();
        // More waiting: go on at once.
        if (this.options.outbox.queued.events > 0) pauseMs = 0;
      } catch (err) {
        this.lastErrorMessage = (err as ServiceError).details ?? (err as Error).message;
        if (taken && (err as ServiceError).code === status.INVALID_ARGUMENT) {
          // Malformed for good: publishing it again would block every event behind it.
          this.options.outbox.refused(taken, `refused by the control plane: ${this.lastErrorMessage}`);
          continue;
        }
        taken?.giveBack();
        if (!this.failing)
          this.options.logger.warn({ err: this.lastErrorMessage }, 'access events cannot be published; kept until they can');
        this.failing = true;
        const answered = controlPlaneAnswered(this.client);
        if (!answered) {
          this.client.close();
          this.client = openControlPlaneChannel(Client, this.options, CHANNEL_OPTIONS);
        }
        pauseMs = this.backoff.next(answered);
      }
    }
  }

  private publish(batches: readonly Uint8Array[]): Promise<PublishResponse> {
    const header = PublishRequest.encode({
      replicaId: this.options.replicaId,
      replicaName: this.options.replicaName,
      events: [],
      droppedTotal: this.options.outbox.dropped,
    }).finish();
    const body = Buffer.concat([header, ...batches]);
    const method = AccessEventServiceService.publish;
    return new Promise((resolve, reject) => {
      this.inFlight = this.client.makeUnaryRequest(
        method.path,
        (bytes: Buffer) => bytes,
        method.responseDeserialize,
        body,
        new Metadata(),
        { deadline: Date.now() + PUBLISH_DEADLINE_MS },
        (err, response) => {
          this.inFlight = undefined;
          if (err || !response) reject(err ?? new Error('no response'));
          else resolve(response);
        },
      );
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
