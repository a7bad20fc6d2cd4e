/**
 * Authentication and authorization decisions.
 *
 * Contract: an id the caller may not see is reported exactly like an id that does not exist
 * (404), so organizations cannot be probed; a visible resource without the needed scope is 403.
 * Grants on an organization extend to its business groups; a grant narrowed to an environment
 * covers only that environment, and makes visible only that environment's organization, never
 * its business groups (it grants nothing there).
 */
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ENV, type Env } from '../config/env.js';
import { DomainError } from '../common/domain-error.js';
import { randomToken, sha256 } from '../common/secrets.js';
import { AuthRepository } from './auth.repository.js';
import type { Grant, Principal, ScopeCheck } from './principal.js';
import { SCOPES, scopeGrants } from './scopes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** What login and the token endpoint answer (contract §2.1, §2.2). */
export const issuedTokenSchema = z.object({
  access_token: z.string().describe('the bearer token'),
  token_type: z.literal('bearer'),
  expires_in: z.number().int().describe('seconds until the token expires'),
});
export type IssuedToken = z.output<typeof issuedTokenSchema>;

@Injectable()
export class AccessService {
  constructor(
    private readonly repo: AuthRepository,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async issueToken(subject: { userId: string } | { connectedAppId: string }): Promise<IssuedToken> {
    const token = randomToken();
    const ttl = this.env.PORTICO_TOKEN_TTL_SECONDS;
    await this.repo.createToken({ tokenHash: sha256(token), expiresAt: new Date(Date.now() + ttl * 1000), ...subject });
    await this.repo.purgeExpiredTokens(new Date(Date.now() - 86_400_000));
    return { access_token: token, token_type: 'bearer', expires_in: ttl };
  }

  async revokeToken(token: string): Promise<void> {
    await this.repo.revokeToken(sha256(token));
  }

  /** Resolves a bearer token to its principal, or throws 401. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new DomainError('UNAUTHENTICATED', 'Missing bearer token in the Authorization header');
    const row = await this.repo.findToken(sha256(token));
    if (!row || row.revokedAt) throw new DomainError('UNAUTHENTICATED', 'Invalid access token');
    if (row.expiresAt.getTime() <= Date.now()) throw new DomainError('TOKEN_EXPIRED', 'The access token has expired');
    const subject = row.user
      ? {
          kind: 'user' as const,
          id: row.user.id,
          organizationId: row.user.organizationId,
          name: row.user.username,
          grants: row.user.grants,
          enabled: row.user.enabled,
        }
      : row.connectedApp
        ? {
            kind: 'app' as const,
            id: row.connectedApp.id,
            organizationId: row.connectedApp.organizationId,
            name: row.connectedApp.clientId,
            grants: row.connectedApp.grants,
            enabled: true,
          }
        : undefined;
    if (!subject || !subject.enabled) throw new DomainError('UNAUTHENTICATED', 'Invalid access token');
    const grants: Grant[] = subject.grants.map((g) => ({
      scope: g.scope,
      organizationId: g.organizationId,
      environmentId: g.environmentId,
    }));
    const tree = await this.repo.organizationTree();
    const roots = [subject.organizationId, ...grants.filter((g) => g.environmentId === null).map((g) => g.organizationId)];
    const visibleOrgIds = descendantsOf(roots, tree);
    for (const g of grants) if (g.environmentId !== null) visibleOrgIds.add(g.organizationId);
    return {
      kind: subject.kind,
      id: subject.id,
      organizationId: subject.organizationId,
      name: subject.name,
      grants,
      visibleOrgIds,
    };
  }

  /** 404 unless `organizationId` exists and the principal may see it. */
  assertOrganizationVisible(principal: Principal, organizationId: string): void {
    if (!isUuid(organizationId) || !principal.visibleOrgIds.has(organizationId)) {
      throw new DomainError('ORGANIZATION_NOT_FOUND', `Organization ${organizationId} not found`);
    }
  }

  /** 404 unless the environment exists in `organizationId`. */
  async assertEnvironmentInOrganization(organizationId: string, environmentId: string): Promise<void> {
    const env = isUuid(environmentId) ? await this.repo.environmentOrg(environmentId) : null;
    if (!env || env.organizationId !== organizationId) {
      throw new DomainError('ENVIRONMENT_NOT_FOUND', `Environment ${environmentId} not found in organization ${organizationId}`);
    }
  }

  /** True when some grant gives `check.scope` on the organization (or an ancestor) and environment. */
  async hasScope(principal: Principal, check: ScopeCheck): Promise<boolean> {
    const ancestors = await this.ancestorsOf(check.organizationId);
    return principal.grants.some(
      (g) =>
        scopeGrants(g.scope, check.scope) &&
        ancestors.has(g.organizationId) &&
        (g.environmentId === null || g.environmentId === (check.environmentId ?? null)),
    );
  }

  /** 403 naming the missing permission. */
  async assertScope(principal: Principal, check: ScopeCheck): Promise<void> {
    if (!(await this.hasScope(principal, check))) {
      const where = check.environmentId ? `environment ${check.environmentId}` : `organization ${check.organizationId}`;
      throw new DomainError('FORBIDDEN', `You need the ${SCOPES[check.scope]} permission (${check.scope}) in ${where}`);
    }
  }

  /** The organization itself and every parent up to the root. */
  private async ancestorsOf(organizationId: string): Promise<Set<string>> {
    const parents = new Map((await this.repo.organizationTree()).map((o) => [o.id, o.parentId]));
    const out = new Set<string>();
    for (let id: string | null | undefined = organizationId; id && !out.has(id); id = parents.get(id)) out.add(id);
    return out;
  }
}

function descendantsOf(roots: string[], tree: { id: string; parentId: string | null }[]): Set<string> {
  const children = new Map<string, string[]>();
  for (const o of tree) {
    if (o.parentId) children.set(o.parentId, [...(children.get(o.parentId) ?? []), o.id]);
  }
  const known = new Set(tree.map((o) => o.id));
  const out = new Set<string>();
  const stack = roots.filter((r) => known.has(r));
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}
