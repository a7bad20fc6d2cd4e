/**
 * Client applications with an approved contract on the instance, as the control plane sends them
 * (managed data `clients: {<client id>: {name, secretHash, …}}`, the secret hashed as the control
 * plane stores it: scrypt, libs/secret-hash), and the check of the credentials a request carries
 * against them, shared by client-id-enforcement and rate-limiting-sla-based.
 *
 * - Credentials: the `Authorization: Basic` header, or the client id and secret expressions (CEL;
 *   default the `client_id` header). Without a secret expression only the client id is checked,
 *   as in API Manager.
 * - Verifying a secret runs scrypt on the thread pool; outcomes are cached per client id and
 *   secret digest (10,000 at most, 10 minutes), so a client reusing its credentials costs a hash
 *   and a map lookup. A contract revoked or a secret reset is refused after the next push.
 */
import { hash } from 'node:crypto';
import { compileExpression, type PolicyExpression } from '#portico/policy-catalog';
import { verifySecret } from '#portico/secret-hash';
import type { ExchangeContext, Identity } from '../policy-contract/context.js';
import type { Clock } from '../policy-contract/policy.js';
import { TokenCache } from './bearer-tokens.js';
import type { Verdict } from '../policy-contract/verdict.js';
import { basicCredentials, realmChallenge } from './credentials.js';
import { evaluateFor } from './expression-activation.js';

/** A contracted application: the identity it establishes and its secret as stored. */
export interface ContractedApplication {
  readonly identity: Identity;
  readonly secretHash: string;
}

/** An entry of managed data `clients`, as sent. */
export type ClientEntry = Readonly<Record<string, unknown>>;

/** The contracted applications of managed data `clients`, each made by `make` from its entry. */
export function contractedApplications<C extends ContractedApplication>(
  managed: Readonly<Record<string, unknown>>,
  make: (application: ContractedApplication, entry: ClientEntry) => C,
): ReadonlyMap<string, C> {
  const clients = managed.clients;
  const out = new Map<string, C>();
  if (typeof clients !== 'object' || clients === null) return out;
  for (const [clientId, entry] of Object.entries(clients as Record<string, ClientEntry>)) {
    if (typeof entry?.secretHash !== 'string') continue;
    const clientName = typeof entry.name === 'string' ? entry.name : undefined;
    out.set(
      clientId,
      make({ identity: Object.freeze({ principal: clientId, clientId, clientName }), secretHash: entry.secretHash }, entry),
    );
  }
  return out;
}

/** Why a request's credentials were refused (the message of its 401). */
export const CLIENT_REFUSED = {
  missing: 'Client credentials are required',
  uncontracted: 'The client has no approved contract',
  invalid: 'The client credentials are not valid',
} as const;

export type ClientRefusal = (typeof CLIENT_REFUSED)[keyof typeof CLIENT_REFUSED];

/** The 401 of a refusal, challenging with `scheme` (`Basic` or `Client-Id`) for the API's realm. */
export function refusedClient(refusal: ClientRefusal, scheme: 'Basic' | 'Client-Id', exchange: ExchangeContext): Verdict<never> {
  return { kind: 'reject', error: { kind: 'unauthorized', message: refusal, wwwAuthenticate: realmChallenge(scheme, exchange) } };
}

export interface ClientCredentialsConfig {
  /** Read the credentials from `Authorization: Basic`. */
  basic: boolean;
  clientIdExpression?: string;
  clientSecretExpression?: string;
}

const CACHE_LIMIT = 10_000;
const CACHE_MS = 10 * 60_000;

/** Checks the credentials requests carry against a set of contracted applications. */
export class ClientCredentials<C extends ContractedApplication> {
  private readonly idExpression: PolicyExpression | undefined;
  private readonly secretExpression: PolicyExpression | undefined;
  // `<client id>\0<sha256 of the secret>` -> whether the secret verified.
  private readonly verified = new TokenCache<boolean>(CACHE_LIMIT);

  constructor(
    private readonly config: ClientCredentialsConfig,
    private readonly clients: ReadonlyMap<string, C>,
    private readonly clock: Clock,
  ) {
    this.idExpression = config.basic
      ? undefined
      : compileExpression(config.clientIdExpression ?? "#[attributes.headers['client_id']]");
    this.secretExpression =
      config.basic || config.clientSecretExpression === undefined || config.clientSecretExpression.trim() === ''
        ? undefined
        : compileExpression(config.clientSecretExpression);
  }

  /** The application the request's credentials name and prove, or why they do not. */
  check(exchange: ExchangeContext): C | ClientRefusal | Promise<C | ClientRefusal> {
    const presented = this.credentials(exchange);
    if (presented === undefined) return CLIENT_REFUSED.missing;
    const client = this.clients.get(presented.id);
    if (client === undefined) return CLIENT_REFUSED.uncontracted;
    if (presented.secret === undefined) return client;
    const key = `${presented.id}\0${hash('sha256', presented.secret, 'base64')}`;
    const known = this.verified.get(key, this.clock.now());
    if (known !== undefined) return known ? client : CLIENT_REFUSED.invalid;
    return verifySecret(presented.secret, client.secretHash).then((ok) => {
      this.verified.set(key, ok, this.clock.now() + CACHE_MS);
      return ok ? client : CLIENT_REFUSED.invalid;
    });
  }

  /** The client id and secret the request carries (secret undefined: not checked). */
  private credentials(exchange: ExchangeContext): { id: string; secret: string | undefined } | undefined {
    if (this.config.basic) {
      const presented = basicCredentials(exchange.headers.authorization);
      return presented && presented.user !== '' ? { id: presented.user, secret: presented.password } : undefined;
    }
    const id = evaluateFor(this.idExpression!, exchange);
    if (typeof id !== 'string' || id === '') return undefined;
    if (!this.secretExpression) return { id, secret: undefined };
    const secret = evaluateFor(this.secretExpression, exchange);
    return typeof secret === 'string' && secret !== '' ? { id, secret } : undefined;
  }
}
