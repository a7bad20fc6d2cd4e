/**
 * Reading and deleting Exchange assets.
 *
 * Visibility: an asset is visible when it is not deleted and either public (the built-in policy
 * catalog) or owned by an organization the caller sees and holds `read:exchange` in; without a
 * caller (the Graph API answers anonymous queries) only public assets are. An asset that is not
 * visible is reported exactly like a missing one (404), in search, get, changes and delete.
 * Changing or deleting a version needs `create:exchange` in its organization, and the built-in
 * policy catalog cannot be changed (403). A delete is recorded in the owning organization's trail.
 */
import { Injectable } from '@nestjs/common';
import { AccessService } from '../auth/access.service.js';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { ExchangeAsset } from '../generated/prisma/client.js';
import { compareVersions } from './asset-version.js';
import type { AssetCoordinates, AssetType, DeleteType, SearchQuery } from './exchange.dto.js';
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

export function linkInvalid(): DomainError {
  return new DomainError(
    'ASSET_FILE_LINK_INVALID',
    'This download link is not valid or has expired; read the asset again for a new externalLink',
  );
}

/** What the Graph API's `assets` filters by (exchange-graph.ts). */
export interface AssetFilter {
  types: AssetType[];
  search?: string;
  organizationIds: string[];
  isPublic?: boolean;
  labels: string[];
  categories: { key: string; value?: string }[];
  latestVersionsOnly: boolean;
  offset: number;
  limit: number;
}

function plural(count: number): string {
  return count === 1 ? '' : 's';
}

/** Names the instances the caller can see (id, label, environment); counts the others. */
function inUseMessage(
  coordinates: string,
  named: { id: number; instanceLabel: string | null; environment: { name: string } }[],
  others: number,
): string {
  const names = named.map((i) => `${i.id}${i.instanceLabel ? ` "${i.instanceLabel}"` : ''} (${i.environment.name})`);
  const users = [
    ...(names.length ? [`API instance${plural(names.length)} ${names.join(', ')}`] : []),
    ...(others ? [`${others} API instance${plural(others)} in organizations you cannot see`] : []),
  ];
  const [them, their] = names.length + others > 1 ? ['them', 'their'] : ['it', 'its'];
  return `Asset ${coordinates} is the spec of ${users.join(' and ')}; delete ${them} or change ${their} asset version first`;
}

/** Published versions rank above development and deprecated ones; then semver decides. */
function isNewer(a: ExchangeAsset, b: ExchangeAsset): boolean {
  const rank = (x: ExchangeAsset) => (x.status === 'published' ? 1 : 0);
  return rank(a) !== rank(b) ? rank(a) > rank(b) : compareVersions(a.version, b.version) > 0;
}

/** The latest of `versions` (see isNewer). */
export function latestOf<T extends ExchangeAsset>(versions: T[]): T | undefined {
  return versions.reduce<T | undefined>((kept, v) => (!kept || isNewer(v, kept) ? v : kept), undefined);
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
      page: { offset: query.offset, limit: query.limit },
      sort: query.sort ?? 'createdAt',
      // Newest first by default; an explicit `sort` reads naturally ascending unless told otherwise.
      ascending: query.ascending ?? query.sort !== undefined,
    });
  }

  /**
   * The visible assets matching `filter`, newest first, with their files; `latestVersionsOnly`
   * keeps the latest version (see `latest`) of each group/asset before the page is cut.
   */
  async query(principal: Principal | null, filter: AssetFilter): Promise<AssetWithFiles[]> {
    const { offset, limit, latestVersionsOnly, ...where } = filter;
    const search = {
      ...where,
      readableOrgIds: principal ? [...(await this.readableOrgIds(principal))] : [],
      sort: 'createdAt' as const,
      ascending: false,
    };
    if (!latestVersionsOnly) return this.repo.searchAssetsWithFiles({ ...search, page: { offset, limit } });
    const latest = new Map<string, AssetWithFiles>();
    for (const asset of await this.repo.searchAssetsWithFiles(search)) {
      const key = `${asset.groupId}/${asset.assetId}`;
      const kept = latest.get(key);
      if (!kept || isNewer(asset, kept)) latest.set(key, asset);
    }
    return [...latest.values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
      .slice(offset, offset + limit);
  }

  /** The visible versions of groupId/assetId, newest first (none when it is not visible). */
  versions(principal: Principal | null, groupId: string, assetId: string): Promise<AssetWithFiles[]> {
    return this.visibleVersions(principal, groupId, assetId);
  }

  async get(principal: Principal, groupId: string, assetId: string, version: string): Promise<AssetWithVersions> {
    const versions = await this.visibleVersions(principal, groupId, assetId);
    const asset = versions.find((v) => v.version === version);
    if (!asset) throw notFound(groupId, assetId, version);
    return { asset, versions };
  }

  /** The highest version by semver, preferring published ones over development and deprecated ones. */
  async latest(principal: Principal, groupId: string, assetId: string): Promise<AssetWithVersions> {
    const versions = await this.visibleVersions(principal, groupId, assetId);
    const asset = latestOf(versions);
    if (!asset) throw notFound(groupId, assetId);
    return { asset, versions };
  }

  /** The file an externalLink token names (asset-file-links.ts), while its version is not deleted. */
  async linkedFile(fileId: number | undefined) {
    const file = fileId === undefined ? null : await this.repo.findFileById(fileId);
    if (!file || file.asset.status === 'deleted') throw linkInvalid();
    return file;
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
   * The asset version `principal` may change: visible (404 otherwise), not in the built-in policy
   * catalog (403 ASSET_READ_ONLY, `change` says what was refused) and with `create:exchange` (or
   * `manage:exchange`) in its organization (403). With `organizationId`, the version must belong
   * to that organization (404 otherwise), as on Exchange's `…/organizations/{org}/assets/…` routes.
   */
  async findChangeableAsset(
    principal: Principal,
    coordinates: AssetCoordinates,
    change: string,
    organizationId?: string,
  ): Promise<ExchangeAsset> {
    const { groupId, assetId, version } = coordinates;
    const asset = await this.findVisibleAsset(principal, groupId, assetId, version);
    if (!asset || (organizationId !== undefined && asset.organizationId !== organizationId))
      throw notFound(groupId, assetId, version);
    if (asset.type === 'policy') {
      throw new DomainError(
        'ASSET_READ_ONLY',
        `Asset ${groupId}/${assetId}/${version} belongs to the built-in policy catalog and ${change}`,
      );
    }
    await this.access.assertScope(principal, { scope: 'create:exchange', organizationId: asset.organizationId });
    return asset;
  }

  /**
   * Deletes a version (the one rule of every delete route). `soft-delete` (the default) keeps the
   * group/asset/version taken; `hard-delete` removes the row, its files and documentation, and
   * frees the triple. A version an API instance still uses as its spec is kept (409 naming the
   * instances the caller can see, and how many others there are).
   */
  async delete(
    principal: Principal,
    groupId: string,
    assetId: string,
    version: string,
    mode: DeleteType = 'soft-delete',
  ): Promise<void> {
    await this.remove(
      principal,
      await this.findChangeableAsset(principal, { groupId, assetId, version }, 'cannot be deleted'),
      mode,
    );
  }

  /** `delete` through `…/organizations/{organizationId}/assets/…`: the version must be that organization's. */
  async deleteInOrganization(
    principal: Principal,
    organizationId: string,
    coordinates: AssetCoordinates,
    mode: DeleteType,
  ): Promise<void> {
    await this.remove(
      principal,
      await this.findChangeableAsset(principal, coordinates, 'cannot be deleted', organizationId),
      mode,
    );
  }

  private async remove(principal: Principal, asset: ExchangeAsset, mode: DeleteType): Promise<void> {
    const coordinates = `${asset.groupId}/${asset.assetId}/${asset.version}`;
    const instances = await this.repo.findApiInstancesUsing(asset.groupId, asset.assetId, asset.version);
    if (instances.length) {
      const named = instances.filter((i) => principal.visibleOrgIds.has(i.organizationId));
      throw new DomainError('ASSET_IN_USE', inUseMessage(coordinates, named, instances.length - named.length));
    }
    await this.repo.transaction(async (tx) => {
      if (mode === 'hard-delete') await this.repo.hardDelete(tx, asset);
      else await this.repo.softDelete(tx, asset.id);
      await this.audit.record(tx, {
        organizationId: asset.organizationId,
        action: 'delete',
        resource: { type: 'exchange-asset', id: coordinates, name: asset.name },
        before: assetSummary(asset),
      });
    });
  }

  private async canRead(principal: Principal | null, asset: ExchangeAsset): Promise<boolean> {
    if (asset.status === 'deleted') return false;
    if (asset.isPublic) return true;
    return (
      principal !== null &&
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

  private async visibleVersions(principal: Principal | null, groupId: string, assetId: string): Promise<AssetWithFiles[]> {
    const live = await this.repo.findLiveVersions(groupId, assetId);
    if (!live.length) return [];
    const readable = principal ? await this.readableOrgIds(principal) : new Set<string>();
    return live.filter((a) => a.isPublic || readable.has(a.organizationId)).sort((a, b) => compareVersions(b.version, a.version));
  }
}
