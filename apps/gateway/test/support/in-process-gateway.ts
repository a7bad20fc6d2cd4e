/**
 * The gateway's data plane in the test process, configured exactly as in production: a
 * GatewayConfig proto message goes through translate() and DataPlane.apply(). Logs are kept in
 * memory so tests can assert on them.
 */
import { PolicyStates, POLICY_REGISTRY, type PolicyRegistry, type PolicyFactory } from '#portico/policy-engine';
import { freePort } from '#portico/testing';
import type { GatewayConfig } from '#portico/proto-ts';
import pino from 'pino';
import { Registry } from 'prom-client';
import { type Served, serveConfig } from '../../src/config/serve-config.js';
import { DataPlane, type DataPlaneOptions } from '../../src/data-plane/data-plane.js';
import { DEFAULT_UPSTREAM_CONNECTIONS } from '../../src/upstream/pools.js';
import type { RedisConnection } from '../../src/redis.js';

export {
  apiConfig,
  expectRateLimitOutage,
  gatewayConfig,
  rateLimit,
  toolCall,
  type ApiSpec,
  type PolicySpec,
  type UpstreamSpec,
} from './gateway-config.js';

export interface TestGateway {
  readonly dataPlane: DataPlane;
  readonly metrics: Registry;
  /** Log records written so far (pino objects). */
  readonly logs: Record<string, unknown>[];
  /** Translates and serves a new configuration (with the harness's policy registry), as production does. */
  apply(config: GatewayConfig): Promise<Served>;
  close(): Promise<void>;
}

export interface TestGatewayOptions extends Partial<Omit<DataPlaneOptions, 'logger' | 'metrics'>> {
  /** Extra policy factories (test policies), next to the production registry. */
  policies?: PolicyFactory[];
  /** The Redis connection policies get (CompileContext.redis); the caller closes it. */
  redis?: RedisConnection;
}

/** Starts a DataPlane on 127.0.0.1 and applies `config`. */
export async function startTestGateway(config: GatewayConfig, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const metrics = new Registry();
  const registry: PolicyRegistry = new Map([...POLICY_REGISTRY, ...(options.policies ?? []).map((f) => [f.type, f] as const)]);
  const dataPlane = new DataPlane({
    listenHost: options.listenHost ?? '127.0.0.1',
    hosts: options.hosts ?? [],
    trustedProxies: options.trustedProxies ?? [],
    publicUrl: options.publicUrl,
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    answerLimitBytes: options.answerLimitBytes ?? 16 * 1024 * 1024,
    // Shorter than production's 5 s: most tests close with nothing in flight.
    drainMs: options.drainMs ?? 1_000,
    streamIdleMs: options.streamIdleMs ?? 30 * 60_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    upstreamConnections: options.upstreamConnections ?? DEFAULT_UPSTREAM_CONNECTIONS,
    upstreamDeny: options.upstreamDeny ?? [],
    responseTimeoutMs: options.responseTimeoutMs ?? 30_000,
    sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 15_000,
    logger,
    metrics,
    accessEvents: options.accessEvents,
    tracer: options.tracer,
    // As in production, tool lists are observed (tools-observer.ts); reported nowhere unless asked.
    toolsObserved: options.toolsObserved ?? (() => undefined),
  });
  const states = new PolicyStates();
  const apply = (next: GatewayConfig) => serveConfig(dataPlane, next, { registry, states, logger, redis: options.redis });
  try {
    await apply(config);
  } catch (err) {
    await dataPlane.close();
    throw err;
  }
  return { dataPlane, metrics, logs, apply, close: () => dataPlane.close() };
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** One series of counter `name` on the gateway's metrics, by its labels (`api="a",limit="b"`); 0 before it exists. */
export async function metricValue(gateway: TestGateway, name: string, labels: string): Promise<number> {
  const line = `${name}{${labels}} `;
  const text = await gateway.metrics.getSingleMetricAsString(name);
  return Number(
    text
      .split('\n')
      .find((l) => l.startsWith(line))
      ?.slice(line.length) ?? 0,
  );
}

/** How many exchanges of API `apiId` the gateway's `limit` ended (portico_gateway_limit_hits_total). */
export function limitHits(gateway: TestGateway, apiId: string, limit: string): Promise<number> {
  return metricValue(gateway, 'portico_gateway_limit_hits_total', `api="${apiId}",limit="${limit}"`);
}
