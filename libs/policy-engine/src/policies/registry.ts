/**
 * The policies this gateway implements, by template asset id. An API naming any other type fails
 * alone in translate() (it is not served and the control plane is told why).
 */
import type { PolicyFactory } from '../policy-contract/policy.js';
import { apiKeyAuthenticationFactory } from './api-key-authentication/api-key-authentication.policy.js';
import { corsFactory } from './cors/cors.policy.js';
import { clientIdEnforcementFactory } from './client-id-enforcement/client-id-enforcement.policy.js';
import { headerInjectionFactory, headerRemovalFactory } from './header-policies/header-policies.policy.js';
import { httpBasicAuthenticationFactory } from './http-basic-authentication/http-basic-authentication.policy.js';
import { ipAllowlistFactory, ipBlocklistFactory } from './ip-lists/ip-lists.policy.js';
import { jwtValidationFactory } from './jwt-validation/jwt-validation.policy.js';
import { oauth2TokenIntrospectionFactory } from './oauth2-token-introspection/oauth2-token-introspection.policy.js';
import { mcpAccessControlFactory } from './mcp-access-control/mcp-access-control.policy.js';
import { mcpAclFactory } from './mcp-acl/mcp-acl.policy.js';
import { mcpGlobalAccessFactory } from './mcp-global-access/mcp-global-access.policy.js';
import { mcpPayloadLoggingFactory } from './mcp-payload-logging/mcp-payload-logging.policy.js';
import { mcpPiiDetectorFactory } from './mcp-pii-detector/mcp-pii-detector.policy.js';
import { mcpSchemaValidationFactory } from './mcp-schema-validation/mcp-schema-validation.policy.js';
import { mcpSupportFactory } from './mcp-support/mcp-support.policy.js';
import { mcpToolMappingFactory } from './mcp-tool-mapping/mcp-tool-mapping.policy.js';
import { mcpToolPinningFactory } from './mcp-tool-pinning/mcp-tool-pinning.policy.js';
import { mcpToolsProgressiveDisclosureFactory } from './mcp-tools-progressive-disclosure/mcp-tools-progressive-disclosure.policy.js';
import { mcpTranscodingRouterFactory } from './mcp-transcoding-router/mcp-transcoding-router.policy.js';
import { rateLimitingFactory } from './rate-limiting/rate-limiting.policy.js';
import { rateLimitingSlaBasedFactory } from './rate-limiting/rate-limiting-sla-based.policy.js';
import { spikeControlFactory } from './spike-control/spike-control.policy.js';
import { upstreamCredentialFactory } from './upstream-credential/upstream-credential.policy.js';
import { upstreamOAuthFactory } from './upstream-oauth/upstream-oauth.policy.js';

/** Policy factories by type. */
export type PolicyRegistry = ReadonlyMap<string, PolicyFactory>;

export const POLICY_REGISTRY: PolicyRegistry = new Map<string, PolicyFactory>(
  [
    mcpSupportFactory,
    mcpTranscodingRouterFactory,
    mcpToolsProgressiveDisclosureFactory,
    mcpAclFactory,
    mcpGlobalAccessFactory,
    mcpToolMappingFactory,
    mcpAccessControlFactory,
    mcpSchemaValidationFactory,
    mcpToolPinningFactory,
    ipAllowlistFactory,
    ipBlocklistFactory,
    httpBasicAuthenticationFactory,
    upstreamCredentialFactory,
    upstreamOAuthFactory,
    jwtValidationFactory,
    oauth2TokenIntrospectionFactory,
    clientIdEnforcementFactory,
    apiKeyAuthenticationFactory,
    corsFactory,
    rateLimitingFactory,
    rateLimitingSlaBasedFactory,
    headerInjectionFactory,
    headerRemovalFactory,
    spikeControlFactory,
    mcpPiiDetectorFactory,
    mcpPayloadLoggingFactory,
  ].map((factory) => [factory.type, factory as PolicyFactory]),
);

/** The policy types this gateway implements (sent to the control plane as capabilities). */
export const POLICY_TYPES: readonly string[] = Object.freeze([...POLICY_REGISTRY.keys()]);
