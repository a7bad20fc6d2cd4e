/**
 * Secret groups of an environment (Anypoint Secrets Manager): named containers of TLS contexts.
 * Ids of another organization or environment are reported as not found. A group that still
 * holds TLS contexts cannot be deleted. Creating and deleting a group are recorded as GET shows it.
 */
import { Injectable } from '@nestjs/common';
import { isUuid } from '../auth/access.service.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import type { CreateSecretGroupBody } from './secrets-manager.dto.js';
import { type SecretGroupRecord, SecretsManagerRepository } from './secrets-manager.repository.js';
import { secretGroupView } from './secrets-manager.view.js';

@Injectable()
export class SecretGroupsService {
  constructor(
    private readonly repo: SecretsManagerRepository,
    private readonly audit: AuditTrailService,
  ) {}

  async list(organizationId: string, environmentId: string) {
    return (await this.repo.findGroups(organizationId, environmentId)).map(secretGroupView);
  }

  async create(organizationId: string, environmentId: string, body: CreateSecretGroupBody) {
    return this.repo.transaction(async (tx) => {
      const created = await this.repo.createGroup(tx, { organizationId, environmentId, name: body.name });
      const after = secretGroupView(created);
      await this.record(tx, 'create', created, { after });
      return after;
    });
  }

  async get(organizationId: string, environmentId: string, rawId: string) {
    return secretGroupView(await this.find(organizationId, environmentId, rawId));
  }

  async delete(organizationId: string, environmentId: string, rawId: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const deleted = isUuid(rawId) ? await this.repo.deleteEmptyGroup(tx, organizationId, environmentId, rawId) : null;
      if (deleted === null) throw secretGroupNotFound(rawId);
      const { group, held } = deleted;
      if (held > 0) {
        throw new DomainError(
          'SECRET_GROUP_IN_USE',
          `Secret group ${rawId} still holds ${held} TLS context${held === 1 ? '' : 's'}; delete them first`,
        );
      }
      await this.record(tx, 'delete', group, { before: secretGroupView(group) });
    });
  }

  private record(
    tx: Tx,
    action: 'create' | 'delete',
    group: SecretGroupRecord,
    change: { before?: SecretGroupView; after?: SecretGroupView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId: group.organizationId,
      environmentId: group.environmentId,
      action,
      resource: { type: 'secret-group', id: group.id, name: group.name },
      ...change,
    });
  }

  /** The group `rawId` of the environment, or 404 naming the id. */
  async find(organizationId: string, environmentId: string, rawId: string): Promise<SecretGroupRecord> {
    const group = isUuid(rawId) ? await this.repo.findGroup(organizationId, environmentId, rawId) : null;
    if (!group) throw secretGroupNotFound(rawId);
    return group;
  }
}

type SecretGroupView = ReturnType<typeof secretGroupView>;

function secretGroupNotFound(id: string): DomainError {
  return new DomainError('SECRET_GROUP_NOT_FOUND', `Secret group ${id} not found`);
}
