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
import { BackendTokensClient } from '../config/backend-tokens-client.js';
import type { ControlPlaneIdentity } from '../config/control-plane-channel.js';
import { serveConfig, type Served } from '../config/serve-config.js';
import { EventBatcher, type EventBatchSink } from '../access-log/event-batcher.js';
import { DataPlane, dataPlaneOptions } from '../data-plane/data-plane.js';
import type { ToolsObservedSink } from '../pipeline/tools-observer.js';
import { ExchangeTracer } from '../tracing/exchange-tracer.js';
import type { GatewayEnv } from '../env.js';
import { gatewayRedis } from '../redis.js';
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

/** Where a serving process sends what it observes, and whom it asks. */
export interface ServingLinks {
  /** Policies' reports. */
  readonly report: PolicyReportSink;
  /** Access events (undefined: no access log). */
  readonly events: EventBatchSink | undefined;
  /** The tool lists MCP servers answer. */
  readonly tools?: ToolsObservedSink;
  /**
   * The control plane this gateway is registered with: upstream-oauth asks it for users' tokens.
   * Absent where there is none (benches, in-process tests); upstream-oauth then fails its API.
   */
  readonly controlPlane?: ControlPlaneIdentity;
}

/**
 * One data plane in this process, or PORTICO_GATEWAY_WORKERS worker processes behind one sync
 * stream (each worker links to the control plane itself, see worker.ts).
 */
export async function startServing(env: GatewayEnv, logger: Logger, links: ServingLinks): Promise<Serving> {
  if (env.PORTICO_GATEWAY_WORKERS > 1)
    return WorkerPool.start(
      env.PORTICO_GATEWAY_WORKERS,
      logger,
      links.report,
      links.events,
      env.PORTICO_GATEWAY_DRAIN_MS,
      links.tools,
    );
  return localServing(env, logger, links);
}

/**
 * This process's data plane, with the policy state, Redis connection and token service it
 * compiles with, and its metrics registry (the process's default metrics and the data plane's
 * counters). Access events go to `links.events` in batches.
 */
export function localServing(env: GatewayEnv, logger: Logger, links: ServingLinks): Serving & { readonly metrics: Registry } {
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const { report, events, tools } = links;
  const batcher = events && env.PORTICO_GATEWAY_ACCESS_LOG ? new EventBatcher(events) : undefined;
  const tracer = ExchangeTracer.fromEnv(process.env);
  const dataPlane = new DataPlane(dataPlaneOptions(env, logger, metrics, batcher?.add, tracer, tools));
  const states = new PolicyStates();
  const redis = gatewayRedis(env, logger);
  const backendTokens = links.controlPlane && new BackendTokensClient(links.controlPlane);
  return {
    serve: (config) => serveConfig(dataPlane, config, { states, logger, redis, report, backendTokens }),
    ports: () => dataPlane.ports,
    metrics,
    status: () => ({}),
    close: async () => {
      await dataPlane.close();
      batcher?.flush();
      await tracer?.shutdown();
      redis?.disconnect();
      backendTokens?.close();
    },
  };
}
