/**
 * Environments of an organization. The guard has already checked that the organization is
 * visible and, for `:envId` routes, that the environment belongs to it. Deleting an environment
 * removes the grants narrowed to it and its unused registration tokens; it is refused
 * (409 ENVIRONMENT_IN_USE) while API instances or gateway targets live in it.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { assertReadBack } from '../common/read-back.js';
import { AccessManagementRepository } from './access-management.repository.js';
import type { CreateEnvironmentBody, ListEnvironmentsQuery, UpdateEnvironmentBody } from './environment.dto.js';
import { environmentView } from './environment.view.js';

@Injectable()
export class EnvironmentService {
  constructor(private readonly repo: AccessManagementRepository) {}

  async list(organizationId: string, query: ListEnvironmentsQuery) {
    const { offset, limit, ...filter } = query;
    const { rows, total } = await this.repo.listEnvironments(organizationId, filter, { offset, limit });
    return { data: rows.map(environmentView), total };
  }

  async create(organizationId: string, body: CreateEnvironmentBody) {
    assertReadBack(body, { organizationId }, { organizationId: 'an environment is created in the organization of the path' });
    const env = await this.repo.createEnvironment({
      organizationId,
      name: body.name,
      type: body.type,
      isProduction: body.type === 'production',
    });
    return environmentView(env);
  }

  async get(environmentId: string) {
    return environmentView(await this.find(environmentId));
  }

  async update(organizationId: string, environmentId: string, body: UpdateEnvironmentBody) {
    const env = await this.find(environmentId);
    const onlyName = 'only the name of an environment can change';
    assertReadBack(body, env, {
      type: onlyName,
      isProduction: onlyName,
      id: onlyName,
      organizationId: onlyName,
      clientId: onlyName,
    });
    if (body.name === undefined || body.name === env.name) return environmentView(env);
    return environmentView(await this.repo.renameEnvironment(env.id, organizationId, body.name));
  }

  async delete(environmentId: string): Promise<void> {
    await this.repo.deleteEnvironment((await this.find(environmentId)).id);
  }

  private async find(environmentId: string) {
    const env = await this.repo.findEnvironment(environmentId);
    if (!env) throw new DomainError('ENVIRONMENT_NOT_FOUND', `Environment ${environmentId} not found`);
    return env;
  }
}
