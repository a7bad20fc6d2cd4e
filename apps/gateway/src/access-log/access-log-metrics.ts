/**
 * The access log's own Prometheus metrics, in the primary process (where the outbox is):
 * `portico_access_events_dropped_total` and `portico_access_events_queued`, read at scrape time.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricsSource } from '../admin/admin-server.js';
import type { EventOutbox } from './event-outbox.js';

/** `source`'s metrics followed by the access log's. */
export function withAccessLogMetrics(source: MetricsSource, outbox: EventOutbox): MetricsSource {
  const registry = new Registry();
  new Counter({
    name: 'portico_access_events_dropped_total',
    help: 'Access events dropped because the control plane did not take them and the memory queue and spill file were full',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(outbox.dropped);
    },
  });
  new Gauge({
    name: 'portico_access_events_queued',
    help: 'Access events waiting for the control plane, in memory and in the spill file',
    registers: [registry],
    collect() {
      this.set(outbox.queued.events);
    },
  });
  return {
    contentType: source.contentType,
    metrics: async () => `${await source.metrics()}\n${await registry.metrics()}`,
  };
}
