/**
 * How the gateway authenticates to an MCP backend (seed 003's auth modes), set as the policies
 * that do it, so the chain stays the single truth (mcp-backend.view.ts reads the mode back):
 * - `api-key`: an upstream-credential policy holds the key (encrypted);
 * - `gateway-oauth`: an upstream-oauth policy holds Portico's OAuth client at the backend's
 *   authorization server (discovered from its metadata; registered dynamically unless a client
 *   is given); it needs an authentication policy before it, which identifies each user;
 * - `oauth-passthrough`: the client's token reaches the backend: an authentication policy with
 *   `forwardToken` must already validate it (Portico never forwards a token it has not checked);
 * - `none`: neither upstream-credential nor upstream-oauth.
 * The new mode's policy is applied or updated first, and only then the other mode's removed, so a
 * refused change (a bad key, an unreachable authorization server) changes nothing.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { BackendOAuthService, CALLBACK_PATH } from '../backend-oauth/backend-oauth.service.js';
import { DomainError } from '../common/domain-error.js';
import { ENV, type Env } from '../config/env.js';
import { publicBaseUrl } from '../config/public-url.js';
import { type ApiRef, PoliciesService } from '../policies/policies.service.js';
import type { BackendConnectionBody } from './mcp-backends.dto.js';
import { connectionMode, type BackendView } from './mcp-backend.view.js';

const UPSTREAM_CREDENTIAL = { assetId: 'upstream-credential', version: '1.0.0' };
const UPSTREAM_OAUTH = { assetId: 'upstream-oauth', version: '1.0.0' };
/** Policies that identify the caller, which gateway-managed OAuth needs before it. */
const AUTHENTICATION = new Set([
  'jwt-validation',
  'oauth2-token-introspection',
  'client-id-enforcement',
  'api-key-authentication',
  'http-basic-authentication',
]);

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
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Sets `backend`'s connection mode; resolves once its policies say so. */
  async set(ref: ApiRef, backend: BackendView, body: BackendConnectionBody, req: FastifyRequest): Promise<void> {
    const chain = ((await this.policies.list(ref, false)) as AppliedPolicy[]).sort((a, b) => a.order - b.order);
    const keep = (assetId: string) => chain.find((p) => p.assetId === assetId);
    const forwards = connectionMode(chain.filter((p) => !p.disabled)) === 'oauth-passthrough';
    switch (body.mode) {
      case 'api-key': {
        const { mode: _, ...configurationData } = body;
        await this.upsert(ref, keep(UPSTREAM_CREDENTIAL.assetId), UPSTREAM_CREDENTIAL, configurationData);
        return this.remove(ref, chain, [UPSTREAM_OAUTH.assetId]);
      }
      case 'gateway-oauth': {
        if (!chain.some((p) => !p.disabled && AUTHENTICATION.has(p.assetId))) {
          throw new DomainError(
            'OAUTH_CONNECTION_MODE_UNAVAILABLE',
            `mode: gateway-oauth acts for each user, so an authentication policy (${[...AUTHENTICATION].join(', ')}) must identify them first; apply one to API instance ${ref.apiId}`,
          );
        }
        const configurationData = await this.oauth.clientConfiguration({
          issuer: body.authorizationServer,
          scopes: body.scopes,
          clientId: body.clientId,
          clientSecret: body.clientSecret,
          resource: body.resource,
          redirectUri: `${publicBaseUrl(this.env, req)}${CALLBACK_PATH}`,
          clientName: `Portico (${backend.name})`,
        });
        await this.upsert(ref, keep(UPSTREAM_OAUTH.assetId), UPSTREAM_OAUTH, configurationData);
        return this.remove(ref, chain, [UPSTREAM_CREDENTIAL.assetId]);
      }
      case 'oauth-passthrough':
        if (!forwards) {
          throw new DomainError(
            'OAUTH_CONNECTION_MODE_UNAVAILABLE',
            `mode: oauth-passthrough sends the client's own token to the backend, which Portico does only once it validated it: set forwardToken on a jwt-validation or oauth2-token-introspection policy of API instance ${ref.apiId}`,
          );
        }
        return this.remove(ref, chain, [UPSTREAM_CREDENTIAL.assetId, UPSTREAM_OAUTH.assetId]);
      case 'none':
        if (forwards) {
          throw new DomainError(
            'OAUTH_CONNECTION_MODE_UNAVAILABLE',
            `mode: none, but an authentication policy of API instance ${ref.apiId} forwards the client's token (forwardToken); turn that off first`,
          );
        }
        return this.remove(ref, chain, [UPSTREAM_CREDENTIAL.assetId, UPSTREAM_OAUTH.assetId]);
    }
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

  private async remove(ref: ApiRef, chain: AppliedPolicy[], assetIds: string[]): Promise<void> {
    for (const policy of chain.filter((p) => assetIds.includes(p.assetId))) await this.policies.remove(ref, policy.id);
  }
}
