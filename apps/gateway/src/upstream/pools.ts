/**
 * Upstream connection pools: one undici Pool per upstream origin + TLS context (the poolKey of
 * translate()), shared by every API and route that uses it, and kept across configuration
 * pushes while some live configuration references it. Each configuration that is being served
 * (the current one, or an older one with requests still in flight) holds one reference per
 * pool; a pool is closed gracefully (in-flight requests finish) when its last reference goes.
 *
 * Bounds: a pool opens at most `connections` connections; a request that finds them all busy
 * waits in the pool's queue for a free one (portico_upstream_requests_queued). One connection
 * carries one request at a time, and an event stream holds its connection while it is open.
 * Connections go only to addresses the address policy allows (address-policy.ts).
 */
import { Client, Pool, type buildConnector } from 'undici';
import type { Logger } from 'pino';
import type { CompiledUpstream } from '../config/compiled-config.js';
import type { PoolLoad, UpstreamMetrics } from '../metrics.js';
import type { UpstreamAddressPolicy } from './address-policy.js';

/**
 * Default of PORTICO_GATEWAY_UPSTREAM_CONNECTIONS, as Envoy's default circuit breaker (1024
 * connections per cluster). Not lower: an open event stream (an MCP session's GET stream, a long
 * tool call) holds a connection for its whole life, so a low cap makes a busy upstream's new
 * requests wait behind streams that may never end.
 */
export const DEFAULT_UPSTREAM_CONNECTIONS = 1024;

export interface UpstreamPoolsOptions {
  connectTimeoutMs: number;
  /** Connections per pool (PORTICO_GATEWAY_UPSTREAM_CONNECTIONS); default {@link DEFAULT_UPSTREAM_CONNECTIONS}. */
  connections?: number;
  /** Addresses never connected to (PORTICO_GATEWAY_UPSTREAM_DENY); absent: any. */
  addressPolicy?: UpstreamAddressPolicy;
  logger: Logger;
  /** Where the pools' load and refused connections are counted; absent: not counted. */
  metrics?: UpstreamMetrics;
}

interface Entry {
  readonly pool: Pool;
  readonly origin: string;
  references: number;
}

export class UpstreamPools {
  private readonly entries = new Map<string, Entry>();
  private readonly unobserve: (() => void) | undefined;

  constructor(private readonly options: UpstreamPoolsOptions) {
    this.unobserve = options.metrics?.observe(() => this.loads());
  }

  /** Takes one reference to the pool of each distinct poolKey among `upstreams` (creating pools as needed). */
  acquire(upstreams: Iterable<CompiledUpstream>): ReadonlyMap<string, Pool> {
    const acquired = new Map<string, Pool>();
    for (const upstream of upstreams) {
      if (acquired.has(upstream.poolKey)) continue;
      let entry = this.entries.get(upstream.poolKey);
      if (!entry) {
        entry = { pool: this.create(upstream), origin: upstream.origin, references: 0 };
        this.entries.set(upstream.poolKey, entry);
      }
      entry.references++;
      acquired.set(upstream.poolKey, entry.pool);
    }
    return acquired;
  }

  /** Gives back the references {@link acquire} took; pools nobody references any more are closed. */
  release(keys: Iterable<string>): void {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      entry.references--;
      if (entry.references > 0) continue;
      this.entries.delete(key);
      entry.pool.close().catch((err: Error) => this.options.logger.warn({ err: err.message }, 'closing an upstream pool failed'));
    }
  }

  /** Closes every pool, waiting for in-flight requests. */
  async closeAll(): Promise<void> {
    this.unobserve?.();
    const pools = [...this.entries.values()].map((e) => e.pool);
    this.entries.clear();
    await Promise.allSettled(pools.map((pool) => pool.close()));
  }

  /** Number of open pools (for tests and status). */
  get size(): number {
    return this.entries.size;
  }

  /** Each pool's origin, open connections and requests waiting for one (read at a scrape). */
  private *loads(): Iterable<PoolLoad> {
    for (const { pool, origin } of this.entries.values()) {
      const { connected, queued } = pool.stats;
      yield { origin, connected, queued };
    }
  }

  private create(upstream: CompiledUpstream): Pool {
    const tls = upstream.tls;
    const connect: buildConnector.BuildOptions = {
      timeout: this.options.connectTimeoutMs,
      ...(tls
        ? {
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            servername: tls.servername,
            rejectUnauthorized: tls.rejectUnauthorized,
          }
        : {}),
    };
    const { addressPolicy, metrics } = this.options;
    return new Pool(upstream.origin, {
      connect: addressPolicy
        ? addressPolicy.connector(connect, (origin, denied) => metrics?.countDenied(origin, denied.rule))
        : connect,
      connections: this.options.connections ?? DEFAULT_UPSTREAM_CONNECTIONS,
      factory: upstreamClient,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // Timeouts are per request (the pipeline sets headersTimeout; SSE bodies never time out).
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }
}

/**
 * A pool's client to one upstream connection at a time, which closes a connection it made for
 * nothing.
 *
 * Why: undici (7.30 as 8.x: nodejs/undici#5845, fix proposed in #5846) puts a request that was
 * aborted mid-response (a client that cancelled its event stream) back on its client's queue as
 * pending when the aborted socket closes, opens a NEW connection for it, and only then drops it.
 * That connection serves nothing and stays open for the keep-alive timeout: one idle upstream
 * connection per cancelled stream, in the gateway and in the upstream. The connector below sees
 * the connection right after undici handed it every queued request; nothing queued means it was
 * made for an aborted request, and closing it is what an upstream closing an idle connection
 * does (undici reconnects when a request comes). Once undici no longer reconnects, this never
 * fires.
 */
function upstreamClient(origin: URL, options: object): Client {
  const { connect } = options as { connect: buildConnector.connector };
  const client: Client = new Client(origin, {
    ...options,
    connect: (target, callback) =>
      connect(target, (...result) => {
        callback(...result);
        const socket = result[1];
        if (socket && client.stats.size === 0) socket.destroy();
      }),
  });
  return client;
}
