/**
 * The control plane's Prometheus metrics (GET /metrics): the process's default metrics, the sync
 * service's sessions, the replicas of all targets and how far behind they run, and access-event
 * ingest. Labels never name a tenant, a target or an API, so the endpoint tells nobody whose
 * traffic it is; figures about the fleet come from the database at scrape time (any replica of
 * the control plane answers the same), those about sessions and ingest are this process's.
 */
import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { IngestCounter } from '../access-events/ingest-counter.js';
import { ConfigSyncServer } from '../config-sync/config-sync.server.js';
import { ENV, type Env } from '../config/env.js';
import { liveness } from '../gateway-targets/target-status.js';
import { MetricsRepository } from './metrics.repository.js';

@Injectable()
export class ControlPlaneMetrics {
  readonly registry = new Registry();

  constructor(@Inject(ENV) env: Env, sync: ConfigSyncServer, ingest: IngestCounter, repo: MetricsRepository) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'portico_sync_sessions',
      help: 'Gateway sync streams open on this control-plane process',
      registers,
      collect() {
        this.set(sync.openSessions());
      },
    });
    const windowMs = liveness(env.PORTICO_GATEWAY_HEARTBEAT_SECONDS).windowMs;
    let replicas: ReturnType<MetricsRepository['replicas']> | undefined;
    // One query per scrape for the three replica gauges.
    const counts = () => (replicas ??= repo.replicas(windowMs).finally(() => setImmediate(() => (replicas = undefined))));
    new Gauge({
      name: 'portico_gateway_replicas',
      help: 'Gateway replicas of live targets, by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const c = await counts();
        this.set({ state: 'connected' }, c.connected);
        this.set({ state: 'disconnected' }, c.disconnected);
      },
    });
    new Gauge({
      name: 'portico_gateway_replicas_behind',
      help: "Connected gateway replicas running an older configuration revision than their target's",
      registers,
      async collect() {
        this.set((await counts()).behind);
      },
    });
    new Gauge({
      name: 'portico_config_revision_lag',
      help: 'The most configuration revisions a connected replica is behind its target',
      registers,
      async collect() {
        this.set((await counts()).maxLag);
      },
    });
    const read = () => ingest.read();
    const counter = (name: string, help: string, value: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(value());
        },
      });
    counter('portico_access_events_ingested_total', 'Access events stored by this process', () => read().inserted);
    counter('portico_access_events_duplicate_total', 'Access events published again and already stored', () => read().duplicates);
    counter(
      'portico_access_events_refused_total',
      'Access events refused: their API is not deployed to the publishing gateway',
      () => read().refused,
    );
    new Counter({
      name: 'portico_access_event_batches_total',
      help: 'Publish calls of gateways, by outcome',
      labelNames: ['outcome'],
      registers,
      collect() {
        const c = read();
        this.reset();
        this.inc({ outcome: 'stored' }, c.batches);
        this.inc({ outcome: 'malformed' }, c.malformedBatches);
        this.inc({ outcome: 'failed' }, c.failedBatches);
      },
    });
    new Gauge({
      name: 'portico_access_events_ingest_lag_seconds',
      help: 'Age of the oldest event of the last stored batch when it was stored',
      registers,
      collect() {
        const lag = read().lastBatchLagMs;
        if (lag !== null) this.set(lag / 1000);
      },
    });
  }
}
