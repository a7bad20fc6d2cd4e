/**
 * In-memory counts of access-event ingest on this control-plane process, for the metrics endpoint
 * (issue 11's `/metrics`: ingest rate and lag). Counters only grow; a rate is the difference of
 * two reads. Nothing here is persisted: each control-plane replica counts what it took.
 */
import { Injectable } from '@nestjs/common';

/** A read of the counters. */
export interface IngestCounts {
  /** Publish calls that stored their batch */
  batches: number;
  /** events of those batches that were new */
  inserted: number;
  /** events of those batches already stored (a batch published again) */
  duplicates: number;
  /** events refused: their API is not deployed to the publishing gateway */
  refused: number;
  /** Publish calls refused as malformed (INVALID_ARGUMENT), and failed while storing */
  malformedBatches: number;
  failedBatches: number;
  /** when the last batch was stored, and how old its oldest event was then (ms) */
  lastBatchAt: Date | null;
  lastBatchLagMs: number | null;
}

/** The counters; one per control-plane process (a provider of AccessEventsModule). */
@Injectable()
export class IngestCounter {
  private counts: IngestCounts = {
    batches: 0,
    inserted: 0,
    duplicates: 0,
    refused: 0,
    malformedBatches: 0,
    failedBatches: 0,
    lastBatchAt: null,
    lastBatchLagMs: null,
  };

  /** A batch of `size` events was stored: `inserted` new, `refused` not the gateway's, the rest already stored. */
  stored(batch: { size: number; inserted: number; refused: number; oldestEventTime: Date | null }, now = new Date()): void {
    this.counts.batches++;
    this.counts.inserted += batch.inserted;
    this.counts.refused += batch.refused;
    this.counts.duplicates += batch.size - batch.refused - batch.inserted;
    this.counts.lastBatchAt = now;
    this.counts.lastBatchLagMs = batch.oldestEventTime ? now.getTime() - batch.oldestEventTime.getTime() : null;
  }

  malformed(): void {
    this.counts.malformedBatches++;
  }

  failed(): void {
    this.counts.failedBatches++;
  }

  /** A copy of the counters. */
  read(): IngestCounts {
    return { ...this.counts };
  }
}
