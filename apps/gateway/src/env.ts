/**
 * The gateway's environment, parsed once at start. Every variable is documented in the README.
 */
import { normalizedBaseUrl } from './data-plane/public-url.js';
import { addressList } from '#portico/policy-engine';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { commaSeparated, logLevel, parseEnvironment } from '#portico/environment';
import { UpstreamAddressPolicy } from './upstream/address-policy.js';
import { DEFAULT_UPSTREAM_CONNECTIONS } from './upstream/pools.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().min(1);
/** A DNS name, optionally `*.` + a DNS name. */
const HOST_NAME = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const variables = z.object({
  /** Directory holding registration.yaml; only read (it may be a read-only mount or a Kubernetes Secret). */
  PORTICO_GATEWAY_DIR: z.string().default('.'),
  /**
   * Where the gateway writes: the sealed last good configuration and the access-log spill file.
   * Unset: PORTICO_GATEWAY_DIR. Not writable: the configuration is kept in memory only (a warning).
   */
  PORTICO_GATEWAY_STATE_DIR: z.string().min(1).optional(),
  /** Address the API listeners bind (their ports come from the instances' proxyUri). */
  PORTICO_GATEWAY_LISTEN_HOST: z.string().default('0.0.0.0'),
  /**
   * Extra names clients may use in Host and Origin (comma-separated; `*.example.com` for any
   * subdomain), besides each API's proxyUri host and public URL (data-plane/host-check.ts).
   */
  PORTICO_GATEWAY_HOSTS: commaSeparated({ lowerCase: true }).pipe(
    z.array(
      z.string().regex(HOST_NAME, 'must be host names or *.domain entries separated by commas, e.g. mcp.example.com,*.internal'),
    ),
  ),
  /**
   * Proxies in front of the gateway (IP addresses and CIDR ranges, comma-separated) whose
   * `X-Forwarded-For` is believed: a request from one of them counts as coming from the right-most
   * address of that header that is not a trusted proxy (what IP lists and expressions see as
   * `attributes.remoteAddress`). Empty: the TCP peer is the client, whatever the header says.
   */
  PORTICO_GATEWAY_TRUSTED_PROXIES: commaSeparated({ check: addressList }),
  /**
   * The gateway's public base URL (e.g. https://mcp.example.com) for instances without a public URL
   * of their own (endpointUri): OAuth protected-resource identifiers and metadata URLs start with it.
   * Unset: the request's scheme and Host.
   */
  PORTICO_GATEWAY_PUBLIC_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const url = normalizedBaseUrl(v.trim());
      if (url === undefined) ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
      return url;
    }),
  /** Health, readiness and metrics endpoints. */
  PORTICO_GATEWAY_ADMIN_HOST: z.string().default('127.0.0.1'),
  PORTICO_GATEWAY_ADMIN_PORT: port.default(8090),
  /** Identifies this process among the replicas of one registration; default: random per start. */
  PORTICO_GATEWAY_REPLICA_ID: z.string().min(1).max(200).optional(),
  /**
   * Processes serving traffic (node:cluster); they share the listener ports, one registration
   * and one sync stream. 1 = everything in this process.
   */
  PORTICO_GATEWAY_WORKERS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  PORTICO_GATEWAY_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  PORTICO_GATEWAY_CONNECT_TIMEOUT_MS: positiveMs.default(10_000),
  /**
   * Upstream addresses the gateway never connects to (comma-separated): `loopback`, `link-local`,
   * `metadata`, `private` (upstream/address-policy.ts), IP addresses and CIDR ranges, checked on
   * the resolved address of every upstream connection. Empty: any address.
   */
  PORTICO_GATEWAY_UPSTREAM_DENY: commaSeparated({ lowerCase: true, check: (entries) => new UpstreamAddressPolicy(entries) }),
  /** Connections per upstream pool (origin and TLS context) in each worker; past it requests wait for a free one. */
  PORTICO_GATEWAY_UPSTREAM_CONNECTIONS: z.coerce.number().int().min(1).max(65_536).default(DEFAULT_UPSTREAM_CONNECTIONS),
  /** Until an upstream's response headers (and a whole JSON body) arrive; an instance's responseTimeout wins. */
  PORTICO_GATEWAY_RESPONSE_TIMEOUT_MS: positiveMs.default(60_000),
  /** A client's request headers must arrive within this (slowloris), else 408 and the connection closes. */
  PORTICO_GATEWAY_HEADERS_TIMEOUT_MS: positiveMs.max(300_000).default(15_000),
  /**
   * The largest upstream answer the gateway reads whole (an MCP POST's JSON answer, checked and
   * inspected) and the largest event it holds while following an event stream; past it: 502.
   */
  PORTICO_GATEWAY_UPSTREAM_ANSWER_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(16 * 1024 * 1024),
  /**
   * On SIGTERM: how long requests in flight may take to finish (new connections are refused at
   * once); then what is left is answered `shutting-down` (503 / JSON-RPC error events).
   */
  PORTICO_GATEWAY_DRAIN_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  /**
   * An event stream whose upstream sends nothing (not even a comment) this long is ended: a GET
   * stream just ends (clients reconnect), a POST's gets an error event per unanswered request. 0: never.
   */
  PORTICO_GATEWAY_STREAM_IDLE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(30 * 60_000),
  /** SSE comment sent to clients while an upstream stream is silent; 0 disables. */
  PORTICO_GATEWAY_SSE_KEEPALIVE_MS: z.coerce.number().int().min(0).default(15_000),
  /** Redis shared by the replicas of a target (cluster-wide policy state); unset: policies that need it fail their API. */
  PORTICO_REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' })
    .optional(),
  /**
   * PORTICO_REDIS_URL names one node of a Redis Cluster; the client learns the others from it
   * (the URL's credentials and TLS apply to every node, and a cluster has only database 0).
   */
  PORTICO_REDIS_CLUSTER: z.stringbool({ error: 'must be true or false' }).default(false),
  /** Access events of every MCP exchange, published to the control plane (logs, analytics); `false` turns them off. */
  PORTICO_GATEWAY_ACCESS_LOG: z.stringbool({ error: 'must be true or false' }).default(true),
  /** Access events kept in memory while the control plane does not take them, then spilled to a file in the state directory. */
  PORTICO_GATEWAY_ACCESS_LOG_MEMORY_BYTES: z.coerce
    .number()
    .int()
    .min(65_536)
    .default(16 * 1024 * 1024),
  /** The spill file's limit; past it events are dropped and counted (0: no spill file). */
  PORTICO_GATEWAY_ACCESS_LOG_SPILL_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(256 * 1024 * 1024),
  PORTICO_LOG_LEVEL: logLevel.default('info'),
});

/** PORTICO_REDIS_CLUSTER needs a node's URL, and one without a database number (a cluster has only 0). */
function redisCluster(env: z.infer<typeof variables>, ctx: z.RefinementCtx): void {
  if (!env.PORTICO_REDIS_CLUSTER) return;
  if (env.PORTICO_REDIS_URL === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['PORTICO_REDIS_CLUSTER'],
      message: 'true needs PORTICO_REDIS_URL, a node of the cluster',
    });
  } else if (!/^\/?0?$/.test(new URL(env.PORTICO_REDIS_URL).pathname)) {
    ctx.addIssue({
      code: 'custom',
      path: ['PORTICO_REDIS_URL'],
      message: 'a Redis Cluster has only database 0: drop the number from the URL',
    });
  }
}

export const gatewayEnvSchema = variables.superRefine(redisCluster);

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** Parses `source` (default `process.env`); throws one readable error naming every bad variable. */
export function loadGatewayEnv(source: NodeJS.ProcessEnv = process.env): GatewayEnv {
  return parseEnvironment(gatewayEnvSchema, source);
}
