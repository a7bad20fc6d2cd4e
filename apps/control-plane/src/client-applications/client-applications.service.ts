/**
 * Exchange client applications (the consumer credentials client-id-enforcement checks) and their
 * contracts with API instances. Client secrets are returned once, at creation or reset, and
 * stored only as scrypt hashes. Every change is recorded as GET shows the application (never its
 * secret; a reset is `rotate`) or the contract (approve, reject and revoke are their own actions).
 */
import { Injectable } from '@nestjs/common';
import { AccessService } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import type { AuditAction } from '../audit/audit-vocabulary.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import { hashSecret, randomClientId, randomToken } from '../common/secrets.js';
import { applicationView, contractView } from './client-application.view.js';
import { ClientApplicationsRepository } from './client-applications.repository.js';
import type {
  CreateApplicationBody,
  CreateContractBody,
  ListContractsQuery,
  UpdateApplicationBody,
} from './client-applications.dto.js';

/** Fields Exchange's create-application call accepts; the rest trigger its own error message. */
const APPLICATION_FIELDS = new Set(['name', 'description', 'redirectUri', 'grantTypes']);

type ApplicationView = ReturnType<typeof applicationView>;
type ContractView = ReturnType<typeof contractView>;

export interface ApiScope {
  organizationId: string;
  environmentId: string;
  apiId: number;
}

@Injectable()
export class ClientApplicationsService {
  constructor(
    private readonly repo: ClientApplicationsRepository,
    private readonly access: AccessService,
    private readonly audit: AuditTrailService,
  ) {}

  async create(organizationId: string, body: CreateApplicationBody) {
    if (Object.keys(body).some((k) => !APPLICATION_FIELDS.has(k))) {
      throw new DomainError(
        'APPLICATION_TARGET_NOT_ALLOWED',
        'A target apiInstanceId or groupInstanceId is required to create an application',
      );
    }
    const secret = randomToken();
    const clientSecretHash = await hashSecret(secret);
    const app = await this.repo.transaction(async (tx) => {
      const created = await this.repo.createApplication(tx, {
        organizationId,
        name: body.name,
        description: body.description ?? null,
        clientId: randomClientId(),
        clientSecretHash,
        redirectUri: body.redirectUri ?? [],
        grantTypes: body.grantTypes ?? ['client_credentials'],
      });
      const after = applicationView(created);
      await this.recordApplication(tx, 'create', after, { after });
      return created;
    });
    return applicationView(app, secret);
  }

  async list(organizationId: string) {
    return (await this.repo.listApplications(organizationId)).map((a) => applicationView(a));
  }

  async get(organizationId: string, id: number) {
    return applicationView(await this.application(organizationId, id));
  }

  async update(organizationId: string, id: number, body: UpdateApplicationBody) {
    return this.repo.transaction(async (tx) => {
      const before = applicationView(await this.application(organizationId, id, tx));
      const after = applicationView(await this.repo.updateApplication(tx, id, body));
      await this.recordApplication(tx, 'update', after, { before, after });
      return after;
    });
  }

  async resetSecret(organizationId: string, id: number) {
    await this.application(organizationId, id);
    const secret = randomToken();
    const clientSecretHash = await hashSecret(secret);
    const app = await this.repo.transaction(async (tx) => {
      const before = applicationView(await this.application(organizationId, id, tx));
      const updated = await this.repo.updateApplication(tx, id, { clientSecretHash });
      const after = applicationView(updated);
      await this.recordApplication(tx, 'rotate', after, { before, after });
      return updated;
    });
    return applicationView(app, secret);
  }

  /** Deletes the application; its contracts go with it (part of its record). */
  async remove(organizationId: string, id: number): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const before = applicationView(await this.application(organizationId, id, tx));
      await this.repo.deleteApplication(tx, id);
      await this.recordApplication(tx, 'delete', before, { before });
    });
  }

  async applicationContracts(organizationId: string, id: number) {
    await this.application(organizationId, id);
    return (await this.repo.listApplicationContracts(id)).map(contractView);
  }

  /**
   * A contract on the tier the request names (contract §7.2): required when the API has an ACTIVE
   * tier, refused when it is deprecated. Approved at once unless the API's approval method is
   * manual or the tier does not auto-approve; a PENDING contract keeps the tier as requested
   * until it is approved.
   *
   * The application may live in another organization than the API, but the caller must be able
   * to read it there: an application in an organization the caller cannot see is 404, one without
   * View Client Applications (read:client_applications) in its organization is 403.
   */
  async createContract(principal: Principal, scope: ApiScope, body: CreateContractBody) {
    const api = await this.api(scope);
    const manual = api.approvalMethod === 'manual';
    if (body.requestAccessInfo && !manual) {
      throw new DomainError('VALIDATION_FAILED', 'body.requestAccessInfo: only allowed when the API approval method is manual');
    }
    const app = await this.repo.findApplicationIn([...principal.visibleOrgIds], body.applicationId);
    if (!app) throw new DomainError('APPLICATION_NOT_FOUND', `Application ${body.applicationId} not found`);
    await this.access.assertScope(principal, { scope: 'read:client_applications', organizationId: app.organizationId });
    const tier = await this.requestedTier(api.id, body.requestedTierId ?? null);
    const approved = !manual && (tier === null || tier.autoApprove);
    return this.repo.transaction(async (tx) => {
      const contract = await this.repo.createContract(tx, {
        apiId: api.id,
        applicationId: app.id,
        organizationId: scope.organizationId,
        environmentId: scope.environmentId,
        status: approved ? 'APPROVED' : 'PENDING',
        approvedDate: approved ? new Date() : null,
        tierId: approved ? (tier?.id ?? null) : null,
        requestedTierId: approved ? null : (tier?.id ?? null),
      });
      const after = contractView(contract);
      await this.recordContract(tx, scope, 'create', after, { after });
      return after;
    });
  }

  async listContracts(scope: ApiScope, query: ListContractsQuery) {
    const api = await this.api(scope);
    const { total, rows } = await this.repo.listContracts(api.id, query);
    return { total, contracts: rows.map(contractView) };
  }

  async getContract(scope: ApiScope, id: number) {
    return contractView(await this.contract(scope, id));
  }

  /** Approving puts the contract on the tier it requested (a revoked one keeps its tier). */
  async setContractStatus(scope: ApiScope, id: number, action: 'approve' | 'reject' | 'revoke') {
    const api = await this.api(scope);
    return this.repo.transaction(async (tx) => {
      const contract = await this.contractOf(api.id, id, tx);
      const now = new Date();
      const updated =
        action === 'approve'
          ? await this.repo.updateContractStatus(tx, id, 'APPROVED', {
              approvedDate: now,
              revokedDate: null,
              rejectedDate: null,
              tierId: contract.requestedTierId ?? contract.tierId,
              requestedTierId: null,
            })
          : action === 'reject'
            ? await this.repo.updateContractStatus(tx, id, 'REJECTED', { rejectedDate: now })
            : await this.repo.updateContractStatus(tx, id, 'REVOKED', { revokedDate: now });
      const after = contractView(updated);
      await this.recordContract(tx, scope, action, after, { before: contractView(contract), after });
      return after;
    });
  }

  async deleteContract(scope: ApiScope, id: number): Promise<void> {
    const api = await this.api(scope);
    await this.repo.transaction(async (tx) => {
      const contract = await this.contractOf(api.id, id, tx);
      if (contract.status === 'APPROVED') throw new DomainError('CONTRACT_ACTIVE', 'Cannot delete active contract');
      await this.repo.deleteContract(tx, id);
      const before = contractView(contract);
      await this.recordContract(tx, scope, 'delete', before, { before });
    });
  }

  private async application(organizationId: string, id: number, tx?: Tx) {
    const app = await this.repo.findApplication(organizationId, id, tx);
    if (!app) throw new DomainError('APPLICATION_NOT_FOUND', `Application ${id} not found`);
    return app;
  }

  private recordApplication(
    tx: Tx,
    action: AuditAction,
    app: ApplicationView,
    change: { before?: ApplicationView; after?: ApplicationView },
  ) {
    return this.audit.record(tx, {
      organizationId: app.organizationId,
      action,
      resource: { type: 'client-application', id: app.id, name: app.name },
      ...change,
    });
  }

  private recordContract(
    tx: Tx,
    scope: ApiScope,
    action: AuditAction,
    contract: ContractView,
    change: { before?: ContractView; after?: ContractView },
  ) {
    return this.audit.record(tx, {
      organizationId: scope.organizationId,
      environmentId: scope.environmentId,
      action,
      resource: { type: 'contract', id: contract.id, name: contract.application.name },
      ...change,
    });
  }

  private async api(scope: ApiScope) {
    const api = await this.repo.findApi(scope.organizationId, scope.environmentId, scope.apiId);
    if (!api) throw new DomainError('API_NOT_FOUND', `API instance ${scope.apiId} not found`);
    return api;
  }

  /** The tier a new contract is on, if any: `requestedTierId` must name an ACTIVE tier of the API. */
  private async requestedTier(apiId: number, requestedTierId: number | null) {
    if (requestedTierId === null) {
      if (await this.repo.hasActiveTier(apiId)) throw new DomainError('CONTRACT_TIER_REQUIRED', 'tier required');
      return null;
    }
    const tier = await this.repo.findTier(apiId, requestedTierId);
    if (!tier) throw new DomainError('SLA_TIER_NOT_FOUND', `Tier ${requestedTierId} not found`);
    if (tier.status === 'DEPRECATED') throw new DomainError('SLA_TIER_DEPRECATED', `Tier ${requestedTierId} is deprecated`);
    return tier;
  }

  private async contract(scope: ApiScope, id: number) {
    return this.contractOf((await this.api(scope)).id, id);
  }

  private async contractOf(apiId: number, id: number, tx?: Tx) {
    const contract = await this.repo.findContract(apiId, id, tx);
    if (!contract) throw new DomainError('CONTRACT_NOT_FOUND', `Contract ${id} not found`);
    return contract;
  }
}
