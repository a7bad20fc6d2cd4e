/**
 * How the gateway authenticates to an MCP backend (seed 003's auth modes), set as the policies
 * that do it, so the chain stays the single truth (mcp-backend.view.ts reads the mode back):
 * - `api-key`: an upstream-credential policy holds the key (encrypted);
 * - `gateway-oauth`: an upstream-oauth policy holds Portico's OAuth client at the backend's
 *   authorization server (discovered from its metadata; registered dynamically unless a client
 *   is given). It needs a jwt-validation policy before it, which identifies each user by the
 *   token's `sub` and names in `authorizationServers` the OpenID provider that token comes from:
 *   Portico's client there (registered the same way) signs in whoever opens a consent link, so
 *   only the user it was made for can use it (backend-oauth.service.ts);
 * - `oauth-passthrough`: the client's token reaches the backend as it is. A jwt-validation or
 *   introspection policy must then forward it (`forwardToken`) rather than keep it; without one
 *   the backend alone validates it, which the instance tag OAUTH_PASSTHROUGH_TAG records
 *   (mcp-backend.view.ts);
 * - `none`: neither upstream-credential nor upstream-oauth, and no token passed through on purpose.
 * The new mode's policy is applied or updated first, and only then the other mode's removed, so a
 * refused change (a bad key, an unreachable authorization server) changes nothing. Leaving
 * gateway-oauth revokes and forgets every user's connection. A federated instance takes neither
 * api-key nor gateway-oauth: its one credential would reach every member.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { POLICY_GROUP_ID, TOKEN_VALIDATING_TEMPLATES } from '#portico/policy-catalog';
import { BackendOAuthService, CALLBACK_PATH, SIGN_IN_CALLBACK_PATH } from '../backend-oauth/backend-oauth.service.js';
import { signInIssuer } from '../backend-oauth/sign-in-issuer.js';
import { DomainError } from '../common/domain-error.js';
import { ENV, type Env } from '../config/env.js';
import { listensOnEveryInterface, publicBaseUrl } from '../config/public-url.js';
import { type ApiRef, PoliciesService } from '../policies/policies.service.js';
import type { BackendConnectionBody } from './mcp-backends.dto.js';
import { type BackendView, OAUTH_PASSTHROUGH_TAG } from './mcp-backend.view.js';
import { McpBackendsRepository } from './mcp-backends.repository.js';

const UPSTREAM_CREDENTIAL = { assetId: 'upstream-credential', version: '1.0.0' };
const UPSTREAM_OAUTH = { assetId: 'upstream-oauth', version: '1.0.0' };
const FEDERATION = 'mcp-transcoding-router';

/** What GET …/policies answers of an applied policy (policy.view.ts), as far as this service reads it. */
type AppliedPolicy = {
  id: number;
  assetId: string;
  order: number;
  disabled: boolean;
  configurationData: Record<string, unknown>;
};

@Injectable()
export class BackendConnectionService {
  constructor(
    private readonly policies: PoliciesService,
    private readonly oauth: BackendOAuthService,
    private readonly repo: McpBackendsRepository,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Sets `backend`'s connection mode; resolves once its policies say so. */
  async set(ref: ApiRef, backend: BackendView, body: BackendConnectionBody, req: FastifyRequest): Promise<void> {
    const chain = ((await this.policies.list(ref, false)) as AppliedPolicy[]).sort((a, b) => a.order - b.order);
    const keep = (assetId: string) => chain.find((p) => p.assetId === assetId);
    const validators = chain.filter((p) => !p.disabled && TOKEN_VALIDATING_TEMPLATES.has(p.assetId));
    const forwards = validators.some((p) => p.configurationData.forwardToken === true);
    const keeps = validators.find((p) => p.configurationData.forwardToken !== true);
    if (body.mode === 'oauth-passthrough' && keeps) {
      throw new DomainError(
        'OAUTH_CONNECTION_MODE_UNAVAILABLE',
        `mode: oauth-passthrough sends the client's token to the backend, but policy ${keeps.id} (${keeps.assetId}) of API instance ${ref.apiId} validates it and keeps it: set its forwardToken, or remove it`,
      );
    }
    if (body.mode === 'none' && forwards) {
      throw new DomainError(
        'OAUTH_CONNECTION_MODE_UNAVAILABLE',
        `mode: none, but an authentication policy of API instance ${ref.apiId} forwards the client's token (forwardToken); turn that off first`,
      );
    }
    if ((body.mode === 'api-key' || body.mode === 'gateway-oauth') && keep(FEDERATION)) {
      throw new DomainError(
        'OAUTH_CONNECTION_MODE_UNAVAILABLE',
        `mode: ${body.mode} sends one credential upstream, and API instance ${ref.apiId} federates several servers (mcp-transcoding-router), each of which would get it; set it on each member's own instance`,
      );
    }
    switch (body.mode) {
      case 'api-key': {
        const { mode: _, ...configurationData } = body;
        await this.upsert(ref, keep(UPSTREAM_CREDENTIAL.assetId), UPSTREAM_CREDENTIAL, configurationData);
        await this.remove(ref, chain, [UPSTREAM_OAUTH.assetId]);
        break;
      }
      case 'gateway-oauth': {
        const base = this.publicUrl(req);
        const configurationData = await this.oauth.clientConfiguration({
          issuer: body.authorizationServer,
          scopes: body.scopes,
          clientId: body.clientId,
          clientSecret: body.clientSecret,
          resource: body.resource,
          redirectUri: `${base}${CALLBACK_PATH}`,
          clientName: `Portico (${backend.name})`,
          signIn: {
            issuer: signInIssuerOf(ref, chain),
            clientId: body.signInClientId,
            clientSecret: body.signInClientSecret,
            redirectUri: `${base}${SIGN_IN_CALLBACK_PATH}`,
          },
        });
        await this.upsert(ref, keep(UPSTREAM_OAUTH.assetId), UPSTREAM_OAUTH, configurationData);
        await this.remove(ref, chain, [UPSTREAM_CREDENTIAL.assetId]);
        break;
      }
      case 'oauth-passthrough':
      case 'none':
        await this.remove(ref, chain, [UPSTREAM_CREDENTIAL.assetId, UPSTREAM_OAUTH.assetId]);
        break;
    }
    await this.repo.setTag(ref.apiId, OAUTH_PASSTHROUGH_TAG, body.mode === 'oauth-passthrough' && !forwards);
  }

  /** Updates the policy of `template` to `configurationData`, or applies it last. */
  private async upsert(
    ref: ApiRef,
    existing: AppliedPolicy | undefined,
    template: { assetId: string; version: string },
    configurationData: Record<string, unknown>,
  ): Promise<void> {
    if (existing) {
      await this.policies.update(ref, existing.id, { configurationData, assetVersion: template.version });
      return;
    }
    await this.policies.apply(
      ref,
      { groupId: POLICY_GROUP_ID, assetId: template.assetId, assetVersion: template.version, configurationData },
      false,
    );
  }

  /** Removes the policies of `assetIds`; users' OAuth connections go with upstream-oauth. */
  private async remove(ref: ApiRef, chain: AppliedPolicy[], assetIds: string[]): Promise<void> {
    const removed = chain.filter((p) => assetIds.includes(p.assetId));
    if (removed.some((p) => p.assetId === UPSTREAM_OAUTH.assetId)) await this.oauth.forgetConnections(ref.apiId);
    for (const policy of removed) await this.policies.remove(ref, policy.id);
  }

  /**
   * Where users' browsers reach this control plane, registered with the authorization server:
   * PORTICO_PUBLIC_URL, or the address it listens on when that is a real one. Listening on every
   * interface, only PORTICO_PUBLIC_URL can say (an internal address would be registered).
   */
  private publicUrl(req: FastifyRequest): string {
    if (!this.env.PORTICO_PUBLIC_URL && listensOnEveryInterface(this.env)) {
      throw new DomainError(
        'OAUTH_CONNECTION_MODE_UNAVAILABLE',
        `mode: gateway-oauth needs the address users' browsers reach Portico at, and Portico listens on ${this.env.PORTICO_HOST}: set PORTICO_PUBLIC_URL`,
      );
    }
    return publicBaseUrl(this.env, req);
  }
}

/** Where gateway-oauth signs users in (backend-oauth/sign-in-issuer.ts), or a 409 saying what is missing. */
function signInIssuerOf(ref: ApiRef, chain: AppliedPolicy[]): string {
  const found = signInIssuer(ref.apiId, chain);
  if ('issuer' in found) return found.issuer;
  throw new DomainError(
    'OAUTH_CONNECTION_MODE_UNAVAILABLE',
    `mode: gateway-oauth acts for each user and signs in whoever opens a consent link, to check they are that user, at the OpenID provider the users' tokens come from: ${found.problem}`,
  );
}
