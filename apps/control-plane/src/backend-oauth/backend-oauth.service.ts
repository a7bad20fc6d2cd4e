/**
 * Gateway-managed OAuth (seed 003's "OAuth: gateway-managed OAuth connection"): Portico holds each
 * user's tokens for an MCP backend whose instance has the upstream-oauth policy.
 *
 * - A gateway asks for the token of the user an earlier authentication policy identified
 *   (BackendTokenService over mTLS, for an API deployed to it only). A stored token is handed out
 *   while it has more than REFRESH_MARGIN_MS left; then it is refreshed, one refresh at a time
 *   per connection (refresh tokens may rotate) under a lease on its row, not a transaction held
 *   across the authorization server's answer. A user without a usable connection gets an
 *   link to Portico's consent page, which the gateway hands the agent as a URL-mode elicitation.
 * - The person who opens a link must be the user it was made for (MCP elicitation, "Phishing":
 *   otherwise Alice could send her link to Bob and get Bob's backend account on her identity).
 *   The page names the user and the backend; its button (a POST from Portico's own origin, so
 *   another site cannot submit it) sends the browser to the sign-in issuer, the OpenID provider
 *   the agents' tokens come from (OIDC code flow, PKCE). The sign-in callback compares the ID
 *   token's `sub` with the user's: another user burns the link (403). The same user's browser is
 *   given a cookie (browser-cookie.ts) and sent to the backend's authorization server (code flow,
 *   PKCE S256, RFC 8707 resource); its callback is taken only from that browser, so a backend
 *   authorization URL forwarded to someone else connects nothing. The tokens are stored sealed.
 *   Agents never see a backend token.
 * - The state is 256 random bits, looked up by its SHA-256, single-use, valid CONSENT_TTL_MS. A
 *   user asked again while a flow of theirs no browser has taken up has more than half its time
 *   left gets the same URL (kept sealed), so an agent retrying does not pile up flows.
 * - Operators list and revoke connections over REST; users revoke their own through the gateway.
 *   Revoking tells the authorization server (RFC 7009, best effort) and forgets the tokens.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { findPolicyTemplate, mapSensitive } from '#portico/policy-catalog';
import type {
  GetUserTokenRequest,
  GetUserTokenResponse,
  RevokeUserTokenRequest,
  RevokeUserTokenResponse,
} from '#portico/proto-ts';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { parseIntegerId } from '../common/integer-id.js';
import { SecretBox } from '../common/secret-box.js';
import { sha256 } from '../common/secrets.js';
import { ENV, type Env } from '../config/env.js';
import {
  AuthorizationServerClient,
  AuthorizationServerError,
  type IssuedTokens,
  type OAuthClient,
  type OAuthClientSettings,
} from './authorization-server-client.js';
import { BackendOAuthRepository } from './backend-oauth.repository.js';
import { browserOf, newBrowserCookie } from './browser-cookie.js';
import { sameIssuer, signInIssuer } from './sign-in-issuer.js';

/** A token with less than this left is refreshed before it is handed out. */
const REFRESH_MARGIN_MS = 60_000;
const CONSENT_TTL_MS = 10 * 60_000;
/** A refresh's lease on its connection: longer than the authorization server's timeout (10 s). */
const REFRESH_LEASE_MS = 20_000;
/** How long a call waits for another's refresh: less than the gateway waits for the answer (10 s). */
const REFRESH_WAIT_MS = 8_000;
/** How often a call waiting for another's refresh looks again. */
const REFRESH_POLL_MS = 100;
/** lastUsedAt is written at most this often per connection. */
const USE_RECORD_INTERVAL_MS = 60_000;
export const CALLBACK_PATH = '/mcpgateway/api/v1/oauth/callback';
export const SIGN_IN_CALLBACK_PATH = '/mcpgateway/api/v1/oauth/signin-callback';
export const CONSENT_PATH = '/mcpgateway/api/v1/oauth/consents';

type PolicyRecord = NonNullable<Awaited<ReturnType<BackendOAuthRepository['policyOfApi']>>>;
type ConnectionRecord = NonNullable<Awaited<ReturnType<BackendOAuthRepository['connection']>>>;

/** The sign-in client as the policy's configuration holds it. */
interface SignInConfig {
  signInIssuer: string;
  signInAuthorizationEndpoint: string;
  signInTokenEndpoint: string;
  signInClientId: string;
  signInClientSecret?: string;
}

interface Settings extends OAuthClientSettings {
  redirectUri: string;
  /** Portico's client at the sign-in issuer */
  signIn: OAuthClient;
}

/** A gRPC refusal (config-sync.server.ts statusFor passes it on as is). */
function refusal(code: GrpcStatus, details: string) {
  return Object.assign(new Error(details), { code, details });
}

/** A page of the consent flow; with `action`, a button that POSTs back to the page. */
export interface CallbackPage {
  status: number;
  title: string;
  message: string;
  action?: string;
}

const NO_LONGER_VALID: CallbackPage = {
  status: 400,
  title: 'This authorization link is no longer valid',
  message: 'It was used already or has expired. Call the tool again from your agent to get a new link.',
};
const OTHER_BROWSER: CallbackPage = {
  status: 403,
  title: 'Not connected',
  message:
    'This link is being followed in another browser, so nothing was connected. Call the tool again from your agent and follow its link yourself, in one browser.',
};
const SIGN_IN_CHANGED: CallbackPage = {
  status: 409,
  title: 'Not connected',
  message:
    "This MCP server's authentication changed since its connection was set up, so Portico cannot check who you are. Ask its operator to set its connection again.",
};
const NOT_OAUTH: CallbackPage = {
  status: 409,
  title: 'Not connected',
  message: 'This MCP server no longer uses gateway-managed OAuth.',
};

@Injectable()
export class BackendOAuthService {
  private readonly logger = new Logger('BackendOAuth');
  private readonly client: AuthorizationServerClient;

  constructor(
    private readonly repo: BackendOAuthRepository,
    private readonly secrets: SecretBox,
    private readonly audit: AuditTrailService,
    @Inject(ENV) private readonly env: Env,
  ) {
    // The authorization server is a URL the operator (or a probed server's metadata) chose, like a
    // probe's: the same deny list keeps it off the private network.
    this.client = new AuthorizationServerClient(env.PORTICO_PROBE_DENY);
  }

  /** BackendTokenService.GetUserToken for gateway `targetId`. */
  async userToken(targetId: string, request: GetUserTokenRequest): Promise<GetUserTokenResponse> {
    const policy = await this.policyFor(targetId, request.apiId, request.subject);
    const settings = this.settings(policy);
    const connection = await this.repo.connection(policy.api.id, request.subject);
    if (connection && sameClient(connection, settings)) {
      const token = await this.usableToken(connection, settings, request.refusedAccessTokenSha256);
      if (token) return { result: { $case: 'token', value: token } };
    }
    return { result: { $case: 'consent', value: await this.startConsent(policy, settings, request.subject) } };
  }

  /** BackendTokenService.RevokeUserToken: a user revoking their own connection through the gateway. */
  async revokeUserToken(targetId: string, request: RevokeUserTokenRequest): Promise<RevokeUserTokenResponse> {
    const policy = await this.policyFor(targetId, request.apiId, request.subject);
    const connection = await this.repo.connection(policy.api.id, request.subject);
    if (!connection) return { revoked: false };
    return { revoked: await this.revoke(connection, this.settings(policy)) };
  }

  /**
   * The browser's return from the authorization server: stores the user's tokens, when the browser
   * is the one that signed in as the user (`cookieHeader`, its Cookie header).
   */
  async callback(query: URLSearchParams, cookieHeader: string | undefined): Promise<CallbackPage> {
    const state = query.get('state');
    const consent = state ? await this.repo.takeConsent(sha256(state)) : null;
    if (!state || !consent || consent.expiresAt.getTime() < Date.now()) return NO_LONGER_VALID;
    if (!consent.signedInAt || !this.sameBrowser(consent, cookieHeader)) {
      this.logger.warn(
        `API ${consent.apiId}: an authorization for ${JSON.stringify(consent.subject)} came back to another browser`,
      );
      return OTHER_BROWSER;
    }
    const policy = await this.repo.policyOfApi(consent.apiId);
    if (!policy) return NOT_OAUTH;
    const name = backendName(policy);
    if (query.get('error')) {
      const description = query.get('error_description');
      return {
        status: 400,
        title: 'Not connected',
        message: `The authorization server answered ${query.get('error')}${description ? `: ${description}` : ''}. Call the tool again from your agent to retry.`,
      };
    }
    const settings = this.settings(policy);
    try {
      const tokens = await this.client.exchangeCode(
        settings,
        query,
        state,
        consent.redirectUri,
        this.secrets.open(consent.codeVerifierSealed),
      );
      await this.repo.saveConnection(this.sealed(consent.apiId, consent.subject, settings, tokens));
      this.logger.log(`user ${JSON.stringify(consent.subject)} connected API ${consent.apiId} (${settings.issuer})`);
      return {
        status: 200,
        title: 'Connected',
        message: `Portico is connected to ${name} for you. You can return to your agent.`,
      };
    } catch (err) {
      const message = err instanceof AuthorizationServerError ? err.message : 'the token request failed';
      this.logger.warn(`API ${consent.apiId}: ${message}`);
      return { status: 502, title: 'Not connected', message: `${message}. Call the tool again from your agent to retry.` };
    }
  }

  /**
   * The upstream-oauth configuration for `issuer`: its endpoints read from its metadata, and
   * `clientId` (with `clientSecret`) or, without one, a client registered for Portico (RFC 7591);
   * the same for the sign-in issuer, an OpenID provider, with `signIn.redirectUri`.
   */
  async clientConfiguration(request: {
    issuer: string;
    scopes: string[];
    clientId?: string;
    clientSecret?: string;
    resource?: string;
    redirectUri: string;
    clientName: string;
    signIn: { issuer: string; clientId?: string; clientSecret?: string; redirectUri: string };
  }) {
    const { clientName } = request;
    const backend = await this.registeredClient(request, { scopes: request.scopes, clientName, refresh: true });
    const signIn = await this.registeredClient(request.signIn, { scopes: ['openid'], clientName, refresh: false });
    return {
      ...backend,
      scopes: request.scopes,
      redirectUri: request.redirectUri,
      ...(request.resource ? { resource: request.resource } : {}),
      signInIssuer: signIn.issuer,
      signInAuthorizationEndpoint: signIn.authorizationEndpoint,
      signInTokenEndpoint: signIn.tokenEndpoint,
      signInClientId: signIn.clientId,
      ...(signIn.clientSecret ? { signInClientSecret: signIn.clientSecret } : {}),
    };
  }

  /**
   * Portico's client at `request.issuer`, whose metadata must offer PKCE with S256 (and, asked for
   * `openid`, be an OpenID provider's): the given `clientId`, or one registered now (RFC 7591).
   * A failure is a 502 naming the issuer.
   */
  private async registeredClient(
    request: { issuer: string; clientId?: string; clientSecret?: string; redirectUri: string },
    options: { scopes: string[]; clientName: string; refresh: boolean },
  ): Promise<OAuthClient> {
    try {
      const server = await this.client.discover(request.issuer);
      if (server.codeChallengeMethods && !server.codeChallengeMethods.includes('S256')) {
        throw new AuthorizationServerError(`${request.issuer} does not support PKCE with S256, which Portico requires`);
      }
      if (options.scopes.includes('openid') && server.scopesSupported && !server.scopesSupported.includes('openid')) {
        throw new AuthorizationServerError(`${request.issuer} is not an OpenID provider (its scopes_supported has no openid)`);
      }
      const client = request.clientId
        ? { clientId: request.clientId, clientSecret: request.clientSecret }
        : await this.client.register(server, request.redirectUri, options.clientName, options.scopes, options.refresh);
      return {
        issuer: server.issuer,
        authorizationEndpoint: server.authorizationEndpoint,
        tokenEndpoint: server.tokenEndpoint,
        ...(server.revocationEndpoint ? { revocationEndpoint: server.revocationEndpoint } : {}),
        clientId: client.clientId,
        ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
      };
    } catch (err) {
      if (!(err instanceof AuthorizationServerError)) throw err;
      const field = options.scopes.includes('openid') ? 'sign-in issuer' : 'authorizationServer';
      throw new DomainError('OAUTH_AUTHORIZATION_SERVER_FAILED', `${field}: ${err.message}`);
    }
  }

  /** The connections of an instance, for operators (never a token). */
  async listConnections(env: { organizationId: string; environmentId: string }, rawApiId: string) {
    const api = await this.findApi(env, rawApiId);
    const rows = await this.repo.connections(api.id);
    return { total: rows.length, connections: rows.map(connectionView) };
  }

  /**
   * The instance is to stop using gateway-managed OAuth: every flow in progress is dropped, and
   * every user's authorization revoked at the authorization server (best effort) and forgotten,
   * so none outlives the mode. Call it while the upstream-oauth policy is still there (its client
   * revokes).
   */
  async forgetConnections(apiId: number): Promise<void> {
    await this.repo.deleteConsents(apiId);
    const policy = await this.repo.policyOfApi(apiId);
    const settings = policy ? this.settings(policy) : undefined;
    for (const connection of await this.repo.connections(apiId)) await this.revoke(connection, settings);
  }

  /** An operator's revocation: recorded in the audit trail. */
  async revokeConnection(env: { organizationId: string; environmentId: string }, rawApiId: string, id: string) {
    const api = await this.findApi(env, rawApiId);
    const connection = /^[0-9a-f-]{36}$/.test(id) ? await this.repo.findConnection(api.id, id) : null;
    if (!connection) throw new DomainError('OAUTH_CONNECTION_NOT_FOUND', `OAuth connection ${id} not found`);
    const policy = await this.repo.policyOfApi(api.id);
    const revoked = await this.revoke(connection, policy ? this.settings(policy) : undefined, (tx) =>
      this.audit.record(tx, {
        ...env,
        action: 'revoke',
        resource: { type: 'oauth-connection', id: connection.id, name: connection.subject },
        before: connectionView(connection),
      }),
    );
    if (!revoked) throw new DomainError('OAUTH_CONNECTION_NOT_FOUND', `OAuth connection ${id} not found`);
  }

  private async findApi(env: { organizationId: string; environmentId: string }, rawApiId: string) {
    const id = parseIntegerId(rawApiId);
    const api = id === undefined ? null : await this.repo.findApi({ ...env, id });
    if (!api) throw new DomainError('API_NOT_FOUND', `API instance ${rawApiId} not found`);
    return api;
  }

  private async policyFor(targetId: string, rawApiId: string, subject: string): Promise<PolicyRecord> {
    const apiId = parseIntegerId(rawApiId);
    if (apiId === undefined) throw refusal(GrpcStatus.INVALID_ARGUMENT, 'api_id must be an API instance id');
    if (subject === '' || subject.length > 1024)
      throw refusal(GrpcStatus.INVALID_ARGUMENT, 'subject must be 1 to 1024 characters');
    const policy = await this.repo.policyForTarget(targetId, apiId);
    if (!policy) throw refusal(GrpcStatus.NOT_FOUND, `API ${rawApiId} is not deployed to this gateway with upstream-oauth`);
    return policy;
  }

  /** The policy's configuration with its secret opened, and the defaults filled in. */
  private settings(policy: PolicyRecord): Settings {
    const template = findPolicyTemplate(policy.groupId, policy.assetId, policy.assetVersion);
    const stored = policy.configurationData as Record<string, unknown>;
    const config = (template ? mapSensitive(template, stored, (sealed) => this.secrets.open(sealed)) : stored) as Partial<
      Omit<Settings, 'signIn'> & SignInConfig
    >;
    return {
      issuer: String(config.issuer),
      authorizationEndpoint: String(config.authorizationEndpoint),
      tokenEndpoint: String(config.tokenEndpoint),
      revocationEndpoint: config.revocationEndpoint,
      clientId: String(config.clientId),
      clientSecret: config.clientSecret,
      scopes: config.scopes ?? [],
      resource: config.resource ?? policy.api.upstreamUri ?? '',
      redirectUri: String(config.redirectUri),
      signIn: {
        issuer: String(config.signInIssuer),
        authorizationEndpoint: String(config.signInAuthorizationEndpoint),
        tokenEndpoint: String(config.signInTokenEndpoint),
        clientId: String(config.signInClientId),
        clientSecret: config.signInClientSecret,
      },
    };
  }

  /** The connection's access token, refreshed when due; undefined when the user must authorize again. */
  private async usableToken(connection: ConnectionRecord, settings: Settings, refusedSha256: string) {
    const fresh = (c: ConnectionRecord) =>
      (!c.expiresAt || c.expiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS) &&
      (refusedSha256 === '' || sha256(this.secrets.open(c.accessTokenSealed)) !== refusedSha256);
    if (fresh(connection)) {
      if (!connection.lastUsedAt || Date.now() - connection.lastUsedAt.getTime() > USE_RECORD_INTERVAL_MS) {
        await this.repo.markUsed(connection.id, new Date());
      }
      return tokenOf(this.secrets.open(connection.accessTokenSealed), connection.expiresAt);
    }
    // One refresh at a time per connection, across control planes: a lease on the row, held
    // without a transaction (the authorization server may take TIMEOUT_MS); the others wait for it.
    const waitUntil = Date.now() + REFRESH_WAIT_MS;
    for (;;) {
      const until = new Date(Date.now() + REFRESH_LEASE_MS);
      const leased = await this.repo.leaseRefresh(connection.id, until);
      if (leased) {
        // Another control plane (or call) may have refreshed it before this one took the lease.
        if (!fresh(leased)) return this.refresh(leased, settings, until);
        await this.repo.releaseRefresh(leased.id, until);
        return tokenOf(this.secrets.open(leased.accessTokenSealed), leased.expiresAt);
      }
      const current = await this.repo.connection(connection.apiId, connection.subject);
      if (!current) return undefined;
      if (fresh(current)) return tokenOf(this.secrets.open(current.accessTokenSealed), current.expiresAt);
      if (Date.now() > waitUntil) {
        throw refusal(GrpcStatus.UNAVAILABLE, `the token of API ${connection.apiId} is being refreshed; retry later`);
      }
      await sleep(REFRESH_POLL_MS);
    }
  }

  /**
   * Refreshes `connection` under the lease that lasts `until`. A connection revoked meanwhile
   * stays revoked: the new tokens are revoked in turn rather than stored.
   */
  private async refresh(connection: ConnectionRecord, settings: Settings, until: Date) {
    if (!connection.refreshTokenSealed) {
      await this.repo.deleteLeased(connection.id, until);
      return undefined;
    }
    let tokens: IssuedTokens;
    try {
      tokens = await this.client.refresh(settings, this.secrets.open(connection.refreshTokenSealed));
    } catch (err) {
      if (err instanceof AuthorizationServerError && err.grantInvalid) {
        await this.repo.deleteLeased(connection.id, until);
        return undefined;
      }
      await this.repo.releaseRefresh(connection.id, until);
      this.logger.warn(`API ${connection.apiId}: ${(err as Error).message}`);
      throw refusal(
        GrpcStatus.UNAVAILABLE,
        `the authorization server of API ${connection.apiId} could not refresh the token; retry later`,
      );
    }
    const { apiId, subject, ...sealed } = this.sealed(connection.apiId, connection.subject, settings, tokens);
    if (await this.repo.finishRefresh(connection.id, until, sealed)) return tokenOf(tokens.accessToken, tokens.expiresAt ?? null);
    await this.client.revoke(settings, tokens.refreshToken ?? tokens.accessToken).catch((err: Error) => {
      this.logger.warn(`API ${apiId}: ${err.message}; the connection of ${JSON.stringify(subject)} was revoked during a refresh`);
    });
    return undefined;
  }

  private async startConsent(policy: PolicyRecord, settings: Settings, subject: string) {
    const pending = await this.repo.pendingConsent(
      policy.api.id,
      subject,
      settings.issuer,
      new Date(Date.now() + CONSENT_TTL_MS / 2),
    );
    if (pending && pending.redirectUri === settings.redirectUri) {
      return {
        url: this.secrets.open(pending.urlSealed),
        elicitationId: pending.elicitationId,
        expiresAtMs: pending.expiresAt.getTime(),
      };
    }
    const state = randomBytes(32).toString('base64url');
    const elicitationId = randomUUID();
    const expiresAt = new Date(Date.now() + CONSENT_TTL_MS);
    const url = `${ownUrl(settings, CONSENT_PATH)}/${state}`;
    await this.repo.createConsent({
      stateSha256: sha256(state),
      apiId: policy.api.id,
      subject,
      issuer: settings.issuer,
      codeVerifierSealed: this.secrets.seal(randomBytes(32).toString('base64url')),
      signInVerifierSealed: this.secrets.seal(randomBytes(32).toString('base64url')),
      redirectUri: settings.redirectUri,
      elicitationId,
      urlSealed: this.secrets.seal(url),
      expiresAt,
    });
    return { url, elicitationId, expiresAtMs: expiresAt.getTime() };
  }

  /** The consent page of `state`: whom and what the connection is for, and the button that goes on. */
  async consentPage(state: string): Promise<CallbackPage> {
    const found = await this.openConsent(state);
    if ('status' in found) return found;
    const { name, consent } = found;
    return {
      status: 200,
      title: `Connect ${name}`,
      message: `Your agent, signed in as ${consent.subject}, asks to use ${name} for you. Continue only if you started this from your agent: you will sign in as ${consent.subject} first, then authorize ${name} to act for ${consent.subject} with your account there.`,
      action: 'Sign in and continue',
    };
  }

  /**
   * The consent page's button: where the browser goes (the sign-in issuer), or a page when it may
   * not. `origin` is the POST's Origin header, which must be Portico's own. The first browser to
   * press it owns the flow (a cookie); another one is refused, the same one may press again.
   */
  async continueConsent(
    state: string,
    origin: string | undefined,
    cookieHeader: string | undefined,
  ): Promise<{ redirect: string; setCookie?: string } | CallbackPage> {
    const found = await this.openConsent(state);
    if ('status' in found) return found;
    const { consent } = found;
    const settings = this.settings(found.policy);
    if (origin !== new URL(settings.redirectUri).origin) {
      return { status: 403, title: 'Not connected', message: 'Open the link from your agent and continue on this page.' };
    }
    // The instance's authentication may have changed since its connection was set: the sign-in
    // must still be where the users it lets through come from.
    const signIn = signInIssuer(found.policy.api.id, await this.repo.authenticationChain(found.policy.api.id));
    if (!('issuer' in signIn) || !sameIssuer(signIn.issuer, settings.signIn.issuer)) {
      this.logger.warn(
        `API ${found.policy.api.id}: its sign-in issuer is not where its users come from (${'problem' in signIn ? signIn.problem : signIn.issuer}); set its connection again`,
      );
      return SIGN_IN_CHANGED;
    }
    let setCookie: string | undefined;
    if (!consent.browserSha256) {
      const maxAge = Math.max(1, Math.ceil((consent.expiresAt.getTime() - Date.now()) / 1000));
      const cookie = newBrowserCookie(consent.stateSha256, settings.redirectUri, maxAge);
      if (!(await this.repo.bindBrowser(consent.stateSha256, sha256(cookie.value)))) return OTHER_BROWSER;
      setCookie = cookie.header;
    } else if (!this.sameBrowser(consent, cookieHeader)) {
      return OTHER_BROWSER;
    }
    const redirect = await this.client.authorizationUrl(settings.signIn, {
      redirectUri: ownUrl(settings, SIGN_IN_CALLBACK_PATH),
      state,
      codeVerifier: this.secrets.open(consent.signInVerifierSealed),
      scopes: ['openid'],
      loginHint: consent.subject,
    });
    return { redirect, ...(setCookie ? { setCookie } : {}) };
  }

  /**
   * The browser's return from the sign-in issuer, taken only from the flow's browser (its cookie,
   * in `cookieHeader`): another browser ends the flow. The user it proves must be the flow's: then
   * the browser goes on to the backend's authorization server; another user ends the flow too.
   */
  async signInCallback(query: URLSearchParams, cookieHeader: string | undefined): Promise<{ redirect: string } | CallbackPage> {
    const state = query.get('state');
    const found = state ? await this.openConsent(state) : NO_LONGER_VALID;
    if ('status' in found) return found;
    const { consent, policy, name } = found;
    if (!this.sameBrowser(consent, cookieHeader)) {
      await this.repo.takeConsent(consent.stateSha256);
      this.logger.warn(`API ${consent.apiId}: a sign-in for ${JSON.stringify(consent.subject)} came back to another browser`);
      return OTHER_BROWSER;
    }
    if (query.get('error')) {
      const description = query.get('error_description');
      return {
        status: 400,
        title: 'Not signed in',
        message: `The sign-in answered ${query.get('error')}${description ? `: ${description}` : ''}. Open the link from your agent again to retry.`,
      };
    }
    const settings = this.settings(policy);
    let signedIn: string;
    try {
      signedIn = await this.client.signedInSubject(
        settings.signIn,
        query,
        state!,
        ownUrl(settings, SIGN_IN_CALLBACK_PATH),
        this.secrets.open(consent.signInVerifierSealed),
      );
    } catch (err) {
      const message = err instanceof AuthorizationServerError ? err.message : 'the sign-in failed';
      this.logger.warn(`API ${consent.apiId}: ${message}`);
      return { status: 502, title: 'Not signed in', message: `${message}. Open the link from your agent again to retry.` };
    }
    if (signedIn !== consent.subject) {
      await this.repo.takeConsent(consent.stateSha256);
      this.logger.warn(
        `API ${consent.apiId}: ${JSON.stringify(signedIn)} signed in to a link made for ${JSON.stringify(consent.subject)}; the link is spent`,
      );
      return {
        status: 403,
        title: 'Not connected',
        message: `This link was made for ${consent.subject}, and you signed in as ${signedIn}. Nothing was connected, and the link no longer works: only the user whose agent asked can use it. Someone may have sent it to you to connect your ${name} account to theirs.`,
      };
    }
    if (!(await this.repo.markSignedIn(consent.stateSha256))) return NO_LONGER_VALID;
    const redirect = await this.client.authorizationUrl(settings, {
      redirectUri: settings.redirectUri,
      state: state!,
      codeVerifier: this.secrets.open(consent.codeVerifierSealed),
      scopes: settings.scopes,
      resource: settings.resource,
    });
    return { redirect };
  }

  /** Whether `cookieHeader` carries the browser value the flow `consent` was bound to. */
  private sameBrowser(consent: { stateSha256: string; browserSha256: string | null }, cookieHeader: string | undefined) {
    const browser = browserOf(cookieHeader, consent.stateSha256);
    return browser !== undefined && consent.browserSha256 !== null && sha256(browser) === consent.browserSha256;
  }

  private async openConsent(state: string) {
    const consent = await this.repo.findConsent(sha256(state));
    if (!consent) return NO_LONGER_VALID;
    const policy = await this.repo.policyOfApi(consent.apiId);
    if (!policy) return NOT_OAUTH;
    return { consent, policy, name: backendName(policy) };
  }

  /**
   * Tells the authorization server (best effort), then forgets the connection, with `record` in
   * the same transaction; false when it was gone already (a revocation that came first).
   */
  private async revoke(connection: ConnectionRecord, settings: Settings | undefined, record?: (tx: Tx) => Promise<void>) {
    if (settings && sameClient(connection, settings)) {
      const token = connection.refreshTokenSealed ?? connection.accessTokenSealed;
      await this.client.revoke(settings, this.secrets.open(token)).catch((err: Error) => {
        this.logger.warn(`API ${connection.apiId}: ${err.message}; the connection is forgotten anyway`);
      });
    }
    return this.repo.transaction(async (tx) => {
      const deleted = await this.repo.deleteConnection(connection.id, tx);
      if (deleted) await record?.(tx);
      return deleted;
    });
  }

  private sealed(apiId: number, subject: string, settings: Settings, tokens: IssuedTokens) {
    return {
      apiId,
      subject,
      issuer: settings.issuer,
      clientId: settings.clientId,
      accessTokenSealed: this.secrets.seal(tokens.accessToken),
      refreshTokenSealed: tokens.refreshToken ? this.secrets.seal(tokens.refreshToken) : null,
      expiresAt: tokens.expiresAt ?? null,
      scope: tokens.scope ?? null,
    };
  }
}

/** `path` on Portico's own public origin (the redirect URI's: the one users' browsers reach). */
function ownUrl(settings: Settings, path: string): string {
  return `${settings.redirectUri.slice(0, -CALLBACK_PATH.length)}${path}`;
}

function tokenOf(accessToken: string, expiresAt: Date | null) {
  return { accessToken, expiresAtMs: expiresAt?.getTime() ?? 0 };
}

function backendName(policy: PolicyRecord): string {
  return policy.api.instanceLabel ?? policy.api.assetId;
}

/** The connection was made with the client `settings` name (another client's tokens are not its). */
function sameClient(connection: ConnectionRecord, settings: Settings): boolean {
  return connection.issuer === settings.issuer && connection.clientId === settings.clientId;
}

function connectionView(c: ConnectionRecord) {
  return {
    id: c.id,
    subject: c.subject,
    issuer: c.issuer,
    scope: c.scope,
    expiresAt: c.expiresAt?.toISOString() ?? null,
    refreshable: c.refreshTokenSealed !== null,
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
