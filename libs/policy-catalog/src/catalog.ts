/**
 * The built-in policy templates and the questions asked about them: which exist, in which
 * versions, and whether one can run on a given API instance.
 */
import type { PolicyTemplateDefinition } from './policy-template.js';
import {
  mcpAccessControl,
  mcpAcl,
  mcpGlobalAccess,
  mcpPayloadLogging,
  mcpPiiDetector,
  mcpSchemaValidation,
  mcpSupport,
  mcpToolMapping,
  mcpToolPinning,
  mcpToolsProgressiveDisclosure,
  mcpTranscodingRouter,
} from './templates/mcp.templates.js';
import {
  apiKeyAuthentication,
  clientIdEnforcement,
  httpBasicAuthentication,
  ipAllowlist,
  ipBlocklist,
  jwtValidation,
  oauth2TokenIntrospection,
  upstreamCredential,
  upstreamOAuth,
} from './templates/security.templates.js';
import { rateLimiting, rateLimitingSlaBased, spikeControl } from './templates/traffic.templates.js';
import { cors, headerInjection, headerRemoval } from './templates/transformation.templates.js';

/**
 * Every built-in template, in catalog order. A shipped version stays listed: applied policies
 * keep referring to it (their configuration is validated and masked with its form). A new
 * version is a new definition next to the old one.
 */
export const POLICY_TEMPLATES: readonly PolicyTemplateDefinition[] = Object.freeze([
  mcpSupport,
  mcpTranscodingRouter,
  mcpToolsProgressiveDisclosure,
  mcpAccessControl,
  mcpGlobalAccess,
  mcpToolMapping,
  mcpSchemaValidation,
  mcpPiiDetector,
  mcpAcl,
  mcpToolPinning,
  mcpPayloadLogging,
  rateLimiting,
  rateLimitingSlaBased,
  spikeControl,
  clientIdEnforcement,
  jwtValidation,
  oauth2TokenIntrospection,
  ipAllowlist,
  ipBlocklist,
  headerInjection,
  headerRemoval,
  httpBasicAuthentication,
  cors,
  upstreamCredential,
  upstreamOAuth,
  apiKeyAuthentication,
]);

/** Templates that validate a client's bearer token (and keep it from the upstream unless `forwardToken`). */
export const TOKEN_VALIDATING_TEMPLATES: ReadonlySet<string> = new Set(['jwt-validation', 'oauth2-token-introspection']);

/** Templates that identify the caller (the identity later policies read: a principal, a client id). */
export const AUTHENTICATION_TEMPLATES: ReadonlySet<string> = new Set([
  ...TOKEN_VALIDATING_TEMPLATES,
  'client-id-enforcement',
  'api-key-authentication',
  'http-basic-authentication',
]);

/** The template with exactly these coordinates, if built in. */
export function findPolicyTemplate(groupId: string, assetId: string, version: string): PolicyTemplateDefinition | undefined {
  return POLICY_TEMPLATES.find((t) => t.groupId === groupId && t.assetId === assetId && t.version === version);
}

/** Versions of a built-in template, oldest first; empty when the group/asset is unknown. */
export function policyTemplateVersions(groupId: string, assetId: string): string[] {
  return POLICY_TEMPLATES.filter((t) => t.groupId === groupId && t.assetId === assetId)
    .map((t) => t.version)
    .sort(compareVersions);
}

/** Orders semantic versions (`1.4.1` < `1.10.0`; a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split('-', 2);
    return { parts: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const diff = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (diff !== 0) return diff;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** What an API instance offers a policy: its technology and endpoint type (`mcp`, `http`, …). */
export interface PolicyTarget {
  technology: string;
  endpointType: string | null;
}

/**
 * Why `template` cannot run on `target`, in the words of the Anypoint error
 * (`… does not have an implementation for the API with technology(<technology>)`), or
 * undefined when it can.
 */
export function implementationGap(template: PolicyTemplateDefinition, target: PolicyTarget): string | undefined {
  const name = `${template.assetId} ${template.version}`;
  if (!(template.technologies as readonly string[]).includes(target.technology)) {
    return `The policy template ${name} does not have an implementation for the API with technology(${target.technology})`;
  }
  if (template.mcpOnly && target.endpointType !== 'mcp') {
    return `The policy template ${name} does not have an implementation for the API with technology(${target.technology}) and endpoint type(${target.endpointType ?? 'http'}): it applies to MCP servers only`;
  }
  return undefined;
}

/** The implementation asset the gateway runs for a template (Flex names it `<assetId>-flex`). */
export function implementationAsset(template: PolicyTemplateDefinition) {
  return {
    assetId: `${template.assetId}-flex`,
    groupId: template.groupId,
    version: template.version,
    technology: 'flexGateway' as const,
  };
}
