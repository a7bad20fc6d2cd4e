/**
 * `upstream-oauth` (gateway-managed OAuth, seed 003's "OAuth" mode): the upstream gets the token
 * the control plane holds for the user an earlier authentication policy identified (its
 * principal), in `Authorization: Bearer`, in place of whatever the client sent. Agents never hold
 * a backend token.
 *
 * - A user without a usable token gets the authorization URL the control plane made (code flow
 *   with PKCE): on an MCP POST, every request is answered with the MCP URL-elicitation error
 *   (−32042 URLElicitationRequired, `data.elicitations: [{ mode: 'url', url, elicitationId,
 *   message }]`, which the SDK raises as UrlElicitationRequiredError); any other request (a GET
 *   stream) is refused 403 naming the URL. Nothing reaches the upstream meanwhile.
 * - Without a principal the request is refused 403: the policy needs an authentication policy
 *   before it. The control plane's consent link signs the user in (OpenID Connect) and requires
 *   the ID token's `sub` to be the principal, so that is jwt-validation's (the token's `sub`).
 * - Tokens are kept per user (at most MAX_USERS, oldest dropped) until 30 s before they expire and
 *   for TOKEN_TTL_MS at most, so an operator's revocation reaches the gateway within that. An
 *   authorization URL is not kept: the next request asks again, so a user who just authorized is
 *   served at once (the control plane hands out the same URL meanwhile). Concurrent requests of
 *   one user share one control-plane call.
 * - A 401 from the upstream marks the user's token refused: the next request asks the control
 *   plane for another (refreshed, or a new authorization). The upstream's `WWW-Authenticate` is
 *   not passed on: it names the backend's authorization server, which is Portico's business.
 * - `<base path>/.portico/oauth-connection` is the user's own view of their connection (after the
 *   authentication policies): GET answers `{ connected, expiresAt }` or `{ connected: false,
 *   authorizationUrl }`, DELETE revokes it at the authorization server and forgets it.
 */
import { createHash } from 'node:crypto';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayError } from '../../errors.js';
import { IDENTITY_ATTRIBUTE, type ExchangeContext, type HeaderEdit, type Identity } from '../../policy-contract/context.js';
import type { BackendToken, BackendTokens, PolicyFactory } from '../../policy-contract/policy.js';
import { type HttpRequestVerdict, PASS, type Verdict } from '../../policy-contract/verdict.js';
import { isPromise } from '../../promises.js';
import { OAUTH_CONNECTION_PATH } from '../bearer-tokens.js';

const TOKEN_TTL_MS = 60_000;
const EXPIRY_MARGIN_MS = 30_000;
const MAX_USERS = 10_000;
/** Where the HTTP phase leaves the authorization a user must give, for the message phase. */
const CONSENT_ATTRIBUTE = 'upstream-oauth.consent';

interface UpstreamOAuthConfig {
  issuer: string;
  clientId: string;
}

type Consent = Extract<BackendToken, { kind: 'consent' }>;

/** A user's token as the gateway keeps it: the header edit that sends it, until `until`. */
interface TokenEntry {
  kind: 'token';
  edit: Verdict<HeaderEdit>;
  sha256: string;
  until: number;
}

/** What the control plane answered for a user. */
type Entry = TokenEntry | { kind: 'consent'; consent: Consent };

/** Users' tokens (and refused tokens), oldest first (a Map keeps insertion order), and the calls in flight. */
class UserTokens {
  private readonly entries = new Map<string, TokenEntry>();
  private readonly pending = new Map<string, Promise<Entry>>();
  /** Per user, the SHA-256 of a token the upstream refused. */
  private readonly refused = new Map<string, string>();

  constructor(
    private readonly source: BackendTokens,
    private readonly apiId: string,
    private readonly now: () => number,
  ) {}

  /** The user's token while it holds, else a promise of what the control plane answers now. */
  get(subject: string): Entry | Promise<Entry> {
    const entry = this.entries.get(subject);
    if (entry && entry.until > this.now()) return entry;
    this.entries.delete(subject);
    let call = this.pending.get(subject);
    if (!call) {
      call = this.source
        .userToken(this.apiId, subject, this.refused.get(subject))
        .then((answer) => this.keep(subject, answer))
        .finally(() => this.pending.delete(subject));
      this.pending.set(subject, call);
    }
    return call;
  }

  /** The upstream refused the token it was sent for `subject`. */
  refuse(subject: string): void {
    const entry = this.entries.get(subject);
    if (!entry) return;
    this.refused.set(subject, entry.sha256);
    if (this.refused.size > MAX_USERS) this.refused.delete(this.refused.keys().next().value!);
    this.entries.delete(subject);
  }

  forget(subject: string): void {
    this.entries.delete(subject);
    this.refused.delete(subject);
  }

  private keep(subject: string, answer: BackendToken): Entry {
    if (answer.kind === 'consent') return { kind: 'consent', consent: answer };
    const entry: TokenEntry = {
      kind: 'token',
      edit: Object.freeze({
        kind: 'mutate',
        message: Object.freeze({ set: Object.freeze({ authorization: `Bearer ${answer.accessToken}` }) }),
      }),
      sha256: createHash('sha256').update(answer.accessToken).digest('hex'),
      until: Math.min(this.now() + TOKEN_TTL_MS, answer.expiresAtMs > 0 ? answer.expiresAtMs - EXPIRY_MARGIN_MS : Infinity),
    };
    this.refused.delete(subject);
    this.entries.set(subject, entry);
    if (this.entries.size > MAX_USERS) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}

const NO_USER: HttpRequestVerdict<HeaderEdit> = Object.freeze({
  kind: 'reject',
  error: Object.freeze({
    kind: 'forbidden',
    message: 'This MCP server acts for each user: an authentication policy must identify the user before upstream-oauth',
  }),
});
const UNAVAILABLE: GatewayError = Object.freeze({
  kind: 'upstream-unavailable',
  message: "The control plane holding the users' tokens for this MCP server cannot be reached; retry later",
});
/** The client's own credentials never reach the upstream while a user must authorize. */
const WITHHOLD: Verdict<HeaderEdit> = Object.freeze({ kind: 'mutate', message: Object.freeze({ remove: ['authorization'] }) });
const DROP_CHALLENGE: Verdict<HeaderEdit> = Object.freeze({
  kind: 'mutate',
  message: Object.freeze({ remove: ['www-authenticate'] }),
});

function subjectOf(exchange: ExchangeContext): string | undefined {
  return (exchange.attributes.get(IDENTITY_ATTRIBUTE) as Identity | undefined)?.principal;
}

function consentMessage(exchange: ExchangeContext): string {
  return `Authorize Portico to use ${exchange.api.name} for you: open the link, sign in and consent, then retry`;
}

export const upstreamOAuthFactory: PolicyFactory<UpstreamOAuthConfig> = {
  type: 'upstream-oauth',
  compile(config, ctx) {
    const source = ctx.backendTokens;
    if (!source)
      throw new Error("needs the control plane's token service (BackendTokenService), which this gateway has no connection to");
    // Tokens are only good with the authorization server and client they were issued for.
    const users = ctx.state(
      `users:${config.issuer}:${config.clientId}`,
      () => new UserTokens(source, ctx.apiId, () => ctx.clock.now()),
    );

    /** The verdict for a request once the user's entry is known. */
    const decide = (exchange: ExchangeContext, entry: Entry): HttpRequestVerdict<HeaderEdit> => {
      if (entry.kind === 'token') return entry.edit;
      if (exchange.httpMethod === 'POST') {
        exchange.attributes.set(CONSENT_ATTRIBUTE, entry.consent);
        return WITHHOLD;
      }
      return { kind: 'reject', error: { kind: 'forbidden', message: `${consentMessage(exchange)}: ${entry.consent.url}` } };
    };

    const connectionView = async (exchange: ExchangeContext, subject: string): Promise<HttpRequestVerdict<HeaderEdit>> => {
      const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
      if (exchange.httpMethod === 'DELETE') {
        const revoked = await source.revokeUserToken(ctx.apiId, subject);
        users.forget(subject);
        return { kind: 'respond', status: 200, headers, body: JSON.stringify({ revoked }) };
      }
      if (exchange.httpMethod !== 'GET') {
        return { kind: 'respond', status: 405, headers: { allow: 'GET, DELETE' }, body: '' };
      }
      const entry = await users.get(subject);
      const body =
        entry.kind === 'token'
          ? { connected: true }
          : {
              connected: false,
              authorizationUrl: entry.consent.url,
              expiresAt: new Date(entry.consent.expiresAtMs).toISOString(),
            };
      return { kind: 'respond', status: 200, headers, body: JSON.stringify(body) };
    };

    return {
      warnings: [],
      policy: {
        name: 'upstream-oauth',
        onHttpRequest({ exchange }) {
          const subject = subjectOf(exchange);
          if (subject === undefined) return NO_USER;
          if (exchange.restPath === OAUTH_CONNECTION_PATH) {
            return connectionView(exchange, subject).catch(() => ({ kind: 'reject', error: UNAVAILABLE }));
          }
          const entry = users.get(subject);
          if (!isPromise(entry)) return decide(exchange, entry);
          return entry.then(
            (known) => decide(exchange, known),
            (): HttpRequestVerdict<HeaderEdit> => ({ kind: 'reject', error: UNAVAILABLE }),
          );
        },
        onRequest({ exchange, call }) {
          const consent = exchange.attributes.get(CONSENT_ATTRIBUTE) as Consent | undefined;
          if (consent === undefined || call.kind !== 'request') return PASS;
          const message = consentMessage(exchange);
          return {
            kind: 'reject',
            error: {
              kind: 'policy-denied',
              policy: 'upstream-oauth',
              code: ErrorCode.UrlElicitationRequired,
              message,
              data: { elicitations: [{ mode: 'url', elicitationId: consent.elicitationId, url: consent.url, message }] },
            },
          };
        },
        onHttpResponse({ exchange }, head) {
          if (head.status !== 401) return PASS;
          const subject = subjectOf(exchange);
          if (subject !== undefined) users.refuse(subject);
          return DROP_CHALLENGE;
        },
      },
    };
  },
};
