/**
 * The gateway's internal configuration: what translate() makes of a GatewayConfig push. Frozen;
 * every regular expression and policy is compiled, so serving a request compiles nothing.
 */
import type { ChainPolicy, FederationRouting, ProtectedResource } from '#portico/policy-engine';
import type { FullMatch } from '#portico/policy-catalog';
import type { CompiledAgentAccess } from '../pipeline/agent-access.js';

export interface CompiledConfig {
  readonly gatewayId: string;
  readonly apis: readonly CompiledApi[];
  /** Listener port -> the APIs served on it, longest base path first. */
  readonly ports: ReadonlyMap<number, readonly CompiledApi[]>;
}

/** A CompiledConfig of `apis`, indexed by listener port (longest base path first). */
export function compiledConfig(gatewayId: string, apis: readonly CompiledApi[]): CompiledConfig {
  const ports = new Map<number, CompiledApi[]>();
  for (const api of apis) {
    const list = ports.get(api.port) ?? [];
    list.push(api);
    ports.set(api.port, list);
  }
  for (const list of ports.values()) {
    list.sort((a, b) => b.basePath.length - a.basePath.length);
    Object.freeze(list);
  }
  return Object.freeze({ gatewayId, apis: Object.freeze([...apis]), ports });
}

export type ApiKind = 'http' | 'mcp';

export interface CompiledApi {
  readonly id: string;
  readonly name: string;
  readonly kind: ApiKind;
  readonly port: number;
  /** Starts with '/', no trailing '/' except for the root. */
  readonly basePath: string;
  /** Names clients reach the API by (Listener.hosts, lower case), for Host/Origin checks (data-plane/host-check.ts). */
  readonly hosts: ReadonlySet<string>;
  /**
   * What the listener port serves: TLS with this, or plain HTTP (undefined). Every API routed on
   * one port carries the same (translate.ts), so the data plane takes it from any of them.
   */
  readonly tls: ListenerTls | undefined;
  /**
   * Why the API is not served (its configuration failed; translate.ts): every request to it is
   * answered 503 with this reason. undefined for a served API.
   */
  readonly unavailable: string | undefined;
  /**
   * The MCP backend is switched off (Api.disabled): every request is answered 503
   * BACKEND_DISABLED with this message. Its policies are not compiled; enabling it pushes them
   * again. undefined for an enabled API.
   */
  readonly disabled: string | undefined;
  readonly routes: readonly CompiledRoute[];
  readonly upstreams: ReadonlyMap<string, CompiledUpstream>;
  /** In the order the control plane sent (then the agent-access policy when a mapped agent's tools are limited). */
  readonly policies: readonly CompiledPolicy[];
  /** Which agents the MCP backend recognises and admits (Api.agent_access; pipeline/agent-access.ts); undefined: none. */
  readonly agents: CompiledAgentAccess | undefined;
  /** An MCP API with the mcp-support policy: served as MCP (an MCP API without it answers 503). */
  readonly mcpSupport: boolean;
  /** undefined: the data plane's default. */
  readonly responseTimeoutMs: number | undefined;
  /** The instance's public URL (Api.public_url) without trailing slash; undefined when it has none. */
  readonly publicUrl: string | undefined;
  /** The API has a `cors` policy, which decides which Origins may call it (data-plane/host-check.ts). */
  readonly corsOrigins: boolean;
  /** From the first policy that makes the API an OAuth protected resource (Policy.protectedResource). */
  readonly protectedResource: ProtectedResource | undefined;
  /** Some policy has a response hook, so responses may need inspecting. */
  readonly hasResponsePolicies: boolean;
  /** Some policy sends requests of the gateway's own upstream (Policy.usesUpstream). */
  readonly ownRequests: boolean;
  /** Some policy has an onHttpRequest / onHttpResponse hook (else those phases are skipped). */
  readonly httpRequestHooks: boolean;
  readonly httpResponseHooks: boolean;
  /**
   * Upstream id -> the policies that apply to its requests, when that does not depend on the
   * request (no policy has pointcuts); undefined otherwise. Saves the per-request filtering.
   */
  readonly policiesByUpstream: ReadonlyMap<string, readonly CompiledPolicy[]> | undefined;
}

/** TLS a listener port serves with (from Listener.tls), as node:https takes it. */
export interface ListenerTls {
  /** PEM certificate chain, leaf first. */
  readonly cert: string;
  /** PEM private key of the leaf certificate. */
  readonly key: string;
  /** PEM CA bundle: clients must present a certificate signed by one of these (mutual TLS). undefined: none is asked for. */
  readonly ca: string | undefined;
  /** SHA-256 (hex) of cert, key and ca: equal fingerprints are the same TLS setting (one port, or two pushes). */
  readonly fingerprint: string;
}

export interface CompiledRoute {
  readonly label: string;
  /** undefined: any method. */
  readonly methods: ReadonlySet<string> | undefined;
  /** Full match over the path after the base path ('/' for the base path itself). */
  readonly path: FullMatch | undefined;
  /** Host header without port, lower case. */
  readonly host: string | undefined;
  /** Header name -> full-match pattern of its value. */
  readonly headers: readonly (readonly [string, FullMatch])[];
  /** A rule had an invalid regular expression: the route matches nothing (its safe behaviour). */
  readonly disabled: boolean;
  readonly targets: readonly RouteTarget[];
  readonly totalWeight: number;
}

export interface RouteTarget {
  readonly upstream: CompiledUpstream;
  readonly weight: number;
}

export interface CompiledUpstream {
  readonly id: string;
  readonly label: string;
  readonly url: string;
  /** `scheme://host:port` */
  readonly origin: string;
  /** The URL's path: what a request for the base path itself goes to. */
  readonly path: string;
  /** The URL's path without its trailing '/'; a request's rest path is appended to it. */
  readonly pathPrefix: string;
  readonly tls: UpstreamTls | undefined;
  /** Identifies the connection pool: same origin and TLS context share one. */
  readonly poolKey: string;
  /** Set on the one upstream of a federated API (mcp-transcoding-router): its members are served through the gateway's federation, not a pool. */
  readonly federation?: CompiledFederation;
}

/** A federated MCP endpoint: the API's upstreams as members, and how names are routed to them. */
export interface CompiledFederation {
  readonly apiName: string;
  readonly routing: FederationRouting;
  /** In the API's upstream order; named by label (the id when the label is empty). */
  readonly members: readonly { readonly name: string; readonly upstream: CompiledUpstream }[];
  /** How long a member may take to answer (the API's response timeout, else the data plane's). */
  readonly responseTimeoutMs: number | undefined;
}

/** Node TLS options toward an upstream (from OutboundTls). */
export interface UpstreamTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** SNI and the name the certificate is checked against. */
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
}

/** An applied policy as the gateway serves it: the chain's policy and where it applies. */
export interface CompiledPolicy extends ChainPolicy {
  /** Empty: every request. */
  readonly pointcuts: readonly CompiledPointcut[];
  /** undefined: every upstream. */
  readonly upstreamIds: ReadonlySet<string> | undefined;
}

export interface CompiledPointcut {
  /** Full match over the HTTP method; undefined matches any. */
  readonly method: FullMatch | undefined;
  /** Full match over the path after the base path; undefined matches any. */
  readonly path: FullMatch | undefined;
}
