/**
 * Authentication and network policies (contract §10.6, Flex property names) and Portico's
 * `api-key-authentication` and `upstream-credential` (seed 003's "API key or token" mode, toward
 * the gateway and toward the upstream).
 */
import { defineTemplate, type JsonSchema } from '../policy-template.js';

const expression = (title: string, defaultValue?: string): JsonSchema => ({
  type: 'string',
  title,
  format: 'dataweaveExpression',
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
});

const keyValueList = (title: string): JsonSchema => ({
  type: 'array',
  title,
  default: [],
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'value'],
    properties: { key: { type: 'string', minLength: 1 }, value: { type: 'string' } },
  },
});

/** Portico's: the policy makes the instance an OAuth 2.0 protected resource (RFC 9728, MCP authorization). */
const protectedResourceProperties: Record<string, JsonSchema> = {
  authorizationServers: {
    type: 'array',
    title: 'Authorization servers',
    description:
      "Issuer URLs of the authorization servers clients get tokens from. When set, the gateway serves the instance's protected-resource metadata at /.well-known/oauth-protected-resource<path>, points 401 and 403 challenges at it, and requires tokens issued for the instance's public URL (audience).",
    default: [],
    items: { type: 'string', format: 'httpUrl' },
  },
  scopesSupported: {
    type: 'array',
    title: 'Scopes supported',
    description: 'Scopes announced in the metadata and in challenges.',
    default: [],
    items: { type: 'string', minLength: 1 },
  },
  forwardToken: {
    type: 'boolean',
    title: 'Forward the token upstream',
    description:
      'Send the client token to the upstream too. Off by default: the MCP authorization specification forbids passing a token through to a server it was not issued for.',
    default: false,
  },
};

const scopeProperties: Record<string, JsonSchema> = {
  scopes: { type: 'string', title: 'Scopes', description: 'Space-separated scopes the token must have.' },
  scopeValidationCriteria: { type: 'string', title: 'Scope Validation Criteria', enum: ['AND', 'OR'], default: 'AND' },
};

export const clientIdEnforcement = defineTemplate({
  assetId: 'client-id-enforcement',
  version: '1.3.3',
  name: 'Client ID Enforcement',
  description:
    'Allows only requests from client applications with an approved contract, identified by client id and secret taken from the Authorization header (basic) or from custom expressions.',
  category: 'Security',
  mcpOnly: false,
  properties: {
    credentialsOriginHasHttpBasicAuthenticationHeader: {
      type: 'string',
      title: 'Credentials Origin',
      description: 'Where the client credentials are: the HTTP Basic Authorization header, or the custom expressions below.',
      enum: ['customExpression', 'httpBasicAuthenticationHeader'],
      default: 'customExpression',
    },
    clientIdExpression: expression('Client ID Expression', "#[attributes.headers['client_id']]"),
    clientSecretExpression: expression('Client Secret Expression'),
  },
  genericNames: { credentialsOriginHasHttpBasicAuthenticationHeader: 'credentialsOrigin' },
});

export const jwtValidation = defineTemplate({
  assetId: 'jwt-validation',
  version: '0.12.0',
  name: 'JWT Validation',
  description:
    'Validates a JSON Web Token (signature with a text key or a JWKS, and the standard and custom claims) before the request reaches the API.',
  category: 'Security',
  mcpOnly: false,
  properties: {
    jwtOrigin: {
      type: 'string',
      title: 'JWT Origin',
      enum: ['httpBearerAuthenticationHeader', 'customExpression'],
    },
    jwtExpression: expression('JWT Expression', "#[attributes.headers['jwt']]"),
    signingMethod: {
      type: 'string',
      title: 'JWT Signing Method',
      description:
        'rsa (RS*), hmac (HS*) or es (ES*), with the key length. Unsigned tokens (none) cannot establish an identity and are refused.',
      enum: ['rsa', 'hmac', 'es'],
      default: 'rsa',
    },
    signingKeyLength: { type: 'integer', title: 'JWT Signing Key Length', enum: [256, 384, 512], default: 256 },
    jwtKeyOrigin: { type: 'string', title: 'JWT Key Origin', enum: ['text', 'jwks'], default: 'text' },
    textKey: {
      type: 'string',
      title: 'JWT Key',
      description: 'Shared secret (HMAC) or PEM public key.',
      minLength: 1,
      'x-sensitive': true,
    },
    customKeyExpression: expression('Custom Key Expression'),
    jwksUrl: { type: 'string', title: 'JWKS Url', format: 'httpUrl' },
    jwksServiceTimeToLive: { type: 'integer', title: 'JWKS Caching TTL (minutes)', minimum: 1, default: 60 },
    jwksServiceConnectionTimeout: { type: 'integer', title: 'JWKS Service connection timeout (ms)', minimum: 1, default: 10000 },
    skipClientIdValidation: { type: 'boolean', title: 'Skip Client Id Validation', default: false },
    clientIdExpression: expression('Client ID Expression', '#[vars.claimSet.client_id]'),
    validateAudClaim: { type: 'boolean', title: 'Validate Audience Claim', default: false },
    mandatoryAudClaim: { type: 'boolean', title: 'Audience Claim Mandatory', default: false },
    issuer: {
      type: 'string',
      title: 'Issuer',
      description: 'Comma-separated issuers (iss) the token must come from; empty accepts any.',
    },
    clockSkewSeconds: {
      type: 'integer',
      title: 'Clock skew (seconds)',
      description: 'Tolerance applied to exp and nbf.',
      minimum: 0,
      maximum: 3600,
      default: 0,
    },
    supportedAudiences: { type: 'string', title: 'Supported Audiences', description: 'Comma-separated audiences.' },
    mandatoryExpClaim: { type: 'boolean', title: 'Expiration Claim Mandatory', default: false },
    mandatoryNbfClaim: { type: 'boolean', title: 'Not Before Claim Mandatory', default: false },
    validateCustomClaim: { type: 'boolean', title: 'Validate Custom Claim', default: false },
    claimsToHeaders: { type: 'array', title: 'Claims to Headers', default: [], items: { type: 'string', minLength: 1 } },
    mandatoryCustomClaims: keyValueList('Mandatory Custom Claims'),
    nonMandatoryCustomClaims: keyValueList('Non Mandatory Custom Claims'),
    ...scopeProperties,
    ...protectedResourceProperties,
  },
  required: ['jwtOrigin'],
  allOf: [
    { if: { properties: { jwtKeyOrigin: { const: 'jwks' } }, required: ['jwtKeyOrigin'] }, then: { required: ['jwksUrl'] } },
    {
      // An absent key origin takes its default (text), which needs a key.
      if: { properties: { jwtKeyOrigin: { const: 'text' } } },
      then: { required: ['textKey'] },
    },
  ],
});

export const oauth2TokenIntrospection = defineTemplate({
  assetId: 'oauth2-token-introspection',
  version: '1.0.1',
  name: 'OAuth 2.0 Token Introspection',
  description: 'Validates bearer tokens against an RFC 7662 introspection endpoint, with caching and optional scope checks.',
  category: 'Security',
  mcpOnly: false,
  properties: {
    introspectionURL: { type: 'string', title: 'Introspection URL', format: 'httpUrl' },
    authorizationValue: {
      type: 'string',
      title: 'Authorization Value',
      description: 'Authorization header sent to the introspection endpoint, e.g. Basic <base64>.',
      minLength: 1,
      'x-sensitive': true,
    },
    validatedTokenTTL: { type: 'integer', title: 'Validated Token TTL (seconds)', minimum: 0, default: 600 },
    authenticationTimeout: { type: 'integer', title: 'Authentication Request Timeout (ms)', minimum: 1, default: 10000 },
    skipClientIdValidation: { type: 'boolean', title: 'Skip Client Id Validation', default: false },
    consumerBy: { type: 'string', title: 'Consumer By', enum: ['client_id', 'username'], default: 'client_id' },
    exposeHeaders: { type: 'boolean', title: 'Expose Headers', default: false },
    ...scopeProperties,
    maxCacheEntries: { type: 'integer', title: 'Max Cache Entries', minimum: 1, default: 1000 },
    ...protectedResourceProperties,
  },
  required: ['introspectionURL', 'authorizationValue'],
});

export const httpBasicAuthentication = defineTemplate({
  assetId: 'http-basic-authentication',
  version: '1.3.2',
  name: 'HTTP Basic Authentication',
  description: 'Allows only requests with the configured username and password in an HTTP Basic Authorization header.',
  category: 'Security',
  mcpOnly: false,
  properties: {
    username: { type: 'string', title: 'User Name', minLength: 1 },
    password: { type: 'string', title: 'User Password', minLength: 1, 'x-sensitive': true },
  },
  required: ['username', 'password'],
});

const ipListProperties = (verb: string): Record<string, JsonSchema> => ({
  ips: {
    type: 'array',
    title: 'IPs',
    description: `Addresses or CIDR ranges to ${verb}.`,
    minItems: 1,
    items: { type: 'string', format: 'ipOrCidr' },
  },
  // X-Forwarded-For is client-controlled unless a trusted proxy sets it, so the default is the
  // peer address; configure the header expression explicitly behind a load balancer.
  ipExpression: expression('IP Expression', '#[attributes.remoteAddress]'),
});

export const ipAllowlist = defineTemplate({
  assetId: 'ip-allowlist',
  version: '1.1.2',
  name: 'IP Allowlist',
  description: 'Allows only requests from the listed IP addresses or ranges.',
  category: 'Security',
  mcpOnly: false,
  properties: ipListProperties('allow'),
  required: ['ips'],
});

export const ipBlocklist = defineTemplate({
  assetId: 'ip-blocklist',
  version: '1.1.2',
  name: 'IP Blocklist',
  description: 'Rejects requests from the listed IP addresses or ranges.',
  category: 'Security',
  mcpOnly: false,
  properties: ipListProperties('block'),
  required: ['ips'],
});

export const apiKeyAuthentication = defineTemplate({
  assetId: 'api-key-authentication',
  version: '1.0.0',
  name: 'API Key Authentication',
  description:
    "Allows only requests carrying an active API key of the instance (created under the instance's api-keys, shown once, stored hashed, revocable), as a bearer token in Authorization or in the configured header.",
  category: 'Security',
  mcpOnly: false,
  properties: {
    headerName: {
      type: 'string',
      title: 'Header name',
      description: 'Authorization (the key as a bearer token) or another header carrying the key alone, e.g. X-API-Key.',
      format: 'httpHeaderName',
      default: 'Authorization',
    },
  },
});

export const upstreamCredential = defineTemplate({
  assetId: 'upstream-credential',
  version: '1.0.0',
  name: 'Upstream Credential',
  description:
    'Sends an API key or token to the upstream in a header (e.g. Authorization: Bearer <token> or X-API-Key: <key>), replacing any value the client sent. The secret is stored encrypted and never returned.',
  category: 'Security',
  mcpOnly: false,
  properties: {
    headerName: { type: 'string', title: 'Header name', format: 'httpHeaderName', default: 'Authorization' },
    prefix: {
      type: 'string',
      title: 'Prefix',
      description: 'Scheme put before the secret with one space, e.g. Bearer. Leave empty to send the secret alone.',
      format: 'httpHeaderValue',
      maxLength: 64,
    },
    value: { type: 'string', title: 'Secret value', minLength: 1, format: 'httpHeaderValue', 'x-sensitive': true },
  },
  required: ['value'],
});

/**
 * Gateway-managed OAuth (seed 003's "OAuth" mode): Portico is an OAuth client of the backend's
 * authorization server and holds each user's tokens (control plane, sealed); the gateway sends the
 * token of the user an earlier authentication policy identified. The client settings below are
 * the control plane's; gateways get the policy without the client secret.
 */
export const upstreamOAuth = defineTemplate({
  assetId: 'upstream-oauth',
  version: '1.0.0',
  name: 'Gateway-managed OAuth',
  description:
    "Sends each user's own token to the upstream MCP server: Portico registers as an OAuth client with the server's authorization server, asks each user to authorize once (the agent is given the authorization URL), stores the tokens encrypted, refreshes them, and never lets the agent see them. Needs an authentication policy before it, which identifies the user; the user signs in at the sign-in issuer before authorizing, so a consent link works only for the user it was made for.",
  category: 'Security',
  mcpOnly: true,
  properties: {
    issuer: { type: 'string', title: 'Authorization server issuer', format: 'httpUrl' },
    authorizationEndpoint: { type: 'string', title: 'Authorization endpoint', format: 'httpUrl' },
    tokenEndpoint: { type: 'string', title: 'Token endpoint', format: 'httpUrl' },
    revocationEndpoint: { type: 'string', title: 'Revocation endpoint (RFC 7009)', format: 'httpUrl' },
    clientId: { type: 'string', title: 'Client ID', minLength: 1, maxLength: 512 },
    clientSecret: {
      type: 'string',
      title: 'Client secret',
      description: 'Leave empty for a public client (PKCE only).',
      minLength: 1,
      'x-sensitive': true,
    },
    scopes: {
      type: 'array',
      title: 'Scopes',
      description: 'Scopes asked of each user.',
      default: [],
      items: { type: 'string', minLength: 1, maxLength: 200, format: 'oauthScope' },
    },
    redirectUri: {
      type: 'string',
      title: 'Redirect URI',
      description:
        "Portico's callback registered with the authorization server: <control plane public URL>/mcpgateway/api/v1/oauth/callback. Users' consent pages are on its origin.",
      format: 'httpUrl',
    },
    resource: {
      type: 'string',
      title: 'Resource (RFC 8707)',
      description: "The backend's resource identifier sent to the authorization server; default: the upstream URL.",
      format: 'httpUrl',
    },
    signInIssuer: {
      type: 'string',
      title: 'Sign-in issuer',
      description:
        "The OpenID provider users sign in at before they authorize (the issuer of the agents' tokens), so Portico knows the person who opens a consent link is the user it was made for: the ID token's sub must be the user's.",
      format: 'httpUrl',
    },
    signInAuthorizationEndpoint: { type: 'string', title: 'Sign-in authorization endpoint', format: 'httpUrl' },
    signInTokenEndpoint: { type: 'string', title: 'Sign-in token endpoint', format: 'httpUrl' },
    signInClientId: {
      type: 'string',
      title: 'Sign-in client ID',
      description:
        "Portico's client at the sign-in issuer, with the redirect URI <control plane public URL>/mcpgateway/api/v1/oauth/signin-callback.",
      minLength: 1,
      maxLength: 512,
    },
    signInClientSecret: {
      type: 'string',
      title: 'Sign-in client secret',
      description: 'Leave empty for a public client (PKCE only).',
      minLength: 1,
      'x-sensitive': true,
    },
  },
  required: [
    'issuer',
    'authorizationEndpoint',
    'tokenEndpoint',
    'clientId',
    'redirectUri',
    'signInIssuer',
    'signInAuthorizationEndpoint',
    'signInTokenEndpoint',
    'signInClientId',
  ],
});
