/**
 * GatewayConfig proto messages for tests, written compactly: an API is a port, a base path, an
 * upstream URL and policy types; everything else gets the defaults the control plane sends.
 */
import { compareVersions, POLICY_TEMPLATES } from '#portico/policy-catalog';
import { ApiType, GatewayConfig, PolicyMode, type Api, type Policy, type Route } from '#portico/proto-ts';

/** A policy as a test writes it: a type, or a partial proto Policy. */
export type PolicySpec = string | (Partial<Policy> & { type: string; configuration?: Record<string, unknown> });

export interface UpstreamSpec {
  id?: string;
  /** Upstream.label (a federated API's member name). */
  label?: string;
  url: string;
  tls?: { caPem?: string; certificatePem?: string; privateKeyPem?: string; serverName?: string; skipVerify?: boolean };
}

export interface ApiSpec {
  id: string;
  name?: string;
  type?: 'mcp' | 'http';
  port: number;
  basePath: string;
  /** One URL, or several upstreams (ids default to u1, u2, …). */
  upstream: string | UpstreamSpec[];
  /** Default ['mcp-support'] for MCP APIs, [] for HTTP APIs. */
  policies?: PolicySpec[];
  routes?: Partial<Route>[];
  responseTimeoutMs?: number;
  /** Api.public_url (the instance endpointUri). */
  publicUrl?: string;
  /** Listener.hosts: names accepted in Host and Origin besides IP literals and loopback names. */
  hosts?: string[];
  /** Api.disabled: the MCP backend is switched off. */
  disabled?: boolean;
  /** Listener.tls: the port serves https with this (mutual TLS with a client CA); absent = plain HTTP. */
  tls?: { certificatePem: string; privateKeyPem: string; clientCaPem?: string };
}

let policySequence = 0;

function toPolicy(spec: PolicySpec): Policy {
  const input = typeof spec === 'string' ? { type: spec } : spec;
  const { configuration, ...rest } = input;
  return {
    id: String(++policySequence),
    // The newest catalog version, as the control plane would send; test policies have none.
    version:
      POLICY_TEMPLATES.filter((t) => t.assetId === input.type)
        .map((t) => t.version)
        .sort(compareVersions)
        .at(-1) ?? '',
    configurationJson: configuration ? JSON.stringify(configuration) : '',
    mode: PolicyMode.POLICY_MODE_ENFORCE,
    pointcuts: [],
    upstreamIds: [],
    ...rest,
  } as Policy;
}

/** An Api proto message for a test. */
export function apiConfig(spec: ApiSpec): Api {
  const upstreams = typeof spec.upstream === 'string' ? [{ url: spec.upstream }] : spec.upstream;
  const type = spec.type ?? 'mcp';
  return {
    id: spec.id,
    name: spec.name ?? `api-${spec.id}`,
    type: type === 'mcp' ? ApiType.API_TYPE_MCP : ApiType.API_TYPE_HTTP,
    listener: {
      port: spec.port,
      basePath: spec.basePath,
      hosts: spec.hosts ?? [],
      tls: spec.tls ? { clientCaPem: '', ...spec.tls } : undefined,
    },
    routes: (spec.routes ?? []).map((route) => ({
      label: '',
      methods: [],
      pathRegex: '',
      host: '',
      headers: {},
      upstreams: [],
      ...route,
    })),
    upstreams: upstreams.map((u, i) => ({
      id: u.id ?? `u${i + 1}`,
      label: u.label ?? '',
      url: u.url,
      tls: u.tls ? { caPem: '', certificatePem: '', privateKeyPem: '', serverName: '', skipVerify: false, ...u.tls } : undefined,
    })),
    policies: (spec.policies ?? (type === 'mcp' ? ['mcp-support'] : [])).map(toPolicy),
    responseTimeoutMs: spec.responseTimeoutMs ?? 0,
    publicUrl: spec.publicUrl ?? '',
    disabled: spec.disabled ?? false,
  };
}

/** A GatewayConfig proto message with these APIs. */
export function gatewayConfig(apis: ApiSpec[]): GatewayConfig {
  return GatewayConfig.fromPartial({ gatewayId: 'gw-test', gatewayName: 'test', apis: apis.map(apiConfig) });
}

/** A tools/call request of `name` (the test MCP servers' tools take `text`). */
export const toolCall = (id: number, name: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: { text: 'hi' } },
});

/** A rate-limiting policy `id` with `configuration`. */
export const rateLimit = (id: string, configuration: Record<string, unknown>): Exclude<PolicySpec, string> => ({
  id,
  type: 'rate-limiting',
  configuration,
});

/**
 * While rate-limiting cannot reach Redis: `closed` (blockOnUnknownQuota) answers 429 with
 * Retry-After 1 and says why, `open` lets the call through, both within `withinMs`.
 */
export async function expectRateLimitOutage(
  call: (apiPath: string) => Promise<{ status: number; headers: Record<string, unknown>; body: string }>,
  withinMs: number,
): Promise<void> {
  const started = Date.now();
  const [closed, open] = await Promise.all([call('/closed'), call('/open')]);
  expect(closed.status).toBe(429);
  expect(closed.headers['retry-after']).toBe('1');
  expect(JSON.parse(closed.body).error.message).toBe('Too many requests: the rate limit of this API cannot be checked right now');
  expect(open.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(withinMs);
}
