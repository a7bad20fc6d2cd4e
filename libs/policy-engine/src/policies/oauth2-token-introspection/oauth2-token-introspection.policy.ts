/**
 * `oauth2-token-introspection` (contract §10.6): the bearer token is validated by the
 * authorization server's RFC 7662 introspection endpoint before the request body is read.
 *
 * - The gateway POSTs `token=<token>&token_type_hint=access_token` to `introspectionURL` with
 *   `Authorization: <authorizationValue>`, waiting at most `authenticationTimeout` ms. An endpoint
 *   that fails or does not answer 200 with JSON is an outage, not a bad token: the hook throws and
 *   the request is answered 500 (the policy fails closed).
 * - `active: false`, or an `exp` in the past: 401 `invalid_token`. No token: 401 `Bearer`.
 * - With `authorizationServers` the instance is an OAuth protected resource (bearer-tokens.ts
 *   ResourceServer): challenges carry `resource_metadata`, and the token's `aud` must name the URL
 *   the client addressed.
 * - `scopes` (space-separated) must all (`AND`) or any (`OR`) be in the token's `scope`, else
 *   403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` (RFC 6750 §3.1).
 * - Unless `skipClientIdValidation`, the token's `client_id` must name an application with an
 *   approved contract on the instance (managed data `clientIds`).
 * The identity left for later policies: principal from `consumerBy` (`client_id` or `username`),
 * the client id, and the introspection response as claims. With `exposeHeaders`, the response's
 * scalar fields go upstream as `x-introspection-<field>`; the token itself does not, unless
 * `forwardToken`.
 *
 * Introspection answers are cached (`maxCacheEntries`) until the token's `exp` and for
 * `validatedTokenTTL` seconds at most (inactive tokens are not); requests arriving while a token
 * is being introspected share that request.
 */
import { IDENTITY_ATTRIBUTE, type ExchangeContext, type HeaderEdit, type Identity } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import type { Verdict } from '../../policy-contract/verdict.js';
import { bearerToken, contractedClients, ResourceServer, type ResourceServerConfig, TokenCache } from '../bearer-tokens.js';

interface IntrospectionConfig extends ResourceServerConfig {
  introspectionURL: string;
  authorizationValue: string;
  validatedTokenTTL?: number;
  authenticationTimeout?: number;
  skipClientIdValidation?: boolean;
  consumerBy?: 'client_id' | 'username';
  exposeHeaders?: boolean;
  maxCacheEntries?: number;
}

type Introspection = Record<string, unknown> & { active?: unknown; scope?: unknown; exp?: unknown; client_id?: unknown };

/**
 * What an introspected token comes to: refused (why), or admitted (identity, edit) subject to the
 * checks that depend on the request (audience, scopes).
 */
type Outcome =
  | { readonly refused: string }
  | { readonly identity: Identity; readonly edit: Verdict<HeaderEdit>; readonly aud: unknown; readonly scoped: boolean };

const HEADER_PREFIX = 'x-introspection-';

export const oauth2TokenIntrospectionFactory: PolicyFactory<IntrospectionConfig> = {
  type: 'oauth2-token-introspection',
  compile(config, ctx) {
    const ttlMs = (config.validatedTokenTTL ?? 600) * 1000;
    const timeoutMs = config.authenticationTimeout ?? 10_000;
    const server = new ResourceServer(config);
    const contracted = contractedClients(ctx.managed);
    const cache = new TokenCache<Outcome>(config.maxCacheEntries ?? 1000);
    const inFlight = new Map<string, Promise<Outcome>>();
    const { clock } = ctx;

    const introspect = async (token: string): Promise<Introspection> => {
      const response = await ctx.fetch(config.introspectionURL, {
        method: 'POST',
        headers: {
          authorization: config.authorizationValue,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200) throw new Error(`the introspection endpoint answered ${response.status}`);
      const body = (await response.json()) as unknown;
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new Error('the introspection answer is not a JSON object');
      return body as Introspection;
    };

    /** Judges an introspection answer; caches what may be cached. */
    const judge = (token: string, answer: Introspection): Outcome => {
      const expires = typeof answer.exp === 'number' ? answer.exp * 1000 : Number.POSITIVE_INFINITY;
      if (answer.active !== true || expires <= clock.now()) return { refused: 'the token is not active' };
      const clientId = typeof answer.client_id === 'string' ? answer.client_id : undefined;
      let outcome: Outcome;
      if (!config.skipClientIdValidation && (clientId === undefined || !contracted.has(clientId))) {
        outcome = { refused: clientId === undefined ? 'the token names no client' : 'the client has no approved contract' };
      } else {
        const consumer = answer[config.consumerBy ?? 'client_id'];
        const set: Record<string, string> = {};
        if (config.exposeHeaders) {
          for (const [field, value] of Object.entries(answer)) {
            if (field !== 'active' && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'))
              set[`${HEADER_PREFIX}${field.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`] = String(value).replace(/[\r\n\0]/g, ' ');
          }
        }
        outcome = {
          identity: Object.freeze({
            principal: typeof consumer === 'string' ? consumer : clientId,
            clientId,
            claims: Object.freeze({ ...answer }),
          }),
          edit: Object.freeze({
            kind: 'mutate',
            message: Object.freeze(config.forwardToken ? { set } : { set, remove: ['authorization'] }),
          }),
          aud: answer.aud,
          scoped: server.hasScopes(answer.scope),
        };
      }
      cache.set(token, outcome, Math.min(expires, clock.now() + ttlMs));
      return outcome;
    };

    const apply = (exchange: ExchangeContext, outcome: Outcome): Verdict<HeaderEdit> => {
      if ('refused' in outcome) return server.unauthorized(exchange, outcome.refused);
      if (!server.audienceAccepted(outcome.aud, exchange))
        return server.unauthorized(exchange, 'the token was not issued for this resource');
      if (!outcome.scoped) return server.insufficientScope(exchange);
      exchange.attributes.set(IDENTITY_ATTRIBUTE, outcome.identity);
      return outcome.edit;
    };

    return {
      warnings: [],
      policy: {
        name: 'oauth2-token-introspection',
        failureMode: 'fail-closed',
        protectedResource: server.protectedResource,
        onHttpRequest({ exchange }) {
          const token = bearerToken(exchange.headers.authorization);
          if (token === undefined) return server.unauthorized(exchange, undefined);
          const cached = cache.get(token, clock.now());
          if (cached !== undefined) return apply(exchange, cached);
          let pending = inFlight.get(token);
          if (pending === undefined) {
            pending = introspect(token)
              .then((answer) => judge(token, answer))
              .finally(() => inFlight.delete(token));
            inFlight.set(token, pending);
          }
          return pending.then((outcome) => apply(exchange, outcome));
        },
      },
    };
  },
};
