/**
 * Reading and deleting Exchange assets.
 *
 * Visibility: an asset is visible when it is not deleted and either public (the built-in policy
 * catalog) or owned by an organization the caller sees and holds `read:exchange` in. An asset
 * that is not visible is reported exactly like a missing one (404), in search, get and delete.
 * A delete is recorded in the owning organization's trail.
 */
import { Injectable } from '@nestjs/common';
import { AccessService } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { ExchangeAsset } from '../generated/prisma/client.js';
import { compareVersions } from './asset-version.js';
import type { SearchQuery } from './exchange.dto.js';
import { type AssetWithFiles, ExchangeRepository } from './exchange.repository.js';
import { assetSummary } from './exchange.view.js';

export interface AssetWithVersions {
  asset: AssetWithFiles;
  /** visible, non-deleted versions of the same group/asset, newest first */
  versions: AssetWithFiles[];
}

function notFound(...coordinates: string[]): DomainError {
  return new DomainError('ASSET_NOT_FOUND', `Asset ${coordinates.join('/')} not found`);
}

@Injectable()
export class ExchangeAssetsService {
  constructor(
    private readonly repo: ExchangeRepository,
    private readonly access: AccessService,
    private readonly audit: AuditTrailService,
  ) {}

  /**
   * The asset `groupId/assetId/version` when it exists, is not deleted and `principal` may see it;
   * otherwise null. Other features use it to check an Exchange reference (API Manager's "Asset
   * not found"); the signature is a contract between teams.
   */
  async findVisibleAsset(principal: Principal, groupId: string, assetId: string, version: string): Promise<ExchangeAsset | null> {
    const asset = await this.repo.findAsset(groupId, assetId, version);
    return asset && (await this.canRead(principal, asset)) ? asset : null;
  }

  async search(principal: Principal, query: SearchQuery): Promise<ExchangeAsset[]> {
    return this.repo.searchAssets({
      readableOrgIds: [...(await this.readableOrgIds(principal))],
      types: query.types,
      search: query.search,
      organizationIds: query.organizationId,
      offset: query.offset,
      limit: query.limit,
      sort: query.sort ?? 'createdAt',
      // Newest first by default; an explicit `sort` reads naturally ascending unless told otherwise.
      ascending: query.ascending ?? query.sort !== undefined,
    });
  }

  async get(principal: Principal, groupId: string, assetId: string, version: string): Promise<AssetWithVersions> {
    const versions = await this.visibleVersions(principal, groupId, assetId);
    const asset = versions.find((v) => v.version === version);
    if (!asset) throw notFound(groupId, assetId, version);
    return { asset, versions };
  }

  /** The highest version by semver, preferring published ones over development ones. */
  async latest(principal: Principal, groupId: string, assetId: string): Promise<AssetWithVersions> {
    const versions = await this.visibleVersions(principal, groupId, assetId);
    const asset = versions.find((v) => v.status === 'published') ?? versions[0];
    if (!asset) throw notFound(groupId, assetId);
    return { asset, versions };
  }

  async file(principal: Principal, groupId: string, assetId: string, version: string, classifier: string, packaging: string) {
    const asset = await this.findVisibleAsset(principal, groupId, assetId, version);
    if (!asset) throw notFound(groupId, assetId, version);
    const file = await this.repo.findFile(asset.id, classifier, packaging);
    if (!file) {
      throw new DomainError(
        'ASSET_FILE_NOT_FOUND',
        `File ${classifier}.${packaging} not found in asset ${groupId}/${assetId}/${version}`,
      );
    }
    return file;
  }

  /**
   * Soft delete (the group/asset/version stays taken). Needs `create:exchange` (or
   * `manage:exchange`) in the owning organization. The built-in policy catalog is read-only (403),
   * and a version still used by an API instance is kept (409).
   */
  async delete(principal: Principal, groupId: string, assetId: string, version: string): Promise<void> {
    const asset = await this.findVisibleAsset(principal, groupId, assetId, version);
    if (!asset) throw notFound(groupId, assetId, version);
    if (asset.type === 'policy') {
      throw new DomainError(
        'ASSET_READ_ONLY',
        `Asset ${groupId}/${assetId}/${version} belongs to the built-in policy catalog and cannot be deleted`,
      );
    }
    await this.access.assertScope(principal, { scope: 'create:exchange', organizationId: asset.organizationId });
    const instances = await this.repo.countApiInstancesUsing(groupId, assetId, version);
    if (instances) {
      throw new DomainError(
        'ASSET_IN_USE',
        `Asset ${groupId}/${assetId}/${version} is used by ${instances} API instance(s); delete them first`,
      );
    }
    await this.repo.transaction(async (tx) => {
      await this.repo.softDelete(tx, asset.id);
      await this.audit.record(tx, {
        organizationId: asset.organizationId,
        action: 'delete',
        resource: { type: 'exchange-asset', id: `${groupId}/${assetId}/${version}`, name: asset.name },
        before: assetSummary(asset),
      });
    });
  }

  private async canRead(principal: Principal, asset: ExchangeAsset): Promise<boolean> {
    if (asset.status === 'deleted') return false;
    if (asset.isPublic) return true;
    return (
      principal.visibleOrgIds.has(asset.organizationId) &&
      this.access.hasScope(principal, { scope: 'read:exchange', organizationId: asset.organizationId })
    );
  }

  private async readableOrgIds(principal: Principal): Promise<Set<string>> {
    const ids = [...principal.visibleOrgIds];
    const readable = await Promise.all(
      ids.map((organizationId) => this.access.hasScope(principal, { scope: 'read:exchange', organizationId })),
    );
    return new Set(ids.filter((_, i) => readable[i]));
  }

  private async visibleVersions(principal: Principal, groupId: string, assetId: string): Promise<AssetWithFiles[]> {
    const live = await this.repo.findLiveVersions(groupId, assetId);
    if (!live.length) return [];
    const readable = await this.readableOrgIds(principal);
    return live.filter((a) => a.isPublic || readable.has(a.organizationId)).sort((a, b) => compareVersions(b.version, a.version));
  }
}
