/**
 * Publishing assets to Exchange (contract §3.2, §3.3) and their publication runs.
 *
 * Publishing is synchronous in Portico: the asset and its files are written (one transaction)
 * before the request is answered, whatever `x-sync-publication` says. The asynchronous form only
 * changes the answer (202 with a link to a run that is already completed). Bad input, missing
 * permissions and a taken triple are answered right away, never as a failed run. Publishing is
 * recorded as `create` of the asset version (group/asset/version is its id). Every dependency a
 * draft declares must be an asset version the caller can see (400 naming it otherwise).
 */
import { Injectable } from '@nestjs/common';
import { AccessService, isUuid } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import { type InputLocation, validationError } from '../common/validation.js';
import type { AssetDraft } from './asset-draft.js';
import { assetSummary } from './exchange.view.js';
import { ExchangeAssetsService } from './exchange-assets.service.js';
import { type AssetWithFiles, ExchangeRepository, type RunKind } from './exchange.repository.js';

@Injectable()
export class ExchangePublicationService {
  constructor(
    private readonly repo: ExchangeRepository,
    private readonly assets: ExchangeAssetsService,
    private readonly access: AccessService,
    private readonly audit: AuditTrailService,
  ) {}

  /**
   * Publishes `draft` in `organizationId`, where the caller already holds `create:exchange`.
   * `where` names the input carrying groupId in errors.
   */
  async publish(
    principal: Principal,
    organizationId: string,
    draft: AssetDraft,
    options: { where: InputLocation; recordRun: boolean },
  ): Promise<{ asset: AssetWithFiles; runId?: string }> {
    await this.assertGroup(principal, organizationId, draft.groupId, options.where);
    await this.assertDependencies(principal, draft);
    return this.repo.transaction(async (tx) => {
      const createdById = principal.kind === 'user' ? principal.id : null;
      const created = await this.repo.createAsset(tx, organizationId, draft, createdById, options.recordRun);
      const { asset } = created;
      await this.audit.record(tx, {
        organizationId,
        action: 'create',
        resource: { type: 'exchange-asset', id: `${asset.groupId}/${asset.assetId}/${asset.version}`, name: asset.name },
        after: assetSummary(asset),
      });
      return created;
    });
  }

  /**
   * Legacy/JSON create: the organization is `organizationId` or, when absent, the organization
   * whose id is the groupId. Needs `create:exchange` there.
   */
  async create(principal: Principal, draft: AssetDraft): Promise<AssetWithFiles> {
    const organizationId = draft.organizationId ?? draft.groupId;
    if (draft.organizationId) {
      this.access.assertOrganizationVisible(principal, organizationId);
    } else if (!principal.visibleOrgIds.has(organizationId)) {
      throw validationError([
        {
          path: '/body/groupId',
          message: 'must be the id of an organization or business group you can see, or give organizationId',
        },
      ]);
    }
    await this.access.assertScope(principal, { scope: 'create:exchange', organizationId });
    const { asset } = await this.publish(principal, organizationId, draft, { where: 'body', recordRun: false });
    return asset;
  }

  /** A run of `kind` of this asset version in `organizationId`: `runId`, or the latest one. */
  async status(
    organizationId: string,
    groupId: string,
    assetId: string,
    version: string,
    runId?: string,
    kind: RunKind = 'publication',
  ) {
    const run = runId
      ? isUuid(runId)
        ? await this.repo.findRun(runId)
        : null
      : await this.repo.findLatestRun(organizationId, groupId, assetId, version, kind);
    if (
      !run ||
      run.kind !== kind ||
      run.organizationId !== organizationId ||
      run.groupId !== groupId ||
      run.assetId !== assetId ||
      run.version !== version
    ) {
      const what = kind === 'publication' ? 'Publication' : 'Mutable data change';
      throw new DomainError(
        'PUBLICATION_NOT_FOUND',
        `${what} ${runId ? `${runId} ` : ''}of asset ${groupId}/${assetId}/${version} not found`,
      );
    }
    const asset = run.status === 'completed' ? await this.repo.findAsset(groupId, assetId, version) : null;
    return { run, asset };
  }

  private async assertDependencies(principal: Principal, draft: AssetDraft): Promise<void> {
    for (const d of draft.dependencies) {
      if (!(await this.assets.findVisibleAsset(principal, d.groupId, d.assetId, d.version))) {
        throw validationError([
          { path: '/body/dependencies', message: `asset ${d.groupId}:${d.assetId}:${d.version} not found` },
        ]);
      }
    }
  }

  /**
   * groupId is the owning organization or another organization the caller sees (a business
   * group), where the caller also needs `create:exchange`: a group id is that organization's namespace.
   */
  private async assertGroup(principal: Principal, organizationId: string, groupId: string, where: InputLocation): Promise<void> {
    if (groupId === organizationId) return;
    if (!principal.visibleOrgIds.has(groupId)) {
      throw validationError([
        {
          path: `/${where}/groupId`,
          message: `must be ${organizationId} or the id of another organization or business group you can see`,
        },
      ]);
    }
    await this.access.assertScope(principal, { scope: 'create:exchange', organizationId: groupId });
  }
}
