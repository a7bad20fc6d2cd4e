/**
 * Where a gateway process serves its configuration: its own data plane (one process,
 * PORTICO_GATEWAY_WORKERS=1), or the data planes of its worker processes (worker-pool.ts). The
 * gateway (gateway.ts) holds the registration, the sync stream and the last good configuration
 * either way, and talks to this interface only.
 */
import { PolicyStates, type PolicyReportSink } from '#portico/policy-engine';
import type { GatewayConfig } from '#portico/proto-ts';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { MetricsSource } from '../admin/admin-server.js';
import { serveConfig, type Served } from '../config/serve-config.js';
import { EventBatcher, type EventBatchSink } from '../access-log/event-batcher.js';
import { DataPlane, dataPlaneOptions } from '../data-plane/data-plane.js';
import { ExchangeTracer } from '../tracing/exchange-tracer.js';
import type { GatewayEnv } from '../env.js';
import { connectRedis } from '../redis.js';
import { WorkerPool } from './worker-pool.js';

export interface Serving {
  /** Serves `config` everywhere; resolves once every data plane serves it. Throws when the push cannot be used at all. */
  serve(config: GatewayConfig): Promise<Served>;
  /** Listener ports in use. */
  ports(): readonly number[];
  /** What /metrics shows: the metrics of every process that serves traffic. */
  readonly metrics: MetricsSource;
  /** Extra /status fields (the workers). */
  status(): Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * One data plane in this process, or PORTICO_GATEWAY_WORKERS worker processes behind one sync
 * stream; access events of every process go to `events` (undefined: no access log).
 */
export async function startServing(
  env: GatewayEnv,
  logger: Logger,
  report: PolicyReportSink,
  events: EventBatchSink | undefined,
): Promise<Serving> {
  if (env.PORTICO_GATEWAY_WORKERS > 1)
    return WorkerPool.start(env.PORTICO_GATEWAY_WORKERS, logger, report, events, env.PORTICO_GATEWAY_DRAIN_MS);
  return localServing(env, logger, report, events);
}

/**
 * This process's data plane, with the policy state and Redis connection it compiles with, and its
 * metrics registry (the process's default metrics and the data plane's counters). Its policies'
 * reports go to `report`, its access events to `events` in batches.
 */
export function localServing(
  env: GatewayEnv,
  logger: Logger,
  report: PolicyReportSink,
  events: EventBatchSink | undefined,
): Serving & { readonly metrics: Registry } {
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const batcher = events && env.PORTICO_GATEWAY_ACCESS_LOG ? new EventBatcher(events) : undefined;
  const tracer = ExchangeTracer.fromEnv(process.env);
  const dataPlane = new DataPlane(dataPlaneOptions(env, logger, metrics, batcher?.add, tracer));
  const states = new PolicyStates();
  const redis = env.PORTICO_REDIS_URL === undefined ? undefined : connectRedis(env.PORTICO_REDIS_URL, logger);
  return {
    serve: (config) => serveConfig(dataPlane, config, { states, logger, redis, report }),
    ports: () => dataPlane.ports,
    metrics,
    status: () => ({}),
    close: async () => {
      await dataPlane.close();
      batcher?.flush();
      await tracer?.shutdown();
      redis?.disconnect();
    },
  };
}
