import { Module } from '@nestjs/common';
import { AccessEventIngest } from './access-event-ingest.service.js';
import { AccessEventPartitions } from './access-event-partitions.js';
import { AccessEventsRepository } from './access-events.repository.js';
import { IngestCounter } from './ingest-counter.js';

/**
 * Access events from gateways (AccessEventService.Publish, served by the sync server): validation,
 * the partitioned insert, retention, and the ingest counters.
 */
@Module({
  providers: [AccessEventsRepository, AccessEventPartitions, AccessEventIngest, IngestCounter],
  exports: [AccessEventIngest, IngestCounter],
})
export class AccessEventsModule {}
