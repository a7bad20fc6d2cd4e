/**
 * API keys of an MCP instance (seed 003's access tokens for non-OAuth MCPs, issue 9): created over
 * REST with the secret shown once, stored as its SHA-256, listed with their last use, revoked.
 * Gateways enforce them with the api-key-authentication policy (the hashes of the active keys are
 * its managed data) and report their use over the sync stream. Creating and revoking a key are
 * recorded as the list shows the key (the secret never is).
 */
import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import { parseIntegerId } from '../common/integer-id.js';
import type { Tx } from '../common/prisma.service.js';
import { sha256 } from '../common/secrets.js';
import type { ApiRef } from '../policies/policies.service.js';
import type { ApiKey, CreateApiKeyBody } from './api-keys.dto.js';
import { ApiKeysRepository } from './api-keys.repository.js';

/** `ptk_` and 43 base64url characters (256 random bits). */
const KEY_PREFIX = 'ptk_';
const SHOWN_PREFIX_LENGTH = 12;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type KeyRow = Awaited<ReturnType<ApiKeysRepository['list']>>[number];

function keyView(key: KeyRow): ApiKey {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    status: key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt <= new Date() ? 'expired' : 'active',
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

type KeyView = ReturnType<typeof keyView>;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly audit: AuditTrailService,
  ) {}

  /** Creates a key; the answer is the only place its secret ever appears. */
  async create(ref: ApiRef, body: CreateApiKeyBody, principal: Principal) {
    await this.requireApi(ref);
    const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const key = await this.repo.withApiLock(ref.apiId, async (tx) => {
      const after = keyView(
        await this.repo.create(tx, {
          apiId: ref.apiId,
          name: body.name,
          prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
          secretSha256: sha256(secret),
          createdBy: principal.name,
          expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
        }),
      );
      await this.record(tx, ref, 'create', after, { after });
      return after;
    });
    return { ...key, key: secret };
  }

  async list(ref: ApiRef) {
    await this.requireApi(ref);
    const keys = await this.repo.list(ref.apiId);
    return { total: keys.length, apiKeys: keys.map(keyView) };
  }

  async revoke(ref: ApiRef, id: string): Promise<void> {
    await this.requireApi(ref);
    await this.repo.withApiLock(ref.apiId, async (tx) => {
      const key = KEY_ID.test(id) ? await this.repo.findActive(tx, ref.apiId, id) : null;
      if (!key) throw new DomainError('API_KEY_NOT_FOUND', `API key ${id} not found or already revoked`);
      const after = keyView(await this.repo.revoke(tx, key.id));
      await this.record(tx, ref, 'revoke', after, { before: keyView(key), after });
    });
  }

  /** A gateway's report that a key authenticated requests; resolves to why it was dropped, if it was. */
  async recordUse(targetId: string, apiId: string, keyId: string): Promise<string | undefined> {
    const api = parseIntegerId(apiId);
    if (api === undefined || !KEY_ID.test(keyId)) return 'api_id and key_id must be ids';
    const marked = await this.repo.markUsed(targetId, api, keyId, new Date());
    return marked ? undefined : `key ${keyId} is not a key of an API deployed to this gateway`;
  }

  private record(tx: Tx, ref: ApiRef, action: AuditAction, key: KeyView, change: { before?: KeyView; after: KeyView }) {
    return this.audit.record(tx, {
      organizationId: ref.orgId,
      environmentId: ref.envId,
      action,
      resource: { type: 'api-key', id: key.id, name: key.name },
      ...change,
    });
  }

  private async requireApi(ref: ApiRef): Promise<void> {
    const api = await this.repo.findApi({ id: ref.apiId, organizationId: ref.orgId, environmentId: ref.envId });
    if (!api) throw new DomainError('API_NOT_FOUND', `API instance ${ref.apiId} not found`);
  }
}
