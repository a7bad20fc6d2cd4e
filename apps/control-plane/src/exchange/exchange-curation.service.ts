/**
 * Changes to a published asset version: its status (deprecate, undeprecate), its name and
 * descriptive metadata, its tags, and its mutable data (tags, categories, custom fields,
 * documentation archive).
 *
 * Who may change what is ExchangeAssetsService.findChangeableAsset's rule (404 when not visible,
 * 403 for the built-in catalog or without `create:exchange`). Each change runs in one transaction
 * holding the version's row lock, so concurrent changes apply one after the other and a version
 * deleted meanwhile is a 404; each is recorded as an `update` of the version in its
 * organization's audit trail (nothing is recorded when nothing changed).
 *
 * Status lifecycle (Exchange's): development → published → deprecated → published. A version
 * never goes back to development, and deprecating a development version is refused (409).
 * `deleted` is reached only through DELETE.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import type { Tx } from '../common/prisma.service.js';
import type { ExchangeAsset } from '../generated/prisma/client.js';
import { applyKeyedValues } from './asset-form.js';
import { ExchangeAssetsService } from './exchange-assets.service.js';
import type { AssetCoordinates, AssetStatus, MetadataBody } from './exchange.dto.js';
import { type AssetChange, type AssetWithFiles, ExchangeRepository } from './exchange.repository.js';
import { assetRecord, keyedValues } from './exchange.view.js';
import type { MutableDataChange } from './mutable-data.js';

const NEXT_STATUSES: Record<AssetStatus, AssetStatus[]> = {
  development: ['published'],
  published: ['deprecated'],
  deprecated: ['published'],
};

@Injectable()
export class ExchangeCurationService {
  constructor(
    private readonly repo: ExchangeRepository,
    private readonly assets: ExchangeAssetsService,
    private readonly audit: AuditTrailService,
  ) {}

  /** `PUT …/status`: moves the version along the lifecycle (see the header). */
  async setStatus(principal: Principal, coordinates: AssetCoordinates, status: AssetStatus): Promise<void> {
    await this.change(principal, coordinates, 'its status cannot be changed', undefined, (asset) => {
      const from = asset.status as AssetStatus;
      if (from === status) return {};
      const allowed = NEXT_STATUSES[from] ?? [];
      if (!allowed.includes(status)) {
        throw new DomainError(
          'ASSET_STATUS_CONFLICT',
          `Asset ${path(asset)} is ${from}: its status can change to ${allowed.join(' or ') || 'nothing else'}, not to ${status}`,
        );
      }
      return { status };
    });
  }

  /** `PATCH …/organizations/{org}/assets/…/metadata`: name, description, contact. */
  async setMetadata(
    principal: Principal,
    organizationId: string,
    coordinates: AssetCoordinates,
    body: MetadataBody,
  ): Promise<void> {
    await this.change(principal, coordinates, 'cannot be changed', organizationId, () => body);
  }

  /** `PUT …/tags`: the version's tags, replaced as a whole. */
  async setTags(principal: Principal, coordinates: AssetCoordinates, tags: string[]): Promise<void> {
    await this.change(principal, coordinates, 'its tags cannot be changed', undefined, () => ({ tags }));
  }

  /** `PATCH …/mutabledata`: applies `change` at once; returns the id of its (completed) run. */
  async changeMutableData(
    principal: Principal,
    organizationId: string,
    coordinates: AssetCoordinates,
    change: MutableDataChange,
  ): Promise<{ asset: ExchangeAsset; runId: string }> {
    return this.change(
      principal,
      coordinates,
      'its mutable data cannot be changed',
      organizationId,
      (asset) => ({
        ...(change.tags && { tags: change.tags }),
        ...(change.categories && { categories: applyKeyedValues(keyedValues(asset.categories), change.categories) }),
        ...(change.customFields && { customFields: applyKeyedValues(keyedValues(asset.customFields), change.customFields) }),
      }),
      async (tx, asset) => {
        if (change.docs) await this.repo.putFile(tx, asset.id, change.docs);
        return { asset, runId: await this.repo.createCompletedRun(tx, asset, 'mutable-data') };
      },
    );
  }

  /**
   * Finds the version `principal` may change, locks it, applies `columns(version)` and then
   * `more` in one transaction, and records the change.
   */
  private async change<T = void>(
    principal: Principal,
    coordinates: AssetCoordinates,
    refusal: string,
    organizationId: string | undefined,
    columns: (asset: AssetWithFiles) => AssetChange,
    more?: (tx: Tx, asset: AssetWithFiles) => Promise<T>,
  ): Promise<T> {
    const found = await this.assets.findChangeableAsset(principal, coordinates, refusal, organizationId);
    return this.repo.transaction(async (tx) => {
      const before = await this.repo.lockAsset(tx, found.id);
      if (!before || before.status === 'deleted') {
        throw new DomainError('ASSET_NOT_FOUND', `Asset ${path(coordinates)} not found`);
      }
      const change = columns(before);
      let after = Object.keys(change).length ? await this.repo.updateAsset(tx, before.id, change) : before;
      const result = more ? await more(tx, after) : (undefined as T);
      if (more) after = (await this.repo.lockAsset(tx, before.id)) ?? after;
      if (JSON.stringify(assetRecord(before)) !== JSON.stringify(assetRecord(after))) {
        await this.audit.record(tx, {
          organizationId: before.organizationId,
          action: 'update',
          resource: { type: 'exchange-asset', id: path(before), name: after.name },
          before: assetRecord(before),
          after: assetRecord(after),
        });
      }
      return result;
    });
  }
}

function path(a: AssetCoordinates): string {
  return `${a.groupId}/${a.assetId}/${a.version}`;
}
