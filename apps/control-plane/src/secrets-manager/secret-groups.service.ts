/**
 * Secret groups of an environment (Anypoint Secrets Manager): named containers of TLS contexts.
 * Ids of another organization or environment are reported as not found. A group that still
 * holds TLS contexts cannot be deleted.
 */
import { Injectable } from '@nestjs/common';
import { isUuid } from '../auth/access.service.js';
import { DomainError } from '../common/domain-error.js';
import type { CreateSecretGroupBody } from './secrets-manager.dto.js';
import { type SecretGroupRecord, SecretsManagerRepository } from './secrets-manager.repository.js';
import { secretGroupView } from './secrets-manager.view.js';

@Injectable()
export class SecretGroupsService {
  constructor(private readonly repo: SecretsManagerRepository) {}

  async list(organizationId: string, environmentId: string) {
    return (await this.repo.findGroups(organizationId, environmentId)).map(secretGroupView);
  }

  async create(organizationId: string, environmentId: string, body: CreateSecretGroupBody) {
    return secretGroupView(await this.repo.createGroup({ organizationId, environmentId, name: body.name }));
  }

  async get(organizationId: string, environmentId: string, rawId: string) {
    return secretGroupView(await this.find(organizationId, environmentId, rawId));
  }

  async delete(organizationId: string, environmentId: string, rawId: string): Promise<void> {
    const held = isUuid(rawId) ? await this.repo.deleteEmptyGroup(organizationId, environmentId, rawId) : null;
    if (held === null) throw secretGroupNotFound(rawId);
    if (held > 0) {
      throw new DomainError(
        'SECRET_GROUP_IN_USE',
        `Secret group ${rawId} still holds ${held} TLS context${held === 1 ? '' : 's'}; delete them first`,
      );
    }
  }

  /** The group `rawId` of the environment, or 404 naming the id. */
  async find(organizationId: string, environmentId: string, rawId: string): Promise<SecretGroupRecord> {
    const group = isUuid(rawId) ? await this.repo.findGroup(organizationId, environmentId, rawId) : null;
    if (!group) throw secretGroupNotFound(rawId);
    return group;
  }
}

function secretGroupNotFound(id: string): DomainError {
  return new DomainError('SECRET_GROUP_NOT_FOUND', `Secret group ${id} not found`);
}
