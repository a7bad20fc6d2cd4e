/**
 * `client-id-enforcement` (contract §7, §10.6): only client applications with an approved
 * contract on the instance pass, identified by their client id and secret.
 *
 * - The credentials: the `Authorization: Basic` header (`credentialsOriginHasHttpBasicAuthenticationHeader:
 *   httpBasicAuthenticationHeader`), or `clientIdExpression` / `clientSecretExpression` (CEL;
 *   default the `client_id` header). Without a secret expression only the client id is checked,
 *   as in API Manager.
 * - The contracted applications come from the control plane as managed data
 *   `clients: {<client id>: {name, secretHash}}`, the secret hashed as the control plane stores it
 *   (scrypt, libs/secret-hash): a contract revoked, or a secret reset, is refused after the next
 *   push. Verifying a secret runs scrypt on the thread pool; outcomes are cached per client id
 *   and secret digest (10,000 at most, 10 minutes), so a client reusing its credentials costs a
 *   hash and a map lookup.
 * - Missing or wrong credentials: 401 with `WWW-Authenticate: Basic realm="<API>"` for the header
 *   origin, `Client-Id realm="<API>"` for expressions.
 *   The identity left for later policies: principal and client id the client id, the
 *   application's name. Basic credentials are not sent upstream.
 */
import { hash } from 'node:crypto';
import { compileExpression } from '#portico/policy-catalog';
import { verifySecret } from '#portico/secret-hash';
import { IDENTITY_ATTRIBUTE, type ExchangeContext, type HeaderEdit, type Identity } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import { TokenCache } from '../bearer-tokens.js';
import { AUTHORIZATION_CONSUMED, basicCredentials, realmChallenge } from '../credentials.js';
import { evaluateFor } from '../expression-activation.js';

interface ClientIdConfig {
  credentialsOriginHasHttpBasicAuthenticationHeader?: 'customExpression' | 'httpBasicAuthenticationHeader';
  clientIdExpression?: string;
  clientSecretExpression?: string;
}

interface Client {
  readonly identity: Identity;
  readonly secretHash: string;
}

const CACHE_LIMIT = 10_000;
const CACHE_MS = 10 * 60_000;

/** The contracted clients of managed data `clients`. */
function contractedApplications(managed: Readonly<Record<string, unknown>>): ReadonlyMap<string, Client> {
  const clients = managed.clients;
  const out = new Map<string, Client>();
  if (typeof clients !== 'object' || clients === null) return out;
  for (const [clientId, entry] of Object.entries(clients as Record<string, { name?: unknown; secretHash?: unknown }>)) {
    if (typeof entry?.secretHash !== 'string') continue;
    const clientName = typeof entry.name === 'string' ? entry.name : undefined;
    out.set(clientId, { identity: Object.freeze({ principal: clientId, clientId, clientName }), secretHash: entry.secretHash });
  }
  return out;
}

export const clientIdEnforcementFactory: PolicyFactory<ClientIdConfig> = {
  type: 'client-id-enforcement',
  compile(config, ctx) {
    const basic = config.credentialsOriginHasHttpBasicAuthenticationHeader === 'httpBasicAuthenticationHeader';
    const idExpression = basic ? undefined : compileExpression(config.clientIdExpression ?? "#[attributes.headers['client_id']]");
    const secretExpression =
      basic || config.clientSecretExpression === undefined || config.clientSecretExpression.trim() === ''
        ? undefined
        : compileExpression(config.clientSecretExpression);
    const clients = contractedApplications(ctx.managed);
    // `<client id>\0<sha256 of the secret>` -> whether the secret verified.
    const verified = new TokenCache<boolean>(CACHE_LIMIT);
    const { clock } = ctx;

    const refuse = (exchange: ExchangeContext, message: string): Verdict<never> => ({
      kind: 'reject',
      error: {
        kind: 'unauthorized',
        message,
        wwwAuthenticate: realmChallenge(basic ? 'Basic' : 'Client-Id', exchange),
      },
    });

    /** The client id and secret the request carries (secret undefined: not checked). */
    const credentials = (exchange: ExchangeContext): { id: string; secret: string | undefined } | undefined => {
      if (basic) {
        const presented = basicCredentials(exchange.headers.authorization);
        return presented && presented.user !== '' ? { id: presented.user, secret: presented.password } : undefined;
      }
      const id = evaluateFor(idExpression!, exchange);
      if (typeof id !== 'string' || id === '') return undefined;
      if (!secretExpression) return { id, secret: undefined };
      const secret = evaluateFor(secretExpression, exchange);
      return typeof secret === 'string' && secret !== '' ? { id, secret } : undefined;
    };

    const admit = (exchange: ExchangeContext, client: Client): Verdict<HeaderEdit> => {
      exchange.attributes.set(IDENTITY_ATTRIBUTE, client.identity);
      return basic ? AUTHORIZATION_CONSUMED : PASS;
    };

    const judge = (exchange: ExchangeContext, client: Client, verifiedSecret: boolean): Verdict<HeaderEdit> =>
      verifiedSecret ? admit(exchange, client) : refuse(exchange, 'The client credentials are not valid');

    return {
      warnings: [],
      policy: {
        name: 'client-id-enforcement',
        onHttpRequest({ exchange }) {
          const presented = credentials(exchange);
          if (presented === undefined) return refuse(exchange, 'Client credentials are required');
          const client = clients.get(presented.id);
          if (client === undefined) return refuse(exchange, 'The client has no approved contract');
          if (presented.secret === undefined) return admit(exchange, client);
          const key = `${presented.id}\0${hash('sha256', presented.secret, 'base64')}`;
          const known = verified.get(key, clock.now());
          if (known !== undefined) return judge(exchange, client, known);
          return verifySecret(presented.secret, client.secretHash).then((ok) => {
            verified.set(key, ok, clock.now() + CACHE_MS);
            return judge(exchange, client, ok);
          });
        },
      },
    };
  },
};
