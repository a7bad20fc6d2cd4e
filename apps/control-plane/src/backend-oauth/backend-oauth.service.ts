/**
 * Gateway-managed OAuth (seed 003's "OAuth: gateway-managed OAuth connection"): Portico holds each
 * user's tokens for an MCP backend whose instance has the upstream-oauth policy.
 *
 * - A gateway asks for the token of the user an earlier authentication policy identified
 *   (BackendTokenService over mTLS, for an API deployed to it only). A stored token is handed out
 *   while it has more than REFRESH_MARGIN_MS left; then it is refreshed, one refresh at a time
 *   per connection (refresh tokens may rotate). A user without a usable connection gets an
 *   authorization URL (code flow, PKCE S256, RFC 8707 resource) that the gateway hands the agent
 *   as a URL-mode elicitation; the user opens it, the authorization server sends the browser back
 *   to the callback, and the tokens are stored sealed. Agents never see a backend token.
 * - The state is 256 random bits, looked up by its SHA-256, single-use, valid CONSENT_TTL_MS. A
 *   user asked again while a flow of theirs has more than half its time left gets the same URL
 *   (kept sealed), so an agent retrying does not pile up flows.
 * - Operators list and revoke connections over REST; users revoke their own through the gateway.
 *   Revoking tells the authorization server (RFC 7009, best effort) and forgets the tokens.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
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
import { ENV, type Env } from '../config/env.js';
import {
  AuthorizationServerClient,
  AuthorizationServerError,
  type IssuedTokens,
  type OAuthClientSettings,
} from './authorization-server-client.js';
import { BackendOAuthRepository } from './backend-oauth.repository.js';

/** A token with less than this left is refreshed before it is handed out. */
const REFRESH_MARGIN_MS = 60_000;
const CONSENT_TTL_MS = 10 * 60_000;
/** lastUsedAt is written at most this often per connection. */
const USE_RECORD_INTERVAL_MS = 60_000;
export const CALLBACK_PATH = '/mcpgateway/api/v1/oauth/callback';

type PolicyRecord = NonNullable<Awaited<ReturnType<BackendOAuthRepository['policyOfApi']>>>;
type ConnectionRecord = NonNullable<Awaited<ReturnType<BackendOAuthRepository['connection']>>>;

interface Settings extends OAuthClientSettings {
  redirectUri: string;
}

/** A gRPC refusal (config-sync.server.ts statusFor passes it on as is). */
function refusal(code: GrpcStatus, details: string) {
  return Object.assign(new Error(details), { code, details });
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface CallbackPage {
  status: number;
  title: string;
  message: string;
}

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
    this.client = new AuthorizationServerClient(env.PORTICO_OUTBOUND_DENY);
  }

  /** BackendTokenService.GetUserToken for gateway `targetId`. */
  async userToken(targetId: string, request: GetUserTokenRequest): Promise<GetUserTokenResponse> {
    const policy = await this.policyFor(targetId, request.apiId, request.subject);
    const settings = this.settings(policy);
    const connection = await this.repo.connection(policy.api.id, request.subject);
    if (connection && connection.issuer === settings.issuer) {
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
    await this.revoke(connection, this.settings(policy));
    return { revoked: true };
  }

  /** The browser's return from the authorization server: stores the user's tokens. */
  async callback(query: URLSearchParams): Promise<CallbackPage> {
    const state = query.get('state');
    const consent = state ? await this.repo.takeConsent(sha256(state)) : null;
    if (!state || !consent || consent.expiresAt.getTime() < Date.now()) {
      return {
        status: 400,
        title: 'This authorization link is no longer valid',
        message: 'It was used already or has expired. Call the tool again from your agent to get a new link.',
      };
    }
    const policy = await this.repo.policyOfApi(consent.apiId);
    const name = policy ? backendName(policy) : 'the MCP server';
    if (!policy) {
      return { status: 409, title: 'Not connected', message: `${name} no longer uses gateway-managed OAuth.` };
    }
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
      await this.repo.saveConnection(this.sealed(consent.apiId, consent.subject, settings.issuer, tokens));
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
   * `clientId` (with `clientSecret`) or, without one, a client registered for Portico (RFC 7591).
   */
  async clientConfiguration(request: {
    issuer: string;
    scopes: string[];
    clientId?: string;
    clientSecret?: string;
    resource?: string;
    redirectUri: string;
    clientName: string;
  }) {
    try {
      const server = await this.client.discover(request.issuer);
      if (server.codeChallengeMethods && !server.codeChallengeMethods.includes('S256')) {
        throw new AuthorizationServerError(`${request.issuer} does not support PKCE with S256, which Portico requires`);
      }
      const client = request.clientId
        ? { clientId: request.clientId, clientSecret: request.clientSecret }
        : await this.client.register(server, request.redirectUri, request.clientName, request.scopes);
      return {
        issuer: server.issuer,
        authorizationEndpoint: server.authorizationEndpoint,
        tokenEndpoint: server.tokenEndpoint,
        ...(server.revocationEndpoint ? { revocationEndpoint: server.revocationEndpoint } : {}),
        clientId: client.clientId,
        ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
        scopes: request.scopes,
        redirectUri: request.redirectUri,
        ...(request.resource ? { resource: request.resource } : {}),
      };
    } catch (err) {
      if (!(err instanceof AuthorizationServerError)) throw err;
      throw new DomainError('OAUTH_AUTHORIZATION_SERVER_FAILED', `authorizationServer: ${err.message}`);
    }
  }

  /** The connections of an instance, for operators (never a token). */
  async listConnections(env: { organizationId: string; environmentId: string }, rawApiId: string) {
    const api = await this.findApi(env, rawApiId);
    const rows = await this.repo.connections(api.id);
    return { total: rows.length, connections: rows.map(connectionView) };
  }

  /** An operator's revocation: recorded in the audit trail. */
  async revokeConnection(env: { organizationId: string; environmentId: string }, rawApiId: string, id: string) {
    const api = await this.findApi(env, rawApiId);
    const connection = /^[0-9a-f-]{36}$/.test(id) ? await this.repo.findConnection(api.id, id) : null;
    if (!connection) throw new DomainError('OAUTH_CONNECTION_NOT_FOUND', `OAuth connection ${id} not found`);
    const policy = await this.repo.policyOfApi(api.id);
    await this.revoke(connection, policy ? this.settings(policy) : undefined, (tx) =>
      this.audit.record(tx, {
        ...env,
        action: 'revoke',
        resource: { type: 'oauth-connection', id: connection.id, name: connection.subject },
        before: connectionView(connection),
      }),
    );
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
    const config = (
      template ? mapSensitive(template, stored, (sealed) => this.secrets.open(sealed)) : stored
    ) as Partial<Settings>;
    return {
      issuer: String(config.issuer),
      authorizationEndpoint: String(config.authorizationEndpoint),
      tokenEndpoint: String(config.tokenEndpoint),
      revocationEndpoint: config.revocationEndpoint,
      clientId: String(config.clientId),
      clientSecret: config.clientSecret,
      scopes: config.scopes ?? [],
      resource: config.resource ?? policy.api.upstreamUri ?? '',
      redirectUri: config.redirectUri ?? defaultRedirectUri(this.env),
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
    return this.repo.withConnectionLock(connection.id, async (tx) => {
      // Another control plane (or call) may have refreshed it while this one waited for the lock.
      const current = await this.repo.connection(connection.apiId, connection.subject, tx);
      if (!current) return undefined;
      if (fresh(current)) return tokenOf(this.secrets.open(current.accessTokenSealed), current.expiresAt);
      if (!current.refreshTokenSealed) {
        await this.repo.deleteConnection(current.id, tx);
        return undefined;
      }
      try {
        const tokens = await this.client.refresh(settings, this.secrets.open(current.refreshTokenSealed));
        await this.repo.saveConnection(this.sealed(current.apiId, current.subject, settings.issuer, tokens), tx);
        return tokenOf(tokens.accessToken, tokens.expiresAt ?? null);
      } catch (err) {
        if (err instanceof AuthorizationServerError && err.grantInvalid) {
          await this.repo.deleteConnection(current.id, tx);
          return undefined;
        }
        this.logger.warn(`API ${current.apiId}: ${(err as Error).message}`);
        throw refusal(
          GrpcStatus.UNAVAILABLE,
          `the authorization server of API ${current.apiId} could not refresh the token; retry later`,
        );
      }
    });
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
    const verifier = randomBytes(32).toString('base64url');
    const elicitationId = randomUUID();
    const expiresAt = new Date(Date.now() + CONSENT_TTL_MS);
    const url = await this.client.authorizationUrl(settings, settings.redirectUri, state, verifier);
    await this.repo.createConsent({
      stateSha256: sha256(state),
      apiId: policy.api.id,
      subject,
      issuer: settings.issuer,
      codeVerifierSealed: this.secrets.seal(verifier),
      redirectUri: settings.redirectUri,
      elicitationId,
      urlSealed: this.secrets.seal(url),
      expiresAt,
    });
    return { url, elicitationId, expiresAtMs: expiresAt.getTime() };
  }

  /** Tells the authorization server (best effort), then forgets the connection (and records it, with `record`). */
  private async revoke(connection: ConnectionRecord, settings: Settings | undefined, record?: (tx: Tx) => Promise<void>) {
    if (settings && connection.issuer === settings.issuer) {
      const token = connection.refreshTokenSealed ?? connection.accessTokenSealed;
      await this.client.revoke(settings, this.secrets.open(token)).catch((err: Error) => {
        this.logger.warn(`API ${connection.apiId}: ${err.message}; the connection is forgotten anyway`);
      });
    }
    await this.repo.transaction(async (tx) => {
      await this.repo.deleteConnection(connection.id, tx);
      await record?.(tx);
    });
  }

  private sealed(apiId: number, subject: string, issuer: string, tokens: IssuedTokens) {
    return {
      apiId,
      subject,
      issuer,
      accessTokenSealed: this.secrets.seal(tokens.accessToken),
      refreshTokenSealed: tokens.refreshToken ? this.secrets.seal(tokens.refreshToken) : null,
      expiresAt: tokens.expiresAt ?? null,
      scope: tokens.scope ?? null,
    };
  }
}

function tokenOf(accessToken: string, expiresAt: Date | null) {
  return { accessToken, expiresAtMs: expiresAt?.getTime() ?? 0 };
}

function backendName(policy: PolicyRecord): string {
  return policy.api.instanceLabel ?? policy.api.assetId;
}

/** Portico's callback when the policy names none: the control plane's public URL. */
export function defaultRedirectUri(env: Env): string {
  const base =
    env.PORTICO_PUBLIC_URL ?? `${env.PORTICO_TLS_CERT_FILE ? 'https' : 'http'}://${env.PORTICO_HOST}:${env.PORTICO_PORT}`;
  return `${base.replace(/\/+$/, '')}${CALLBACK_PATH}`;
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
