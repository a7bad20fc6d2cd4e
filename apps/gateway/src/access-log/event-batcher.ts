/**
 * Access events of one serving process on their way to the primary's outbox, encoded in batches:
 * a batch is the protobuf of a PublishRequest holding only `events`, so batches concatenated are
 * one PublishRequest (repeated fields of concatenated messages append) and the outbox, its spill
 * file and the publisher move bytes, never objects. A batch leaves after `maxEvents` events or
 * `maxDelayMs`, whichever comes first, so an event reaches the outbox within that delay.
 */
import { PublishRequest, type AccessEvent } from '#portico/proto-ts';
import type { AccessEventSink } from './access-record.js';

/** Encoded events (a PublishRequest with `events` only) and how many. */
export interface EventBatch {
  readonly bytes: Uint8Array;
  readonly count: number;
}

export type EventBatchSink = (batch: EventBatch) => void;

export class EventBatcher {
  private pending: AccessEvent[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: EventBatchSink,
    private readonly maxEvents = 256,
    private readonly maxDelayMs = 200,
  ) {}

  readonly add: AccessEventSink = (event) => {
    this.pending.push(event);
    if (this.pending.length >= this.maxEvents) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.flush, this.maxDelayMs);
      this.timer.unref();
    }
  };

  /** Sends what is pending now (also at shutdown). */
  readonly flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    const bytes = PublishRequest.encode({ replicaId: '', replicaName: '', events, droppedTotal: 0 }).finish();
    this.sink({ bytes, count: events.length });
  };
}
