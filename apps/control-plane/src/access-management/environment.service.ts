/**
 * Environments of an organization. The guard has already checked that the organization is
 * visible and, for `:envId` routes, that the environment belongs to it. Deleting an environment
 * removes the grants narrowed to it and its unused registration tokens; it is refused
 * (409 ENVIRONMENT_IN_USE) while API instances or gateway targets live in it.
 */
import { Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { assertReadBack } from '../common/read-back.js';
import { AccessManagementRepository } from './access-management.repository.js';
import type { CreateEnvironmentBody, ListEnvironmentsQuery, UpdateEnvironmentBody } from './environment.dto.js';
import { environmentView } from './environment.view.js';

type EnvironmentView = ReturnType<typeof environmentView>;

@Injectable()
export class EnvironmentService {
  constructor(
    private readonly repo: AccessManagementRepository,
    private readonly audit: AuditTrailService,
  ) {}

  async list(organizationId: string, query: ListEnvironmentsQuery) {
    const { offset, limit, ...filter } = query;
    const { rows, total } = await this.repo.listEnvironments(organizationId, filter, { offset, limit });
    return { data: rows.map(environmentView), total };
  }

  async create(organizationId: string, body: CreateEnvironmentBody) {
    assertReadBack(body, { organizationId }, { organizationId: 'an environment is created in the organization of the path' });
    return this.repo.transaction(async (tx) => {
      const env = environmentView(
        await this.repo.createEnvironment(tx, {
          organizationId,
          name: body.name,
          type: body.type,
          isProduction: body.type === 'production',
        }),
      );
      await this.record(tx, 'create', env, { after: env });
      return env;
    });
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
    const name = body.name;
    if (name === undefined || name === env.name) return environmentView(env);
    return this.repo.transaction(async (tx) => {
      const before = environmentView(await this.find(environmentId, tx));
      const after = environmentView(await this.repo.renameEnvironment(tx, env.id, organizationId, name));
      await this.record(tx, 'update', after, { before, after });
      return after;
    });
  }

  async delete(environmentId: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const before = environmentView(await this.find(environmentId, tx));
      await this.repo.deleteEnvironment(tx, before.id);
      await this.record(tx, 'delete', before, { before });
    });
  }

  private async find(environmentId: string, tx?: Tx) {
    const env = await this.repo.findEnvironment(environmentId, tx);
    if (!env) throw new DomainError('ENVIRONMENT_NOT_FOUND', `Environment ${environmentId} not found`);
    return env;
  }

  private record(
    tx: Tx,
    action: 'create' | 'update' | 'delete',
    env: EnvironmentView,
    change: { before?: EnvironmentView; after?: EnvironmentView },
  ): Promise<void> {
    return this.audit.record(tx, {
      organizationId: env.organizationId,
      environmentId: env.id,
      action,
      resource: { type: 'environment', id: env.id, name: env.name },
      ...change,
    });
  }
}
