/**
 * Listeners and configuration swaps. A request runs entirely on the configuration that was
 * current when it arrived (one reference read); `apply()` binds new ports first, then swaps the
 * reference, then closes listeners no longer used (their in-flight requests finish). A port
 * serves plain HTTP or TLS as its APIs say (listeners.ts): a new certificate is swapped into the
 * listening server; a switch between plain and https, or mutual TLS switched on or off, closes
 * the port's server and binds a new one before the swap. A port that cannot be bound (or served
 * with its TLS setting) fails the APIs on it alone: they are left out of the swapped-in
 * configuration and reported, every other API is served. Upstream pools live as long as some
 * served configuration uses them (UpstreamPools).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Dispatcher, Pool } from 'undici';
import {
  compiledConfig,
  type CompiledConfig,
  type CompiledFederation,
  type CompiledUpstream,
} from '../config/compiled-config.js';
import { Federation, type MemberToolsSink } from '../federation/federation.js';
import { FederationDispatcher } from '../federation/federation-dispatcher.js';
import type { GatewayEnv } from '../env.js';
import { addressList } from '#portico/policy-engine';
import { AccessLog } from '../access-log/access-log.js';
import type { AccessEventSink } from '../access-log/access-record.js';
import { GatewayMetrics, UpstreamMetrics } from '../metrics.js';
import type { ExchangeTracer } from '../tracing/exchange-tracer.js';
import { Pipeline, type Runtime } from '../pipeline/pipeline.js';
import { ToolsObserver, type ToolsObservedSink } from '../pipeline/tools-observer.js';
import { UpstreamAddressPolicy } from '../upstream/address-policy.js';
import { outboundFetch } from '#portico/outbound-address';
import { UpstreamPools } from '../upstream/pools.js';
import { HostCheck } from './host-check.js';
import { bindListener, reuseListener, unbindListener, type Listening } from './listeners.js';

export interface DataPlaneOptions {
  /** '0.0.0.0' in production, '127.0.0.1' in tests. */
  listenHost: string;
  /** Names accepted in Host and Origin besides each API's own (PORTICO_GATEWAY_HOSTS). */
  hosts: readonly string[];
  /** Proxies whose X-Forwarded-For is believed (PORTICO_GATEWAY_TRUSTED_PROXIES). */
  trustedProxies: readonly string[];
  /** PORTICO_GATEWAY_PUBLIC_URL (normalised). */
  publicUrl: string | undefined;
  /** POST bodies past this -> 413 with a JSON-RPC error. */
  bodyLimitBytes: number;
  /** Upstream answers read whole, and events held while inspecting, past this -> 502. */
  answerLimitBytes: number;
  /** How long close() lets requests in flight finish before it ends them (`shutting-down`). */
  drainMs: number;
  /** An event stream whose upstream sends nothing this long is ended (0: never). */
  streamIdleMs: number;
  /** Upstream TCP/TLS connect. */
  connectTimeoutMs: number;
  /** Connections per upstream pool; past it requests wait for one (PORTICO_GATEWAY_UPSTREAM_CONNECTIONS). */
  upstreamConnections: number;
  /** Upstream addresses never connected to (PORTICO_GATEWAY_UPSTREAM_DENY); empty: any. */
  upstreamDeny: readonly string[];
  /** Upstream response headers (and whole JSON bodies); never an open SSE stream. */
  responseTimeoutMs: number;
  /** SSE comment keep-alive toward the client while the upstream is silent (0 = off). */
  sseKeepAliveMs: number;
  /** A client's request headers must arrive within this, else 408 and the connection closes. */
  headersTimeoutMs: number;
  logger: Logger;
  metrics: Registry;
  /** Where the access events of finished exchanges go; undefined: no access log. */
  accessEvents: AccessEventSink | undefined;
  /** Traces exchanges; undefined: no tracing. */
  tracer: ExchangeTracer | undefined;
  /** Where the tool lists MCP servers answer are reported (AI inventory); undefined: not observed. */
  toolsObserved?: ToolsObservedSink;
}

/** The data plane of a gateway process: its settings from the environment (env.ts, README). */
export function dataPlaneOptions(
  env: GatewayEnv,
  logger: Logger,
  metrics: Registry,
  accessEvents: AccessEventSink | undefined,
  tracer: ExchangeTracer | undefined,
  toolsObserved?: ToolsObservedSink,
): DataPlaneOptions {
  return {
    listenHost: env.PORTICO_GATEWAY_LISTEN_HOST,
    hosts: env.PORTICO_GATEWAY_HOSTS,
    trustedProxies: env.PORTICO_GATEWAY_TRUSTED_PROXIES,
    publicUrl: env.PORTICO_GATEWAY_PUBLIC_URL,
    bodyLimitBytes: env.PORTICO_GATEWAY_BODY_LIMIT_BYTES,
    answerLimitBytes: env.PORTICO_GATEWAY_UPSTREAM_ANSWER_LIMIT_BYTES,
    drainMs: env.PORTICO_GATEWAY_DRAIN_MS,
    streamIdleMs: env.PORTICO_GATEWAY_STREAM_IDLE_MS,
    connectTimeoutMs: env.PORTICO_GATEWAY_CONNECT_TIMEOUT_MS,
    upstreamConnections: env.PORTICO_GATEWAY_UPSTREAM_CONNECTIONS,
    upstreamDeny: env.PORTICO_GATEWAY_UPSTREAM_DENY,
    responseTimeoutMs: env.PORTICO_GATEWAY_RESPONSE_TIMEOUT_MS,
    sseKeepAliveMs: env.PORTICO_GATEWAY_SSE_KEEPALIVE_MS,
    headersTimeoutMs: env.PORTICO_GATEWAY_HEADERS_TIMEOUT_MS,
    logger,
    metrics,
    accessEvents,
    tracer,
    toolsObserved,
  };
}

/** A configuration being served, with the pools it holds and its requests in flight. */
class ServedConfig implements Runtime {
  inFlight = 0;
  retired = false;
  /** The federations of this configuration's federated APIs, made on first use. */
  private readonly federations = new Map<string, Dispatcher>();

  constructor(
    readonly config: CompiledConfig,
    readonly pools: ReadonlyMap<string, Pool>,
    private readonly responseTimeoutMs: number,
    private readonly tools?: ToolsObserver,
  ) {}

  dispatcher(upstream: CompiledUpstream): Dispatcher {
    if (upstream.federation) return this.federation(upstream.poolKey, upstream.federation);
    const pool = this.pools.get(upstream.poolKey);
    if (!pool) throw new Error(`no pool for upstream ${upstream.id}`);
    return pool;
  }

  private federation(key: string, federation: CompiledFederation): Dispatcher {
    let dispatcher = this.federations.get(key);
    if (!dispatcher) {
      const members = federation.members.map(({ name, upstream }) => ({ name, upstream, dispatcher: this.dispatcher(upstream) }));
      const timeoutMs = federation.responseTimeoutMs ?? this.responseTimeoutMs;
      dispatcher = new FederationDispatcher(
        new Federation(federation.apiName, federation.routing, members, timeoutMs, this.memberTools(federation)),
      );
      this.federations.set(key, dispatcher);
    }
    return dispatcher;
  }

  /** Where a federation reports its members' tool lists (tools-observer.ts), as its API's. */
  private memberTools(federation: CompiledFederation): MemberToolsSink | undefined {
    const tools = this.tools;
    const api = this.config.apis.find((a) => a.routes.some((r) => r.targets.some((t) => t.upstream.federation === federation)));
    if (!tools || !api) return undefined;
    return (member, items, complete) => tools.observe(api.id, member, items, complete);
  }
}

/** After Pipeline.stop(): how long the ended requests get to write their answers. */
const STOP_GRACE_MS = 1_000;

/** Served before the first apply (and while its ports bind): every request is answered 404. */
const NOTHING: CompiledConfig = Object.freeze({ gatewayId: '', apis: Object.freeze([]), ports: new Map() });

export class DataPlane {
  private current = new ServedConfig(NOTHING, new Map(), 0);
  /** Reports the tool lists MCP servers answer, across configurations (undefined: not observed). */
  private readonly tools: ToolsObserver | undefined;
  private readonly servers = new Map<number, Listening>();
  private readonly pools: UpstreamPools;
  /** What the policies served here call out with (CompileContext.fetch): the upstream address policy applies. */
  readonly outboundFetch: typeof fetch;
  private readonly pipeline: Pipeline;
  private readonly logger: Logger;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Requests in flight on any configuration, and who waits for them to finish. */
  private active = 0;
  private readonly drained: (() => void)[] = [];

  constructor(private readonly options: DataPlaneOptions) {
    this.logger = options.logger.child({ component: 'data-plane' });
    const addressPolicy = options.upstreamDeny.length > 0 ? new UpstreamAddressPolicy(options.upstreamDeny) : undefined;
    const upstreamMetrics = new UpstreamMetrics(options.metrics);
    this.pools = new UpstreamPools({
      connectTimeoutMs: options.connectTimeoutMs,
      connections: options.upstreamConnections,
      addressPolicy,
      logger: this.logger,
      metrics: upstreamMetrics,
    });
    this.outboundFetch = outboundFetch(addressPolicy, options.connectTimeoutMs, (origin, denied) =>
      upstreamMetrics.countDenied(origin, denied.rule),
    );
    this.tools = options.toolsObserved && new ToolsObserver(options.toolsObserved);
    this.pipeline = new Pipeline({
      bodyLimitBytes: options.bodyLimitBytes,
      answerLimitBytes: options.answerLimitBytes,
      streamIdleMs: options.streamIdleMs,
      responseTimeoutMs: options.responseTimeoutMs,
      sseKeepAliveMs: options.sseKeepAliveMs,
      hostCheck: new HostCheck(options.hosts),
      trustedProxies: options.trustedProxies.length > 0 ? addressList(options.trustedProxies) : undefined,
      publicUrl: options.publicUrl,
      logger: this.logger,
      metrics: new GatewayMetrics(options.metrics),
      accessLog: options.accessEvents && new AccessLog(options.accessEvents),
      tracer: options.tracer,
      tools: this.tools,
    });
  }

  /** Ports currently listening. */
  get ports(): readonly number[] {
    return [...this.servers.keys()].sort((a, b) => a - b);
  }

  /**
   * Binds every new listener port (and re-binds those whose scheme changes), swaps in `config`
   * without the APIs of ports that could not be bound (one reference swap; in-flight requests
   * finish on the config they started with), then closes listeners no longer used. Resolves to
   * the ports that failed, with the reason naming the address. Calls are serialised.
   */
  apply(config: CompiledConfig): Promise<ReadonlyMap<number, string>> {
    const run = this.queue.then(() => this.swap(config));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Graceful shutdown: stops listening (idle connections close, answers on busy ones say
   * `connection: close`), ends the event streams no client awaits an answer on, lets requests in
   * flight finish for `drainMs`, then ends what is left with `shutting-down` errors (Pipeline.stop),
   * closes every connection and the upstream pools.
   */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    const servers = [...this.servers.values()].map((listening) => listening.server);
    this.servers.clear();
    const stopped = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const server of servers) server.closeIdleConnections();
    this.pipeline.endStreams();
    if (!(await this.drain(this.options.drainMs))) {
      this.logger.warn({ requests: this.active }, 'drain period over; ending the requests still in flight');
      this.pipeline.stop();
      // Their answers are written at once; a client still sending its body is cut below.
      await this.drain(STOP_GRACE_MS);
    }
    for (const server of servers) server.closeAllConnections();
    await Promise.all(stopped);
    await this.pools.closeAll();
  }

  /** Resolves true once no request is in flight, false if some still are after `ms`. */
  private drain(ms: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.drained.splice(this.drained.indexOf(done), 1);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.drained.push(done);
    });
  }

  private async swap(requested: CompiledConfig): Promise<ReadonlyMap<number, string>> {
    if (this.closed) throw new Error('the data plane is closed');
    const opened: [number, Listening][] = [];
    const failed = new Map<number, string>();
    for (const [port, apis] of requested.ports) {
      // Every API of a port carries the same TLS setting (translate.ts).
      const tls = apis[0]?.tls;
      const listening = this.servers.get(port);
      try {
        const kept = listening && reuseListener(port, listening, tls);
        if (kept) {
          this.servers.set(port, kept);
          continue;
        }
        if (listening) this.unbind(port, listening);
        const handler = (server: Server, req: IncomingMessage, res: ServerResponse) => this.onRequest(server, port, req, res);
        opened.push([
          port,
          await bindListener(this.options.listenHost, port, tls, handler, this.logger, this.options.headersTimeoutMs),
        ]);
      } catch (err) {
        failed.set(port, (err as Error).message);
      }
    }
    const config =
      failed.size === 0
        ? requested
        : compiledConfig(
            requested.gatewayId,
            requested.apis.filter((api) => !failed.has(api.port)),
          );
    const pools = this.pools.acquire(config.apis.flatMap((api) => [...api.upstreams.values()]));
    for (const [port, listening] of opened) this.servers.set(port, listening);
    const previous = this.current;
    this.current = new ServedConfig(config, pools, this.options.responseTimeoutMs, this.tools);
    this.retire(previous);
    for (const [port, listening] of [...this.servers]) {
      if (!config.ports.has(port)) this.unbind(port, listening);
    }
    this.logger.info(
      { apis: config.apis.length, ports: this.ports, opened: opened.map(([port]) => port), failed: [...failed.values()] },
      'data plane configuration swapped',
    );
    return failed;
  }

  private retire(served: ServedConfig): void {
    served.retired = true;
    if (served.inFlight === 0) this.pools.release(served.pools.keys());
  }

  private unbind(port: number, listening: Listening): void {
    this.servers.delete(port);
    unbindListener(listening);
  }

  private onRequest(server: Server, port: number, req: IncomingMessage, res: ServerResponse): void {
    const served = this.current;
    // A listener being closed answers what it still gets, then drops the connection.
    if (this.servers.get(port)?.server !== server) res.shouldKeepAlive = false;
    served.inFlight++;
    this.active++;
    res.on('close', () => {
      served.inFlight--;
      if (served.retired && served.inFlight === 0) this.pools.release(served.pools.keys());
      if (--this.active === 0) for (const resolve of this.drained.splice(0)) resolve();
    });
    this.pipeline.handle(served, port, req, res);
  }
}
