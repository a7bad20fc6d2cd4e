/**
 * The contract between the pipeline and a policy (house-style "How a policy plugs into the
 * gateway"). A factory compiles a policy's configuration once per configuration push; the
 * compiled policy's hooks then run per request or per message. Policies never write to the
 * client: they return verdicts and the pipeline answers. This folder imports neither the
 * pipeline nor the policies; both import it.
 *
 * Two layers of phases, like Envoy's HTTP filters around its MCP filter:
 * - HTTP phases run for EVERY request of an API (MCP POST, GET event streams, DELETE, plain HTTP
 *   APIs), before the body is read (`onHttpRequest`: deny, or edit the headers sent upstream)
 *   and on the response head (`onHttpResponse`: edit the headers sent to the client);
 * - MCP message phases run per JSON-RPC message of an MCP POST (`onRequest`, `onResponse`).
 * Request hooks run in the applied order, response hooks in the reverse order (the policy
 * nearest the upstream sees its answer first).
 * A hook answers synchronously when it can (no promise per request); one that calls out returns
 * a promise and declares its `failureMode`.
 */
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CallContext, HeaderEdit, HttpContext, ResponseHead } from './context.js';
import type { HttpRequestVerdict, Verdict } from './verdict.js';

/** Which hook of a policy runs for a method. */
export type Phase = 'request' | 'response' | 'both';

/**
 * Method scoping, done by the pipeline: keys are exact methods (`tools/call`), a namespace
 * (`tools/` + `*`), a verb (`*` + `/list`) or `*`. The most specific key wins: exact,
 * then the longest namespace, then the verb, then `*`. Methods without a key are skipped.
 */
export type MethodScope = Readonly<Record<string, Phase>>;

/** Which upstream serves which names of a federated API; absent lists mean everything the upstream lists. */
export interface FederationRoute {
  readonly upstreamName: string;
  readonly tools: ReadonlySet<string> | undefined;
  readonly resources: ReadonlySet<string> | undefined;
  readonly prompts: ReadonlySet<string> | undefined;
}

/** How a federated API is served (Policy.federation). */
export interface FederationRouting {
  /** The federated endpoint's path after the base path, e.g. `/mcp`. */
  readonly transcodingPath: string;
  readonly routes: readonly FederationRoute[];
  /** Items per page of the merged lists. */
  readonly pageSize: number;
}

/** A compiled policy: what runs per request and per message. */
export interface Policy {
  readonly name: string;
  /** For the MCP message hooks. Absent: every method, both hooks. */
  readonly methods?: MethodScope;
  /**
   * For policies that call out (introspection, Redis): what a hook that throws means.
   * `fail-closed` (the default) answers 500; `fail-open` logs, counts and passes.
   */
  readonly failureMode?: 'fail-open' | 'fail-closed';
  /** Its MCP hooks send requests of the gateway's own (ExchangeContext.upstream); without it that is undefined. */
  readonly usesUpstream?: boolean;
  /**
   * The policy makes the API an OAuth 2.0 protected resource: the gateway serves its metadata
   * (RFC 9728) at `/.well-known/oauth-protected-resource<path>` with `resource` =
   * ExchangeContext.resourceUrl of that path.
   */
  readonly protectedResource?: ProtectedResource;
  /** The API is one MCP server over all its upstreams (mcp-transcoding-router): the gateway federates them. */
  readonly federation?: FederationRouting;
  /**
   * Every request, before its body is read: `reject` answers it with an error, `respond` with an
   * answer of its own (a CORS preflight), `mutate` edits the headers sent upstream.
   */
  onHttpRequest?(ctx: HttpContext): HttpRequestVerdict<HeaderEdit> | Promise<HttpRequestVerdict<HeaderEdit>>;
  /** Every response head about to be sent to the client: `mutate` edits its headers (`reject` is not possible here). */
  onHttpResponse?(ctx: HttpContext, head: ResponseHead): Verdict<HeaderEdit>;
  onRequest?(
    ctx: CallContext,
    req: JsonRpcRequest | JsonRpcNotification,
  ): Verdict<JsonRpcRequest | JsonRpcNotification> | Promise<Verdict<JsonRpcRequest | JsonRpcNotification>>;
  onResponse?(ctx: CallContext, res: JsonRpcResponse): Verdict<JsonRpcResponse> | Promise<Verdict<JsonRpcResponse>>;
}

/** What a protected resource's metadata names (RFC 9728 §2). */
export interface ProtectedResource {
  readonly authorizationServers: readonly string[];
  readonly scopesSupported: readonly string[];
}

/** What {@link PolicyFactory.compile} returns. */
export interface CompiledPolicyResult {
  policy: Policy;
  /** A bad user value the policy replaced with its safe behaviour, for the operator. */
  warnings: string[];
}

/** Milliseconds since the epoch; a policy's notion of now (tests may move it). */
export interface Clock {
  now(): number;
}

/**
 * What a factory gets besides its configuration, once per push. Everything in it is shared by
 * the compiles of one push; `state` is what outlives pushes.
 */
export interface CompileContext {
  /** The applied policy's id (the control plane's), stable across pushes. */
  readonly policyId: string;
  readonly apiId: string;
  /** What the API serves: an `mcp` API's MCP POSTs also run the MCP message phases. */
  readonly apiKind: 'http' | 'mcp';
  readonly clock: Clock;
  /** Already bound to the API and the policy. */
  readonly logger: Logger;
  /**
   * State kept across configuration pushes for this applied policy (rate-limit counters, JWKS or
   * introspection caches): the value stored under `key` by an earlier push of the same policy
   * id, else `create()`'s. It is dropped once a push no longer carries the policy. Secrets come
   * in the configuration itself (the control plane opens them for the gateway).
   */
  state<T>(key: string, create: () => T): T;
  /**
   * The gateway's Redis connection when PORTICO_REDIS_URL is set, shared with every policy and
   * every replica of the target: name keys `portico:<policyId>:…`. It is a Redis Cluster's client
   * with PORTICO_REDIS_CLUSTER, so the keys one command touches must share a hash tag
   * (`portico:{<policyId>:…}:…`). A policy that needs it throws from compile() when it is
   * undefined, so its API fails alone and says why.
   */
  readonly redis: Redis | Cluster | undefined;
  /**
   * What the control plane maintains for this policy besides its configuration (proto
   * `Policy.managed_json`), e.g. mcp-tool-pinning's approved definitions; `{}` when none.
   */
  readonly managed: Readonly<Record<string, unknown>>;
  /**
   * Hands an observation to the control plane, which records it. Best effort and never blocking:
   * reports are buffered (bounded, oldest dropped) while the sync stream is down, so a policy
   * reports what it has not reported yet rather than relying on one report arriving.
   */
  report(report: PolicyReport): void;
  /**
   * What a policy calls out with (token introspection, JWKS): the gateway's, which connects only
   * where its upstream address policy allows (PORTICO_GATEWAY_UPSTREAM_DENY).
   */
  readonly fetch: typeof fetch;
  /**
   * The control plane's store of users' tokens for MCP backends (gateway-managed OAuth,
   * upstream-oauth); undefined where the gateway has no control plane to ask.
   */
  readonly backendTokens?: BackendTokens;
}

/**
 * Users' tokens for MCP backends, held by the control plane (proto BackendTokenService). Calls
 * reject when the control plane cannot be asked or refuses.
 */
export interface BackendTokens {
  /**
   * The token of `subject` for API `apiId`'s backend, or where the user authorizes Portico first.
   * `refusedSha256`: the SHA-256 (hex) of a token the backend refused, which must not come back.
   */
  userToken(apiId: string, subject: string, refusedSha256?: string): Promise<BackendToken>;
  /** Revokes and forgets the user's authorization; false when there was none. */
  revokeUserToken(apiId: string, subject: string): Promise<boolean>;
}

export type BackendToken =
  | { readonly kind: 'token'; readonly accessToken: string; /** 0: no known expiry */ readonly expiresAtMs: number }
  | { readonly kind: 'consent'; readonly url: string; readonly elicitationId: string; readonly expiresAtMs: number };

/** Something a policy observed that the control plane records (proto `PolicyReport`). */
export type PolicyReport =
  | {
      readonly kind: 'tool-definition';
      readonly name: string;
      /** SHA-256 (hex) of the definition's canonical JSON. */
      readonly sha256: string;
      readonly definition: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'api-key-used'; readonly keyId: string };

/** Where the reports of a policy go, bound to its API and policy id. */
export type PolicyReportSink = (apiId: string, policyId: string, report: PolicyReport) => void;

/** Builds a policy from its configuration (validated against its catalog schema when it has one). */
export interface PolicyFactory<C = Record<string, unknown>> {
  /** The policy template asset id, e.g. `mcp-support`. */
  readonly type: string;
  /** Throws an Error naming the field when the configuration cannot be used at all. */
  compile(config: C, ctx: CompileContext): CompiledPolicyResult;
}
