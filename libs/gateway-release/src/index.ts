/**
 * Portico gateway releases. The control plane and the gateway ship together, so a target that
 * registered with this control plane runs PORTICO_GATEWAY_VERSION until a replica reports
 * otherwise. Deployments naming a version outside KNOWN_GATEWAY_VERSIONS are refused with
 * "Policy implementations cannot be set because runtime version is unknown".
 */

/** The gateway release bundled with this control plane. */
export const PORTICO_GATEWAY_VERSION = '1.0.0';

/** Every gateway release this control plane can configure, oldest first. */
export const KNOWN_GATEWAY_VERSIONS: readonly string[] = ['1.0.0'];

/**
 * The policy types (template asset ids) the bundled gateway release enforces. The control plane
 * assumes them for a target until one of its replicas reports its own (its Hello's capabilities);
 * the gateway's policy registry must list exactly these (a gateway test checks it).
 */
export const BUNDLED_POLICY_TYPES: readonly string[] = Object.freeze([
  'mcp-support',
  'mcp-acl',
  'mcp-global-access-policy',
  'mcp-tool-mapping',
  'mcp-access-control',
  'mcp-schema-validation',
  'mcp-tool-pinning',
  'mcp-transcoding-router',
  'mcp-tools-progressive-disclosure',
  'ip-allowlist',
  'ip-blocklist',
  'http-basic-authentication',
  'upstream-credential',
  'upstream-oauth',
  'jwt-validation',
  'oauth2-token-introspection',
  'client-id-enforcement',
  'api-key-authentication',
  'cors',
  'rate-limiting',
  'header-injection',
  'header-removal',
  'spike-control',
  'mcp-pii-detector',
  'rate-limiting-sla-based',
  'mcp-payload-logging',
]);

export function isKnownGatewayVersion(version: string): boolean {
  return KNOWN_GATEWAY_VERSIONS.includes(version);
}
