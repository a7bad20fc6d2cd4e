/**
 * A target's configuration as the gateway receives it: the API instances deployed to the target
 * (expectedStatus `deployed`), each with its listener, routes, upstreams and enabled policies in
 * order, and each upstream with the TLS context it references (Outbound TLS), each https listener
 * with its inbound TLS context, each mcp-tool-pinning policy with the instance's tool pins, and
 * each MCP instance with the organization's agents and the ones mapped to it (AgentAccess).
 * Policy secrets and TLS context private keys are opened here, for the mTLS stream only; stored
 * rows keep them sealed.
 *
 * The hash is the SHA-256 of the serialized GatewayConfig, so replicas (and control planes)
 * agree on it byte for byte; it is what lets a resuming gateway skip an unchanged snapshot.
 */
import { createHash } from 'node:crypto';
import { findPolicyTemplate, mapSensitive } from '#portico/policy-catalog';
import {
  type AgentAccess,
  type AgentRule,
  type Api,
  ApiType,
  GatewayConfig,
  type InboundTls,
  type OutboundTls,
  type Pointcut,
  PolicyMode,
  type Policy,
  type Route,
} from '#portico/proto-ts';
import { tierLimits } from '../sla-tiers/sla-tier.view.js';
import type { TierLimit } from '../sla-tiers/sla-tiers.dto.js';
import type { TargetSnapshotRecord } from './config-sync.repository.js';

const TOOL_PINNING = 'mcp-tool-pinning';
const JWT_VALIDATION = 'jwt-validation';
const TOKEN_INTROSPECTION = 'oauth2-token-introspection';
const CLIENT_ID_ENFORCEMENT = 'client-id-enforcement';
const API_KEY_AUTHENTICATION = 'api-key-authentication';
const SLA_RATE_LIMITING = 'rate-limiting-sla-based';
const UPSTREAM_OAUTH = 'upstream-oauth';

export interface BuiltSnapshot {
  revision: number;
  hash: string;
  config: GatewayConfig;
}

type ApiRecord = TargetSnapshotRecord['deployments'][number]['api'];
type PolicyRecord = ApiRecord['policies'][number];
/** What {@link policyConfigs} reads of an API (config-sync.repository.ts POLICY_CHAIN_SOURCE). */
export type PolicyChainRecord = Pick<ApiRecord, 'policies' | 'toolPins' | 'toolChanges' | 'contracts' | 'apiKeys'>;
type TlsContextRecord = NonNullable<ApiRecord['upstreams'][number]['outboundTls']>;

interface RouteRules {
  methods?: string | null;
  host?: string | null;
  path?: string | null;
  headers?: Record<string, string> | null;
}

/** `openSecret` turns a sealed secret (policy value, TLS context private key) back into its value. */
export function buildSnapshot(target: TargetSnapshotRecord, openSecret: (sealed: string) => string): BuiltSnapshot {
  const agents = organizationAgents(target);
  const config = GatewayConfig.fromPartial({
    gatewayId: target.id,
    gatewayName: target.name,
    organizationId: target.organizationId,
    environmentId: target.environmentId,
    // Deployments only accept instances with a listener; an instance without one has nothing to serve.
    apis: target.deployments.flatMap((d) => (d.api.proxyPort === null ? [] : [apiConfig(d.api, openSecret, agents)])),
  });
  return { revision: Number(target.configRevision), hash: snapshotHash(config), config };
}

/** Lowercase hex SHA-256 of the serialized config. */
export function snapshotHash(config: GatewayConfig): string {
  return createHash('sha256').update(GatewayConfig.encode(config).finish()).digest('hex');
}

/** proxyUri's host unless it is a wildcard bind address, and endpointUri's host (the instance's public URL). */
function listenerHosts(api: ApiRecord): string[] {
  const hosts = new Set<string>();
  for (const uri of [api.proxyUri, api.endpointUri]) {
    const host = uri ? URL.parse(uri)?.hostname.toLowerCase() : undefined;
    if (host && !WILDCARD_HOSTS.has(host)) hosts.add(host);
  }
  return [...hosts];
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '[::]']);

/** An agent of the target's organization with every client id that recognises it (its applications' too). */
type OrganizationAgent = Pick<AgentRule, 'name' | 'clientIds' | 'clientMetadataUrls' | 'clientInfoNames'>;

function organizationAgents(target: TargetSnapshotRecord): OrganizationAgent[] {
  const applications = new Map(target.agentApplications.map((a) => [a.id, a.clientId]));
  return target.environment.organization.agents.map((agent) => ({
    name: agent.name,
    clientIds: [...new Set([...agent.clientIds, ...agent.applicationIds.flatMap((id) => applications.get(id) ?? [])])],
    clientMetadataUrls: agent.clientMetadataUrls,
    clientInfoNames: agent.clientInfoNames,
  }));
}

/**
 * Which agents the gateway recognises on an MCP backend and which it admits: every agent of the
 * organization (so access events name it on any backend), each marked `mapped` with its tools
 * when mapped to this one. undefined when there is nothing to recognise or check.
 */
function agentAccess(api: ApiRecord, agents: readonly OrganizationAgent[]): AgentAccess | undefined {
  if (api.endpointType !== 'mcp' || (agents.length === 0 && !api.agentsRestricted)) return undefined;
  const mapped = new Map(api.agents.map((m) => [m.agent.name, m.tools]));
  return {
    restricted: api.agentsRestricted,
    agents: agents.map((agent) => ({ ...agent, mapped: mapped.has(agent.name), tools: mapped.get(agent.name) ?? [] })),
  };
}

function apiConfig(api: ApiRecord, openSecret: (sealed: string) => string, agents: readonly OrganizationAgent[]): Api {
  return {
    id: String(api.id),
    name: api.instanceLabel ?? api.assetId,
    type: api.endpointType === 'mcp' ? ApiType.API_TYPE_MCP : ApiType.API_TYPE_HTTP,
    listener: {
      port: api.proxyPort ?? 0,
      basePath: api.proxyBasePath ?? '/',
      hosts: listenerHosts(api),
      tls: api.inboundTls ? inboundTls(api.inboundTls, openSecret) : undefined,
    },
    routes: api.routes.map(routeConfig),
    upstreams: api.upstreams.map((u) => ({
      id: u.id,
      label: u.label ?? '',
      url: u.uri,
      tls: u.outboundTls ? outboundTls(u.outboundTls, openSecret) : undefined,
    })),
    policies: policyConfigs(api, openSecret),
    responseTimeoutMs: api.responseTimeout ?? 0,
    publicUrl: api.endpointUri ?? '',
    disabled: !api.backendEnabled,
    agentAccess: agentAccess(api, agents),
  };
}

/** A listener's TLS context: its certificate and key; its trusted certificates verify client certificates. */
function inboundTls(context: TlsContextRecord, openSecret: (sealed: string) => string): InboundTls {
  return {
    certificatePem: context.certificate ?? '',
    privateKeyPem: context.privateKeySealed ? openSecret(context.privateKeySealed) : '',
    clientCaPem: context.trustedCertificates ?? '',
  };
}

function outboundTls(context: TlsContextRecord, openSecret: (sealed: string) => string): OutboundTls {
  return {
    caPem: context.trustedCertificates ?? '',
    certificatePem: context.certificate ?? '',
    privateKeyPem: context.privateKeySealed === null ? '' : openSecret(context.privateKeySealed),
    serverName: context.serverName ?? '',
    skipVerify: context.skipVerify,
  };
}

function routeConfig(route: ApiRecord['routes'][number]): Route {
  const rules = (route.rules ?? {}) as RouteRules;
  return {
    label: route.label ?? '',
    methods: rules.methods ? rules.methods.split('|') : [],
    pathRegex: rules.path ?? '',
    host: rules.host ?? '',
    headers: Object.fromEntries(Object.entries(rules.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    upstreams: route.upstreams.map((u) => ({ upstreamId: u.upstreamId, weight: u.weight })),
  };
}

/** An API's enabled policies as gateways receive them, in order. */
export function policyConfigs(api: PolicyChainRecord, openSecret: (sealed: string) => string): Policy[] {
  return api.policies.map((p) => policyConfig(p, managedData(api, p), openSecret));
}

/**
 * What the control plane maintains for a policy besides its configuration (Policy.managed_json):
 * for mcp-tool-pinning, the instance's approved tool definitions by name and the names of tools
 * with a change awaiting a decision; for the bearer-token policies, the client ids of the
 * applications with an approved contract; for client-id enforcement, those applications with
 * their names and secrets as stored (scrypt hashes, verified by the gateway); for
 * rate-limiting-sla-based, the same with each contract's tier limits (`visible` left out: it only
 * says whether Exchange shows a limit; null for a contract without a tier); for API keys, the
 * SHA-256 of each key not revoked, with its id, name and expiry.
 */
function managedData(api: PolicyChainRecord, policy: PolicyRecord): string {
  switch (policy.assetId) {
    case TOOL_PINNING:
      return JSON.stringify({
        pins: Object.fromEntries(api.toolPins.map((pin) => [pin.toolName, pin.sha256])),
        pending: [...new Set(api.toolChanges.map((change) => change.toolName))],
      });
    case JWT_VALIDATION:
    case TOKEN_INTROSPECTION:
      return JSON.stringify({ clientIds: api.contracts.map((contract) => contract.application.clientId) });
    case API_KEY_AUTHENTICATION:
      return JSON.stringify({
        keys: Object.fromEntries(
          api.apiKeys.map((key) => [
            key.secretSha256,
            { id: key.id, name: key.name, ...(key.expiresAt ? { expiresAt: key.expiresAt.toISOString() } : {}) },
          ]),
        ),
      });
    case CLIENT_ID_ENFORCEMENT:
      return JSON.stringify({
        clients: Object.fromEntries(
          api.contracts.map(({ application }) => [
            application.clientId,
            { name: application.name, secretHash: application.clientSecretHash },
          ]),
        ),
      });
    case SLA_RATE_LIMITING:
      return JSON.stringify({
        clients: Object.fromEntries(
          api.contracts.map(({ application, tier }) => [
            application.clientId,
            {
              name: application.name,
              secretHash: application.clientSecretHash,
              limits: tier ? tierLimits(tier).map(quota) : null,
            },
          ]),
        ),
      });
    default:
      return '';
  }
}

/** A tier limit as the gateway enforces it. */
function quota({ maximumRequests, timePeriodInMilliseconds }: TierLimit) {
  return { maximumRequests, timePeriodInMilliseconds };
}

function policyConfig(policy: PolicyRecord, managedJson: string, openSecret: (sealed: string) => string): Policy {
  const stored = policy.configurationData as Record<string, unknown>;
  const template = findPolicyTemplate(policy.groupId, policy.assetId, policy.assetVersion);
  const configuration = { ...(template ? mapSensitive(template, stored, openSecret) : stored) };
  // upstream-oauth's client secrets are the control plane's alone: it talks to the authorization servers.
  if (policy.assetId === UPSTREAM_OAUTH) {
    delete configuration.clientSecret;
    delete configuration.signInClientSecret;
  }
  return {
    id: String(policy.id),
    type: policy.assetId,
    version: policy.assetVersion,
    configurationJson: JSON.stringify(configuration),
    managedJson,
    mode: policy.mode === 'shadow' ? PolicyMode.POLICY_MODE_SHADOW : PolicyMode.POLICY_MODE_ENFORCE,
    pointcuts: ((policy.pointcutData ?? []) as unknown as Pointcut[]).map((p) => ({
      methodRegex: p.methodRegex,
      uriTemplateRegex: p.uriTemplateRegex,
    })),
    upstreamIds: policy.upstreamIds,
  };
}
