/**
 * AccessEventService.Publish, past authentication: the sync server (config-sync.server.ts) checks
 * the replica's client certificate and hands over the target it names, never one the message
 * names.
 *
 * Contract: Publish answers OK only once the batch's rows are committed. Events of APIs that are
 * not deployed to the target are counted as refused (logged once per batch) and the rest of the
 * batch is stored; a malformed batch is refused whole with INVALID_ARGUMENT; any other failure
 * (Postgres down) is UNAVAILABLE, so the gateway keeps the batch and publishes it again, which
 * stores every event once.
 */
import { Injectable, Logger } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { PublishRequest, PublishResponse } from '#portico/proto-ts';
import { MalformedBatchError, parseBatch } from './access-event-batch.js';
import { AccessEventPartitions } from './access-event-partitions.js';
import { AccessEventsRepository } from './access-events.repository.js';
import { IngestCounter } from './ingest-counter.js';

/** Events per INSERT statement: big gateway batches are stored in several. */
const INSERT_CHUNK = 5000;

/** A gRPC status and its details, as grpc-js takes an error. */
export interface PublishFailure {
  code: GrpcStatus;
  details: string;
}

/** Takes Publish calls for the sync server (see the module comment). */
@Injectable()
export class AccessEventIngest {
  private readonly logger = new Logger('AccessEvents');

  constructor(
    private readonly repo: AccessEventsRepository,
    private readonly partitions: AccessEventPartitions,
    private readonly counter: IngestCounter,
  ) {}

  /** Stores a batch of a replica of gateway `targetId`; throws a PublishFailure. */
  async publish(targetId: string, request: PublishRequest): Promise<PublishResponse> {
    let batch: ReturnType<typeof parseBatch>;
    try {
      batch = parseBatch(request);
    } catch (err) {
      this.counter.malformed();
      if (err instanceof MalformedBatchError) throw failure(GrpcStatus.INVALID_ARGUMENT, err.message);
      throw err;
    }
    const times = batch.events.map((e) => e.time);
    try {
      await this.partitions.ensureFor(times);
      let inserted = 0;
      let refused = 0;
      const refusedApiIds = new Set<string>();
      // One statement per chunk, each committed on its own: a failure part way is answered
      // UNAVAILABLE, and the batch published again stores its remaining events once.
      for (let i = 0; i === 0 || i < batch.events.length; i += INSERT_CHUNK) {
        const stored = await this.repo.insertBatch(targetId, { ...batch, events: batch.events.slice(i, i + INSERT_CHUNK) });
        inserted += stored.inserted;
        refused += stored.refused;
        for (const id of stored.refusedApiIds) refusedApiIds.add(id);
      }
      if (refused) {
        this.logger.warn(
          `refused ${refused} access event(s) of replica ${batch.replicaId} of gateway ${targetId}:` +
            ` API ${[...refusedApiIds].join(', ')} is not deployed to it`,
        );
      }
      const oldest = times.reduce<Date | null>((min, t) => (min && min <= t ? min : t), null);
      this.counter.stored({ size: times.length, inserted, refused, oldestEventTime: oldest });
      return { accepted: times.length - refused, refused };
    } catch (err) {
      this.counter.failed();
      this.logger.warn(`cannot store access events of gateway ${targetId}: ${(err as Error).message}`);
      throw failure(GrpcStatus.UNAVAILABLE, 'access events cannot be stored now; publish the batch again later');
    }
  }
}

function failure(code: GrpcStatus, details: string): PublishFailure {
  return { code, details };
}
