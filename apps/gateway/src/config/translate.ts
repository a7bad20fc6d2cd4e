/**
 * GatewayConfig (proto, from the control plane) -> CompiledConfig (frozen, ready to serve).
 * Pure: no I/O; everything a request needs is parsed and compiled here, once per push.
 *
 * Policy (after agentgateway's agent_xds.rs and house-style):
 * - A problem of ONE API fails that API alone (an ApiFailure naming the policy or field): an
 *   unknown API type or enum value, a missing or unnormalised listener, a port + base path another
 *   API of the push already claims, listener TLS without a certificate and key, or with a PEM that
 *   does not parse or a key that is not the certificate's, a port whose first API (push order)
 *   serves it with another TLS setting (plain and https differ), an upstream URL that is not plain
 *   http(s), an upstream PEM that does not parse, a route or policy naming an unknown upstream, an
 *   unknown policy type, a `configuration_json` that is not JSON or that the policy's catalog
 *   schema rejects, a policy the factory cannot compile. Every other API of the push is served. A
 *   failed API is never served without its policy chain: when its listener is valid (TLS included,
 *   and agreeing with its port's) it stays routed and every request to it is answered 503 naming
 *   the failure (CompiledApi.unavailable); otherwise it is absent.
 * - The whole push is REJECTED (ConfigRejectedError; the agent NACKs and keeps its last good
 *   config) only when it cannot be attributed to an API: an empty or repeated API id.
 * - A bad USER VALUE inside an otherwise valid config is a WARNING and the feature falls back to
 *   its safe behaviour: an invalid route regex or method disables that route (it matches
 *   nothing, so traffic is never sent somewhere unintended); an invalid pointcut regex makes the
 *   pointcut match every request (a policy is never silently switched off); policy factories
 *   report their own (an invalid rule is dropped, …).
 * - Other warnings tell the operator about surprising but valid input (TLS settings on an http
 *   upstream, skip_verify, an MCP API without mcp-support, which then answers every request 503).
 * - Agent access (Api.agent_access, MCP APIs only) compiles into lookup maps (pipeline/agent-access.ts);
 *   when a mapped agent's tools are limited, the agent-access policy ends the chain. A client id
 *   two agents claim is a warning (the first agent keeps it).
 *
 * Regular expressions of routes and pointcuts are full matches in RE2 syntax, run in linear time
 * (libs/policy-catalog linear-regex.ts): no pattern can make a request stall the gateway.
 */
import { normalizedBaseUrl } from '../data-plane/public-url.js';
import {
  type BackendTokens,
  compilePolicy,
  PolicyConfigError,
  type Clock,
  type CompileContext,
  type PolicyReportSink,
  POLICY_REGISTRY,
  type PolicyRegistry,
  PolicyStates,
} from '#portico/policy-engine';
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import {
  ApiType,
  PolicyMode,
  type Api,
  type GatewayConfig,
  type InboundTls,
  type OutboundTls,
  type Policy,
  type Route,
  type Upstream,
} from '#portico/proto-ts';
import { compileFullMatch, type FullMatch } from '#portico/policy-catalog';
import pino, { type Logger } from 'pino';
import { AGENT_TOOLS_POLICY, compileAgentAccess } from '../pipeline/agent-access.js';
import type { RedisConnection } from '../redis.js';
import {
  compiledConfig,
  type ApiKind,
  type CompiledApi,
  type CompiledConfig,
  type CompiledPointcut,
  type CompiledPolicy,
  type CompiledRoute,
  type CompiledUpstream,
  type ListenerTls,
  type RouteTarget,
  type UpstreamTls,
} from './compiled-config.js';

/** The push cannot be applied at all (see the header); `message` says why. */
export class ConfigRejectedError extends Error {
  override readonly name = 'ConfigRejectedError';
}

/** One API cannot be served as configured; thrown inside translate() and reported as an ApiFailure. */
class ApiConfigError extends Error {
  override readonly name = 'ApiConfigError';
}

/** An API of the push that is not served, and why (reported to the control plane with the Ack). */
export interface ApiFailure {
  readonly apiId: string;
  readonly reason: string;
}

/** What translate() makes of a push. */
export interface Translation {
  readonly compiled: CompiledConfig;
  readonly warnings: string[];
  readonly failures: readonly ApiFailure[];
}

const BASE_PATH = /^\/(?:[^/?#]+(?:\/[^/?#]+)*)?$/;
const HTTP_METHOD = /^[A-Z][A-Z-]*$/;

/** What translate() compiles with; everything has a default (tests pass their own). */
export interface TranslateOptions {
  /** The policy types this gateway implements (POLICY_REGISTRY). */
  registry?: PolicyRegistry;
  /** State kept across pushes (CompileContext.state); one instance per data plane. */
  states?: PolicyStates;
  clock?: Clock;
  logger?: Logger;
  /** CompileContext.redis: the gateway's connection, when one is configured. */
  redis?: RedisConnection;
  /** Where CompileContext.report sends (the sync stream); dropped when absent. */
  report?: PolicyReportSink;
  /** CompileContext.fetch: the data plane's (the upstream address policy applies); default the global fetch. */
  fetch?: typeof fetch;
  /** CompileContext.backendTokens: the control plane's token service, when this gateway has one. */
  backendTokens?: BackendTokens;
}

/** What a translation shares with every compile of it. */
interface Compiling {
  readonly registry: PolicyRegistry;
  readonly states: PolicyStates;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redis: RedisConnection | undefined;
  readonly report: PolicyReportSink;
  readonly fetch: typeof fetch;
  readonly backendTokens: BackendTokens | undefined;
  readonly warnings: string[];
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** Compiles a push. Throws ConfigRejectedError when it must be NACKed as a whole. */
export function translate(config: GatewayConfig, options: TranslateOptions = {}): Translation {
  const warnings: string[] = [];
  const compiling: Compiling = {
    registry: options.registry ?? POLICY_REGISTRY,
    states: options.states ?? new PolicyStates(),
    clock: options.clock ?? SYSTEM_CLOCK,
    logger: options.logger ?? pino({ level: 'silent' }),
    redis: options.redis,
    report: options.report ?? (() => undefined),
    fetch: options.fetch ?? fetch,
    backendTokens: options.backendTokens,
    warnings,
  };
  const failures: ApiFailure[] = [];
  const apis: CompiledApi[] = [];
  const ids = new Set<string>();
  const claims = new Map<string, string>();
  /** Port -> the API that claimed it first, whose TLS setting (fingerprint; undefined: plain) the port serves. */
  const portOwners = new Map<number, { apiId: string; fingerprint: string | undefined }>();
  for (const api of config.apis) {
    if (api.id === '') throw new ConfigRejectedError('An API has an empty id');
    if (ids.has(api.id)) throw new ConfigRejectedError(`API ${api.id}: the id appears twice in the configuration`);
    ids.add(api.id);
    let listener: Listener | undefined;
    try {
      listener = translateListener(api);
      const claim = `${listener.port} ${listener.basePath}`;
      const owner = claims.get(claim);
      if (owner !== undefined) {
        listener = undefined;
        throw new ApiConfigError(
          `API ${api.id}: listener port ${api.listener?.port} base path ${api.listener?.basePath} is already claimed by API ${owner}`,
        );
      }
      const portOwner = portOwners.get(listener.port);
      if (portOwner !== undefined && portOwner.fingerprint !== listener.tls?.fingerprint) {
        listener = undefined;
        throw new ApiConfigError(
          `API ${api.id}: listener port ${api.listener?.port} is served with a different TLS setting by API ${portOwner.apiId}`,
        );
      }
      claims.set(claim, api.id);
      if (portOwner === undefined) portOwners.set(listener.port, { apiId: api.id, fingerprint: listener.tls?.fingerprint });
      apis.push(api.disabled ? listenerOnlyApi(api, listener, { disabled: true }) : translateApi(api, listener, compiling));
    } catch (error) {
      if (!(error instanceof ApiConfigError)) throw error;
      failures.push(Object.freeze({ apiId: api.id, reason: error.message }));
      if (listener) apis.push(listenerOnlyApi(api, listener, { unavailable: error.message }));
    }
  }
  return { compiled: compiledConfig(config.gatewayId, apis), warnings, failures: Object.freeze(failures) };
}

function apiKind(api: Api): ApiKind {
  switch (api.type) {
    case ApiType.API_TYPE_HTTP:
      return 'http';
    case ApiType.API_TYPE_MCP:
      return 'mcp';
    case ApiType.API_TYPE_UNSPECIFIED:
      throw new ApiConfigError(`API ${api.id}: type is API_TYPE_UNSPECIFIED; expected API_TYPE_HTTP or API_TYPE_MCP`);
    default:
      throw new ApiConfigError(`API ${api.id}: unknown type value ${api.type as number}`);
  }
}

interface Listener {
  readonly port: number;
  readonly basePath: string;
  readonly hosts: ReadonlySet<string>;
  readonly tls: ListenerTls | undefined;
}

function translateListener(api: Api): Listener {
  const listener = api.listener;
  if (!listener) throw new ApiConfigError(`API ${api.id}: listener is missing`);
  if (!Number.isInteger(listener.port) || listener.port < 1 || listener.port > 65535) {
    throw new ApiConfigError(`API ${api.id}: listener.port must be between 1 and 65535, got ${listener.port}`);
  }
  if (!BASE_PATH.test(listener.basePath)) {
    throw new ApiConfigError(
      `API ${api.id}: listener.base_path ${JSON.stringify(listener.basePath)} must start with '/' and have no trailing '/', empty segment, query or fragment`,
    );
  }
  return {
    port: listener.port,
    basePath: listener.basePath,
    hosts: new Set(listener.hosts.map((h) => h.toLowerCase())),
    tls: listener.tls ? translateListenerTls(`API ${api.id}`, listener.tls) : undefined,
  };
}

function translateListenerTls(where: string, tls: InboundTls): ListenerTls {
  if (tls.certificatePem === '' || tls.privateKeyPem === '') {
    throw new ApiConfigError(
      `${where}: listener.tls.certificate_pem and listener.tls.private_key_pem are required for an https listener`,
    );
  }
  checkKeyPair(where, 'listener.tls', tls.certificatePem, tls.privateKeyPem);
  let ca: string | undefined;
  if (tls.clientCaPem !== '') {
    parseCertificate(where, 'listener.tls.client_ca_pem', tls.clientCaPem);
    ca = tls.clientCaPem;
  }
  return Object.freeze({
    cert: tls.certificatePem,
    key: tls.privateKeyPem,
    ca,
    fingerprint: fingerprint([tls.certificatePem, tls.privateKeyPem, tls.clientCaPem]),
  });
}

/** SHA-256 hex of a TLS setting's parts: equal settings, equal fingerprints (pool keys, port TLS). */
function fingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** A failed API on its listener: routed, so its requests are answered 503 naming `reason`. */
/** An API that keeps its listener and serves nothing: its configuration failed, or it is disabled. */
function listenerOnlyApi(api: Api, listener: Listener, why: { unavailable: string } | { disabled: true }): CompiledApi {
  return Object.freeze({
    id: api.id,
    name: api.name,
    kind: api.type === ApiType.API_TYPE_HTTP ? 'http' : 'mcp',
    port: listener.port,
    basePath: listener.basePath,
    hosts: listener.hosts,
    tls: listener.tls,
    unavailable: 'unavailable' in why ? why.unavailable : undefined,
    disabled: 'disabled' in why ? `The MCP backend ${api.name} is disabled by its administrators` : undefined,
    routes: Object.freeze([]),
    upstreams: new Map(),
    policies: Object.freeze([]),
    agents: undefined,
    mcpSupport: false,
    responseTimeoutMs: undefined,
    publicUrl: undefined,
    corsOrigins: false,
    protectedResource: undefined,
    hasResponsePolicies: false,
    ownRequests: false,
    httpRequestHooks: false,
    httpResponseHooks: false,
    policiesByUpstream: undefined,
  });
}

function translateApi(api: Api, listener: Listener, compiling: Compiling): CompiledApi {
  const { warnings } = compiling;
  const kind = apiKind(api);
  if (api.upstreams.length === 0) throw new ApiConfigError(`API ${api.id}: upstreams is empty`);
  const upstreams = new Map<string, CompiledUpstream>();
  for (const upstream of api.upstreams) {
    if (upstream.id === '') throw new ApiConfigError(`API ${api.id}: an upstream has an empty id`);
    if (upstreams.has(upstream.id)) throw new ApiConfigError(`API ${api.id}: upstream ${upstream.id} appears twice`);
    upstreams.set(upstream.id, translateUpstream(api, upstream, warnings));
  }
  const agents =
    kind === 'mcp' && api.agentAccess ? compileAgentAccess(`API ${api.id}`, api.name, api.agentAccess, warnings) : undefined;
  const applied = api.policies.map((policy) => translatePolicy(api, kind, policy, upstreams, compiling));
  const policies = agents?.filtersTools ? [...applied, AGENT_TOOLS_POLICY] : applied;
  const federated = kind === 'mcp' ? federatedUpstream(api, policies, upstreams) : undefined;
  const routes = federated
    ? [catchAllRoute([federated])]
    : api.routes.length === 0
      ? [catchAllRoute([...upstreams.values()])]
      : api.routes.map((route, index) => translateRoute(api, route, index, upstreams, warnings));
  const mcpSupport = kind === 'mcp' && policies.some((p) => p.type === MCP_SUPPORT);
  assertDisclosureFirst(api, policies);
  if (policies.filter((p) => p.type === MCP_SUPPORT).length > 1) {
    throw new ApiConfigError(`API ${api.id}: ${MCP_SUPPORT} is applied more than once`);
  }
  if (kind === 'mcp' && !mcpSupport) {
    warnings.push(`API ${api.id}: MCP API without the mcp-support policy; every request is answered 503 until it is applied`);
  }
  return Object.freeze({
    id: api.id,
    name: api.name,
    kind,
    port: listener.port,
    basePath: listener.basePath,
    hosts: listener.hosts,
    tls: listener.tls,
    unavailable: undefined,
    disabled: undefined,
    routes: Object.freeze(routes),
    upstreams,
    policies: Object.freeze(policies),
    agents,
    mcpSupport,
    responseTimeoutMs: api.responseTimeoutMs > 0 ? api.responseTimeoutMs : undefined,
    publicUrl: api.publicUrl === '' ? undefined : normalizedBaseUrl(api.publicUrl),
    corsOrigins: policies.some((p) => p.type === 'cors'),
    protectedResource: policies.find((p) => p.policy.protectedResource !== undefined)?.policy.protectedResource,
    hasResponsePolicies: policies.some((p) => p.policy.onResponse !== undefined && p.scope.anyResponse),
    ownRequests: policies.some((p) => p.policy.usesUpstream === true),
    httpRequestHooks: policies.some((p) => p.policy.onHttpRequest !== undefined),
    httpResponseHooks: policies.some((p) => p.policy.onHttpResponse !== undefined),
    policiesByUpstream: policiesByUpstream(policies, federated ? [federated.id] : upstreams.keys()),
  });
}

/** Policies that judge or change tool calls by the tool's name. */
const TOOL_JUDGES: ReadonlySet<string> = new Set([
  'mcp-acl',
  'mcp-access-control',
  'mcp-global-access-policy',
  'mcp-tool-mapping',
  'mcp-schema-validation',
  'mcp-tool-pinning',
]);

/**
 * mcp-tools-progressive-disclosure turns `invoke_tool` into a call of the tool it names: a policy
 * judging tool calls before it would judge `invoke_tool` and let any tool through. Such an order
 * fails the API (fail closed) instead of serving it open.
 */
function assertDisclosureFirst(api: Api, policies: readonly CompiledPolicy[]): void {
  const disclosure = policies.findIndex((p) => p.type === 'mcp-tools-progressive-disclosure');
  if (disclosure < 0) return;
  const before = policies.slice(0, disclosure).find((p) => TOOL_JUDGES.has(p.type));
  if (before) {
    throw new ApiConfigError(
      `API ${api.id}: policy ${before.id} (${before.type}) comes before mcp-tools-progressive-disclosure, so it would judge invoke_tool instead of the tool called; apply it after`,
    );
  }
}

/**
 * The upstream every request of a federated API goes to (an API with mcp-transcoding-router):
 * the federation over all the API's upstreams, which are its members. The API's own routes do
 * not apply; a route naming no upstream label fails the API.
 */
function federatedUpstream(
  api: Api,
  policies: readonly CompiledPolicy[],
  upstreams: ReadonlyMap<string, CompiledUpstream>,
): CompiledUpstream | undefined {
  const routing = policies.find((p) => p.policy.federation !== undefined)?.policy.federation;
  if (!routing) return undefined;
  const members = [...upstreams.values()].map((upstream) => Object.freeze({ name: upstream.label || upstream.id, upstream }));
  const names = new Set(members.map((m) => m.name));
  if (names.size < members.length)
    throw new ApiConfigError(`API ${api.id}: mcp-transcoding-router needs upstreams with distinct labels`);
  if ([...names].some((name) => name.includes('|'))) {
    throw new ApiConfigError(`API ${api.id}: mcp-transcoding-router: an upstream label must not contain "|"`);
  }
  // Every request goes to the federation: a policy bound to one upstream would never run (fail open).
  const bound = policies.find((p) => p.upstreamIds !== undefined);
  if (bound) {
    throw new ApiConfigError(
      `API ${api.id}: policy ${bound.id} (${bound.type}) is bound to upstreams, which a federated API (mcp-transcoding-router) cannot honour`,
    );
  }
  for (const route of routing.routes) {
    if (!names.has(route.upstreamName)) {
      throw new ApiConfigError(
        `API ${api.id}: mcp-transcoding-router: routes name upstream ${JSON.stringify(route.upstreamName)}, which is not an upstream label of the API (${[...names].join(', ')})`,
      );
    }
  }
  const federation = Object.freeze({
    apiName: api.name,
    routing,
    members: Object.freeze(members),
    responseTimeoutMs: api.responseTimeoutMs > 0 ? api.responseTimeoutMs : undefined,
  });
  return Object.freeze({
    id: `federation-${api.id}`,
    label: 'federation',
    url: `federation:${api.id}`,
    origin: `federation:${api.id}`,
    path: '/',
    pathPrefix: '',
    tls: undefined,
    poolKey: `federation:${api.id}`,
    federation,
  });
}

/** Per upstream, the policies for it, when no policy has pointcuts (else they depend on each request). */
function policiesByUpstream(
  policies: readonly CompiledPolicy[],
  upstreamIds: Iterable<string>,
): ReadonlyMap<string, readonly CompiledPolicy[]> | undefined {
  if (policies.some((p) => p.pointcuts.length > 0)) return undefined;
  const byUpstream = new Map<string, readonly CompiledPolicy[]>();
  for (const id of upstreamIds) {
    byUpstream.set(id, Object.freeze(policies.filter((p) => p.upstreamIds === undefined || p.upstreamIds.has(id))));
  }
  return byUpstream;
}

function translateUpstream(api: Api, upstream: Upstream, warnings: string[]): CompiledUpstream {
  const where = `API ${api.id}: upstream ${upstream.id}`;
  let url: URL;
  try {
    url = new URL(upstream.url);
  } catch {
    throw new ApiConfigError(`${where}: url ${JSON.stringify(upstream.url)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiConfigError(`${where}: url must be http or https, got ${url.protocol.slice(0, -1)}`);
  }
  if (url.username !== '' || url.password !== '') throw new ApiConfigError(`${where}: url must not contain credentials`);
  if (url.search !== '' || url.hash !== '') throw new ApiConfigError(`${where}: url must not have a query or fragment`);
  let tls: UpstreamTls | undefined;
  if (upstream.tls) {
    if (url.protocol === 'http:') warnings.push(`${where}: tls is ignored for an http url`);
    else tls = translateTls(where, upstream.tls, warnings);
  }
  const origin = url.origin;
  const poolKey = tls ? `${origin}#${fingerprint([tls.ca, tls.cert, tls.key, tls.servername, tls.rejectUnauthorized])}` : origin;
  return Object.freeze({
    id: upstream.id,
    label: upstream.label,
    url: url.href,
    origin,
    path: url.pathname,
    pathPrefix: url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname,
    tls,
    poolKey,
  });
}

function translateTls(where: string, tls: OutboundTls, warnings: string[]): UpstreamTls {
  const out: { -readonly [K in keyof UpstreamTls]: UpstreamTls[K] } = { rejectUnauthorized: !tls.skipVerify };
  if (tls.skipVerify) warnings.push(`${where}: tls.skip_verify is set; the upstream certificate is not verified`);
  if (tls.caPem !== '') {
    parseCertificate(where, 'tls.ca_pem', tls.caPem);
    out.ca = tls.caPem;
  }
  if ((tls.certificatePem === '') !== (tls.privateKeyPem === '')) {
    throw new ApiConfigError(`${where}: tls.certificate_pem and tls.private_key_pem must be set together`);
  }
  if (tls.certificatePem !== '') {
    checkKeyPair(where, 'tls', tls.certificatePem, tls.privateKeyPem);
    out.cert = tls.certificatePem;
    out.key = tls.privateKeyPem;
  }
  if (tls.serverName !== '') out.servername = tls.serverName;
  return Object.freeze(out);
}

/** `certificatePem` and `keyPem` (the fields `<prefix>.certificate_pem` and `<prefix>.private_key_pem`) parse, and the key is the certificate's. */
function checkKeyPair(where: string, prefix: string, certificatePem: string, keyPem: string): void {
  const certificate = parseCertificate(where, `${prefix}.certificate_pem`, certificatePem);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new ApiConfigError(`${where}: ${prefix}.private_key_pem is not a PEM private key`);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new ApiConfigError(`${where}: ${prefix}.private_key_pem does not belong to ${prefix}.certificate_pem`);
  }
}

function parseCertificate(where: string, field: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new ApiConfigError(`${where}: ${field} is not a PEM certificate`);
  }
}

function catchAllRoute(upstreams: CompiledUpstream[]): CompiledRoute {
  return Object.freeze({
    label: '(all requests)',
    methods: undefined,
    path: undefined,
    host: undefined,
    headers: [],
    disabled: false,
    targets: Object.freeze(upstreams.map((upstream) => Object.freeze({ upstream, weight: 1 }))),
    totalWeight: upstreams.length,
  });
}

/** Compiles a full-match pattern (linear time, RE2 syntax); null and a warning when it does not compile. */
function fullMatch(pattern: string, where: string, warnings: string[], consequence: string): FullMatch | null {
  try {
    return compileFullMatch(pattern);
  } catch (error) {
    warnings.push(
      `${where}: invalid regular expression ${JSON.stringify(pattern)} (${(error as Error).message}); ${consequence}`,
    );
    return null;
  }
}

function translateRoute(
  api: Api,
  route: Route,
  index: number,
  upstreams: ReadonlyMap<string, CompiledUpstream>,
  warnings: string[],
): CompiledRoute {
  const where = `API ${api.id}: route ${route.label === '' ? `#${index + 1}` : JSON.stringify(route.label)}`;
  if (route.upstreams.length === 0) throw new ApiConfigError(`${where}: upstreams is empty`);
  const referenced = route.upstreams.map((ref) => {
    const upstream = upstreams.get(ref.upstreamId);
    if (!upstream) throw new ApiConfigError(`${where}: unknown upstream ${JSON.stringify(ref.upstreamId)}`);
    return { upstream, weight: ref.weight };
  });
  // proto3 cannot tell an unset weight from 0: when no weight is set, the upstreams share equally.
  const weighted = referenced.some((t) => t.weight > 0);
  const targets: RouteTarget[] = referenced
    .map((t) => Object.freeze({ upstream: t.upstream, weight: weighted ? t.weight : 1 }))
    .filter((t) => t.weight > 0);
  let disabled = false;
  const disable = 'the route is disabled';
  const badMethod = route.methods.find((m) => !HTTP_METHOD.test(m));
  if (badMethod !== undefined) {
    warnings.push(`${where}: invalid HTTP method ${JSON.stringify(badMethod)}; ${disable}`);
    disabled = true;
  }
  let path: FullMatch | undefined;
  if (route.pathRegex !== '') {
    const compiled = fullMatch(route.pathRegex, `${where}: path_regex`, warnings, disable);
    if (compiled) path = compiled;
    else disabled = true;
  }
  const headers: (readonly [string, FullMatch])[] = [];
  for (const [name, pattern] of Object.entries(route.headers)) {
    const compiled = fullMatch(pattern, `${where}: headers[${JSON.stringify(name)}]`, warnings, disable);
    if (compiled) headers.push(Object.freeze([name.toLowerCase(), compiled] as const));
    else disabled = true;
  }
  return Object.freeze({
    label: route.label,
    methods: route.methods.length > 0 ? new Set(route.methods) : undefined,
    path,
    host: route.host !== '' ? route.host.toLowerCase() : undefined,
    headers: Object.freeze(headers),
    disabled,
    targets: Object.freeze(targets),
    totalWeight: targets.reduce((sum, t) => sum + t.weight, 0),
  });
}

function policyMode(api: Api, policy: Policy): 'enforce' | 'shadow' {
  switch (policy.mode) {
    case PolicyMode.POLICY_MODE_UNSPECIFIED:
    case PolicyMode.POLICY_MODE_ENFORCE:
      return 'enforce';
    case PolicyMode.POLICY_MODE_SHADOW:
      return 'shadow';
    default:
      throw new ApiConfigError(
        `API ${api.id}: policy ${policy.id} (${policy.type}): unknown mode value ${policy.mode as number}`,
      );
  }
}

/** The policy whose presence makes an MCP API served as MCP (the policy engine's mcp-codec.ts). */
const MCP_SUPPORT = 'mcp-support';

function compileContext(api: Api, policy: Policy, compiling: Compiling): Omit<CompileContext, 'managed' | 'apiKind'> {
  return {
    policyId: policy.id,
    apiId: api.id,
    clock: compiling.clock,
    logger: compiling.logger.child({ api: api.id, policy: policy.type, policyId: policy.id }),
    state: (key, create) => compiling.states.state(policy.id, key, create),
    redis: compiling.redis,
    report: (report) => compiling.report(api.id, policy.id, report),
    fetch: compiling.fetch,
    backendTokens: compiling.backendTokens,
  };
}

function translatePolicy(
  api: Api,
  kind: ApiKind,
  policy: Policy,
  upstreams: ReadonlyMap<string, CompiledUpstream>,
  compiling: Compiling,
): CompiledPolicy {
  const { warnings } = compiling;
  const where = `API ${api.id}: policy ${policy.id} (${policy.type})`;
  const input = { ...policy, mode: policyMode(api, policy) };
  let compiled;
  try {
    compiled = compilePolicy(input, kind, where, compileContext(api, policy, compiling), compiling.registry, warnings);
  } catch (error) {
    if (error instanceof PolicyConfigError) throw new ApiConfigError(error.message);
    throw error;
  }
  for (const id of policy.upstreamIds) {
    if (!upstreams.has(id)) throw new ApiConfigError(`${where}: upstream_ids names unknown upstream ${JSON.stringify(id)}`);
  }
  const everyRequest = 'this pointcut matches every request';
  const pointcuts: CompiledPointcut[] = policy.pointcuts.map((pointcut, index) => {
    const at = `${where}: pointcuts[${index}]`;
    const method =
      pointcut.methodRegex === '' ? undefined : fullMatch(pointcut.methodRegex, `${at}.method_regex`, warnings, everyRequest);
    const path =
      pointcut.uriTemplateRegex === ''
        ? undefined
        : fullMatch(pointcut.uriTemplateRegex, `${at}.uri_template_regex`, warnings, everyRequest);
    if (method === null || path === null) return Object.freeze({ method: undefined, path: undefined });
    return Object.freeze({ method, path });
  });
  return Object.freeze({
    ...compiled,
    pointcuts: Object.freeze(pointcuts),
    upstreamIds: policy.upstreamIds.length > 0 ? new Set(policy.upstreamIds) : undefined,
  });
}
