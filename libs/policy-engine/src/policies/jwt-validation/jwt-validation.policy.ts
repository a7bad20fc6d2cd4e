/**
 * `jwt-validation` (contract §10.6, Flex's keys): a JSON Web Token (JWS) checked before the
 * request body is read, with `jose`.
 *
 * - The token: the `Authorization: Bearer` header, or `jwtExpression` (CEL). None: 401 with
 *   `WWW-Authenticate: Bearer` (RFC 6750 §3.1; Flex answers 400, MCP clients expect 401).
 * - The signature: `signingMethod` + `signingKeyLength` name the one algorithm accepted (RS*, HS*,
 *   ES*); unsigned tokens are refused by the catalog. The key is `textKey` (an HMAC secret or a
 *   PEM public key) or the JWKS at `jwksUrl`, fetched on first use, cached `jwksServiceTimeToLive`
 *   minutes and fetched again when a token names an unknown `kid` (at most every 2 s). The JWKS
 *   cache outlives configuration pushes.
 * - The claims: exp and nbf when present (mandatory with `mandatoryExpClaim` /
 *   `mandatoryNbfClaim`), with `clockSkewSeconds`; `issuer` (comma-separated); with
 *   `validateAudClaim`, aud must name one of `supportedAudiences` (and be present with
 *   `mandatoryAudClaim`); with `validateCustomClaim`, each mandatory custom claim must be present
 *   and each custom claim present must match: a `#[…]` value is a CEL condition over
 *   `vars.claimSet`, any other value must equal the claim (or be one of its values).
 * - The client: `clientIdExpression` (default the `client_id` claim) names the client
 *   application; unless `skipClientIdValidation`, it must have an approved contract with the
 *   instance (the control plane sends their client ids as managed data `clientIds`).
 * - With `authorizationServers` the instance is an OAuth protected resource (bearer-tokens.ts
 *   ResourceServer): challenges carry `resource_metadata`, and `aud` must name the URL the client
 *   addressed. `scopes` are checked against the `scope` (or `scp`) claim: 403 insufficient_scope.
 * A token failing any check is answered 401 with `WWW-Authenticate: Bearer error="invalid_token"`
 * and a description naming the check. A valid one leaves the identity (principal: `sub`, client
 * id, claims) for the policies after it; `claimsToHeaders` sends claims upstream as
 * `x-jwt-claim-<name>` headers; the bearer token itself is not sent upstream unless `forwardToken`.
 *
 * Verified tokens are cached (up to 10,000, each until its exp or for 5 minutes at most), so a
 * client reusing its token costs a map lookup, not a signature check. What a token comes to is
 * therefore judged once per token: custom-claim conditions and `clientIdExpression` are about the
 * claims, not the request (request conditions belong in mcp-acl); only the audience of a protected
 * resource, which depends on the URL addressed, is checked per request.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { compileExpression, type PolicyExpression } from '#portico/policy-catalog';
import { createRemoteJWKSet, customFetch, errors as joseErrors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { IDENTITY_ATTRIBUTE, type ExchangeContext, type HeaderEdit, type Identity } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import type { Verdict } from '../../policy-contract/verdict.js';
import { bearerToken, contractedClients, ResourceServer, type ResourceServerConfig, TokenCache } from '../bearer-tokens.js';
import { evaluateFor, expressionActivation } from '../expression-activation.js';

interface ClaimRule {
  key: string;
  value: string;
}

export interface JwtValidationConfig extends ResourceServerConfig {
  jwtOrigin: 'httpBearerAuthenticationHeader' | 'customExpression';
  jwtExpression?: string;
  signingMethod?: 'rsa' | 'hmac' | 'es';
  signingKeyLength?: 256 | 384 | 512;
  jwtKeyOrigin?: 'text' | 'jwks';
  textKey?: string;
  jwksUrl?: string;
  jwksServiceTimeToLive?: number;
  jwksServiceConnectionTimeout?: number;
  skipClientIdValidation?: boolean;
  clientIdExpression?: string;
  validateAudClaim?: boolean;
  mandatoryAudClaim?: boolean;
  supportedAudiences?: string;
  issuer?: string;
  clockSkewSeconds?: number;
  mandatoryExpClaim?: boolean;
  mandatoryNbfClaim?: boolean;
  validateCustomClaim?: boolean;
  claimsToHeaders?: string[];
  mandatoryCustomClaims?: ClaimRule[];
  nonMandatoryCustomClaims?: ClaimRule[];
}

const CACHE_LIMIT = 10_000;
const CACHE_MAX_MS = 5 * 60_000;
// After a fetch, a token naming an unknown kid waits this long before the JWKS is fetched again.
const JWKS_COOLDOWN_MS = 2_000;
const ALGORITHM_PREFIX = { rsa: 'RS', hmac: 'HS', es: 'ES' } as const;
const CLAIM_HEADER_PREFIX = 'x-jwt-claim-';

/** A token's outcome, cached: the identity and header edit to apply, its audience, whether it has the scopes. */
interface Accepted {
  readonly identity: Identity;
  readonly edit: Verdict<HeaderEdit>;
  readonly aud: unknown;
  readonly scoped: boolean;
}

class Refused extends Error {}

/** A claim rule: a CEL condition over the claims, or a literal the claim must equal (or contain). */
function claimCheck(rule: ClaimRule): (claims: JWTPayload, exchange: ExchangeContext) => boolean {
  const value = rule.value.trim();
  if (value.startsWith('#[')) {
    const condition: PolicyExpression = compileExpression(value);
    return (claims, exchange) => condition.holds({ ...expressionActivation(exchange, undefined), vars: { claimSet: claims } });
  }
  return (claims) => {
    const claim = claims[rule.key];
    return Array.isArray(claim) ? claim.some((c) => String(c) === value) : claim !== undefined && String(claim) === value;
  };
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const jwtValidationFactory: PolicyFactory<JwtValidationConfig> = {
  type: 'jwt-validation',
  compile(config, ctx) {
    const method = config.signingMethod ?? 'rsa';
    const length = config.signingKeyLength ?? 256;
    const algorithm = `${ALGORITHM_PREFIX[method]}${method === 'es' && length === 512 ? 512 : length}`;
    let key: KeyObject | JWTVerifyGetKey;
    if ((config.jwtKeyOrigin ?? 'text') === 'jwks') {
      const url = config.jwksUrl!;
      const ttlMs = (config.jwksServiceTimeToLive ?? 60) * 60_000;
      const timeoutMs = config.jwksServiceConnectionTimeout ?? 10_000;
      key = ctx.state(`jwks ${url} ${ttlMs} ${timeoutMs}`, () =>
        createRemoteJWKSet(new URL(url), {
          cacheMaxAge: ttlMs,
          timeoutDuration: timeoutMs,
          cooldownDuration: JWKS_COOLDOWN_MS,
          [customFetch]: ctx.fetch,
        }),
      );
    } else {
      const text = config.textKey!;
      try {
        key = method === 'hmac' ? createSecretKey(Buffer.from(text, 'utf8')) : createPublicKey(text);
      } catch (error) {
        throw new Error(`textKey is not a PEM public key for ${algorithm} (${(error as Error).message})`);
      }
    }
    const issuers = list(config.issuer);
    const audiences = config.validateAudClaim ? list(config.supportedAudiences) : [];
    const required = [...(config.mandatoryExpClaim ? ['exp'] : []), ...(config.mandatoryNbfClaim ? ['nbf'] : [])];
    const mandatory = config.validateCustomClaim
      ? (config.mandatoryCustomClaims ?? []).map((rule) => ({ key: rule.key, check: claimCheck(rule) }))
      : [];
    const optional = config.validateCustomClaim
      ? (config.nonMandatoryCustomClaims ?? []).map((rule) => ({ key: rule.key, check: claimCheck(rule) }))
      : [];
    const tokenExpression =
      config.jwtOrigin === 'customExpression'
        ? compileExpression(config.jwtExpression ?? "#[attributes.headers['jwt']]")
        : undefined;
    const clientIdExpression = compileExpression(config.clientIdExpression ?? '#[vars.claimSet.client_id]');
    const contracted = contractedClients(ctx.managed);
    const claimHeaders = (config.claimsToHeaders ?? []).map(
      (claim) => [claim, `${CLAIM_HEADER_PREFIX}${claim.toLowerCase()}`] as const,
    );
    const accepted = new TokenCache<Accepted>(CACHE_LIMIT);
    const server = new ResourceServer(config);
    const { clock } = ctx;

    const tokenOf = (exchange: ExchangeContext): string | undefined => {
      if (tokenExpression) {
        const value = evaluateFor(tokenExpression, exchange);
        return typeof value === 'string' && value !== '' ? value.replace(/^Bearer\s+/i, '') : undefined;
      }
      return bearerToken(exchange.headers.authorization);
    };

    /** The checks after the signature: audience, custom claims, client; throws Refused. */
    const accept = (claims: JWTPayload, exchange: ExchangeContext): Accepted => {
      if (audiences.length > 0) {
        const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
        if (aud.length === 0 ? config.mandatoryAudClaim : !aud.some((a) => audiences.includes(a)))
          throw new Refused(aud.length === 0 ? 'the aud claim is missing' : 'the audience is not accepted');
      }
      for (const rule of mandatory) {
        if (claims[rule.key] === undefined) throw new Refused(`the ${rule.key} claim is missing`);
        if (!rule.check(claims, exchange)) throw new Refused(`the ${rule.key} claim is not accepted`);
      }
      for (const rule of optional) {
        if (claims[rule.key] !== undefined && !rule.check(claims, exchange))
          throw new Refused(`the ${rule.key} claim is not accepted`);
      }
      const clientId = clientIdExpression.evaluate({ ...expressionActivation(exchange, undefined), vars: { claimSet: claims } });
      const client = typeof clientId === 'string' && clientId !== '' ? clientId : undefined;
      if (!config.skipClientIdValidation && (client === undefined || !contracted.has(client)))
        throw new Refused(client === undefined ? 'the token names no client' : 'the client has no approved contract');
      const set: Record<string, string> = {};
      for (const [claim, header] of claimHeaders) {
        const value = claims[claim];
        if (value !== undefined)
          set[header] = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/[\r\n\0]/g, ' ');
      }
      const edit: HeaderEdit =
        config.jwtOrigin === 'httpBearerAuthenticationHeader' && !config.forwardToken
          ? { set, remove: ['authorization'] }
          : { set };
      return {
        identity: Object.freeze({
          principal: typeof claims.sub === 'string' ? claims.sub : client,
          clientId: client,
          claims: Object.freeze(claims),
        }),
        edit: Object.freeze({ kind: 'mutate', message: Object.freeze(edit) }),
        aud: claims.aud,
        scoped: server.hasScopes(claims.scope ?? claims.scp),
      };
    };

    const admit = (exchange: ExchangeContext, entry: Accepted): Verdict<HeaderEdit> => {
      if (!server.audienceAccepted(entry.aud, exchange))
        return server.unauthorized(exchange, 'the token was not issued for this resource');
      if (!entry.scoped) return server.insufficientScope(exchange);
      exchange.attributes.set(IDENTITY_ATTRIBUTE, entry.identity);
      return entry.edit;
    };

    const verify = async (token: string, exchange: ExchangeContext): Promise<Verdict<HeaderEdit>> => {
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(token, key as KeyObject, {
          algorithms: [algorithm],
          issuer: issuers.length > 0 ? issuers : undefined,
          requiredClaims: required,
          clockTolerance: config.clockSkewSeconds ?? 0,
          currentDate: new Date(clock.now()),
        }));
      } catch (error) {
        if (error instanceof joseErrors.JOSEError && !(error instanceof joseErrors.JWKSTimeout)) {
          return server.unauthorized(exchange, describe(error));
        }
        throw error;
      }
      let entry: Accepted;
      try {
        entry = accept(claims, exchange);
      } catch (error) {
        if (error instanceof Refused) return server.unauthorized(exchange, error.message);
        throw error;
      }
      const expires = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY;
      accepted.set(token, entry, Math.min(expires + (config.clockSkewSeconds ?? 0) * 1000, clock.now() + CACHE_MAX_MS));
      return admit(exchange, entry);
    };

    return {
      warnings: [],
      policy: {
        name: 'jwt-validation',
        // An unreachable JWKS is an outage of the key source, not a bad token: answered 500.
        failureMode: 'fail-closed',
        protectedResource: server.protectedResource,
        onHttpRequest({ exchange }) {
          const token = tokenOf(exchange);
          if (token === undefined) return server.unauthorized(exchange, undefined);
          const cached = accepted.get(token, clock.now());
          return cached === undefined ? verify(token, exchange) : admit(exchange, cached);
        },
      },
    };
  },
};

/** What failed, in words a client may see (never the key or the token). */
function describe(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `the ${error.claim} claim is missing`;
    if (error.claim === 'nbf') return 'the token is not valid yet';
    if (error.claim === 'iss') return 'the issuer is not accepted';
    return `the ${error.claim} claim is not accepted`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the signing algorithm is not accepted';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the issuer matches the token';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  return 'the token cannot be read';
}
