import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { listOrder } from '../common/list-order.js';
import { isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import type { ExchangeAsset, Prisma } from '../generated/prisma/client.js';
import type { AssetDraft, AssetFileDraft } from './asset-draft.js';
import type { AssetStatus, AssetType, KeyedValues, SearchQuery } from './exchange.dto.js';

/** File columns without the bytes. */
const fileMeta = { id: true, classifier: true, packaging: true, md5: true, sha1: true, createdAt: true } as const;
const withFiles = { files: { select: fileMeta, orderBy: { id: 'asc' } } } as const;

export type AssetWithFiles = Prisma.ExchangeAssetGetPayload<{ include: typeof withFiles }>;

/** What a run records: a publication (…/publication/status) or a mutable-data change (…/mutabledata/status). */
export type RunKind = 'publication' | 'mutable-data';

/** The columns of an asset version that change after publishing. */
export interface AssetChange {
  status?: AssetStatus;
  name?: string;
  description?: string | null;
  contactName?: string | null;
  contactEmail?: string | null;
  tags?: string[];
  categories?: KeyedValues[];
  customFields?: KeyedValues[];
}

export interface AssetSearch {
  /** organizations whose non-public assets the caller may read */
  readableOrgIds: string[];
  types: AssetType[];
  search?: string;
  organizationIds: string[];
  /** true: only public assets; false: only the organizations' own */
  isPublic?: boolean;
  /** assets carrying every one of these tags */
  labels?: string[];
  /** assets carrying each of these categories (with one of `value` when given) */
  categories?: { key: string; value?: string }[];
  /** a page; every match when absent */
  page?: { offset: number; limit: number };
  sort: NonNullable<SearchQuery['sort']>;
  ascending: boolean;
}

const SORT_COLUMNS = {
  name: 'name',
  assetId: 'assetId',
  groupId: 'groupId',
  version: 'version',
  type: 'type',
  createdAt: 'createdAt',
  createdDate: 'createdAt',
  updatedDate: 'updatedAt',
} as const satisfies Record<AssetSearch['sort'], keyof Prisma.ExchangeAssetOrderByWithRelationInput>;

@Injectable()
export class ExchangeRepository {
  constructor(private readonly prisma: PrismaService) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  /**
   * Writes the asset, its files and, for an asynchronous publication, its run in `tx`. A taken
   * group/asset/version (also a deleted one) is ASSET_PRE_CONDITIONS_FAILED.
   */
  async createAsset(
    tx: Tx,
    organizationId: string,
    draft: AssetDraft,
    createdById: string | null,
    recordRun: boolean,
  ): Promise<{ asset: AssetWithFiles; runId?: string }> {
    let asset: AssetWithFiles;
    try {
      asset = await tx.exchangeAsset.create({
        data: {
          organizationId,
          groupId: draft.groupId,
          assetId: draft.assetId,
          version: draft.version,
          name: draft.name,
          description: draft.description ?? null,
          type: draft.type,
          status: draft.status,
          tags: draft.tags,
          attributes: draft.attributes as unknown as Prisma.InputJsonValue,
          categories: draft.categories as unknown as Prisma.InputJsonValue,
          customFields: draft.customFields as unknown as Prisma.InputJsonValue,
          dependencies: draft.dependencies as unknown as Prisma.InputJsonValue,
          contactName: draft.contactName ?? null,
          contactEmail: draft.contactEmail ?? null,
          createdById,
          files: {
            create: draft.files.map((f) => ({
              classifier: f.classifier,
              packaging: f.packaging,
              content: new Uint8Array(f.content),
              md5: f.md5,
              sha1: f.sha1,
            })),
          },
        },
        include: withFiles,
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DomainError(
          'ASSET_PRE_CONDITIONS_FAILED',
          `Asset ${draft.groupId}/${draft.assetId}/${draft.version} already exists; a version can be published only once, even after it is deleted`,
        );
      }
      throw err;
    }
    if (!recordRun) return { asset };
    return { asset, runId: await this.createCompletedRun(tx, asset, 'publication') };
  }

  /** The asset in any status, with its files (without bytes). */
  findAsset(groupId: string, assetId: string, version: string): Promise<AssetWithFiles | null> {
    return this.prisma.exchangeAsset.findUnique({
      where: { groupId_assetId_version: { groupId, assetId, version } },
      include: withFiles,
    });
  }

  /** Every version of groupId/assetId that is not deleted. */
  findLiveVersions(groupId: string, assetId: string): Promise<AssetWithFiles[]> {
    return this.prisma.exchangeAsset.findMany({
      where: { groupId, assetId, status: { not: 'deleted' } },
      include: withFiles,
    });
  }

  searchAssets(q: AssetSearch): Promise<ExchangeAsset[]> {
    return this.prisma.exchangeAsset.findMany(this.searchArgs(q));
  }

  /** searchAssets with each asset's files (without bytes). */
  searchAssetsWithFiles(q: AssetSearch): Promise<AssetWithFiles[]> {
    return this.prisma.exchangeAsset.findMany({ ...this.searchArgs(q), include: withFiles });
  }

  private searchArgs(q: AssetSearch) {
    const and: Prisma.ExchangeAssetWhereInput[] = [
      { status: { not: 'deleted' } },
      { OR: [{ organizationId: { in: q.readableOrgIds } }, { isPublic: true }] },
    ];
    if (q.types.length) and.push({ type: { in: q.types } });
    if (q.organizationIds.length) and.push({ organizationId: { in: q.organizationIds } });
    if (q.isPublic !== undefined) and.push({ isPublic: q.isPublic });
    if (q.labels?.length) and.push({ tags: { hasEvery: q.labels } });
    for (const category of q.categories ?? []) {
      and.push({
        categories: {
          array_contains: [category.value === undefined ? { key: category.key } : { key: category.key, value: [category.value] }],
        },
      });
    }
    if (q.search) {
      and.push({
        OR: [{ name: { contains: q.search, mode: 'insensitive' } }, { assetId: { contains: q.search, mode: 'insensitive' } }],
      });
    }
    return {
      where: { AND: and },
      orderBy: listOrder(SORT_COLUMNS[q.sort], q.ascending),
      ...(q.page && { skip: q.page.offset, take: q.page.limit }),
    } satisfies Prisma.ExchangeAssetFindManyArgs;
  }

  findFile(assetPk: number, classifier: string, packaging: string) {
    return this.prisma.exchangeAssetFile.findUnique({
      where: { assetPk_classifier_packaging: { assetPk, classifier, packaging } },
    });
  }

  /** The asset row locked until `tx` ends (FOR UPDATE), in any status; null when there is none. */
  async lockAsset(tx: Tx, id: number): Promise<AssetWithFiles | null> {
    const locked = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM "ExchangeAsset" WHERE id = ${id} FOR UPDATE`;
    if (!locked.length) return null;
    return tx.exchangeAsset.findUnique({ where: { id }, include: withFiles });
  }

  /** Changes the columns of an asset version a client may change after publishing. */
  updateAsset(tx: Tx, id: number, change: AssetChange): Promise<AssetWithFiles> {
    const { categories, customFields, ...columns } = change;
    return tx.exchangeAsset.update({
      where: { id },
      data: {
        ...columns,
        ...(categories && { categories: categories as unknown as Prisma.InputJsonValue }),
        ...(customFields && { customFields: customFields as unknown as Prisma.InputJsonValue }),
      },
      include: withFiles,
    });
  }

  /** Adds the file, or replaces the one with the same classifier and packaging. */
  async putFile(tx: Tx, assetPk: number, file: AssetFileDraft): Promise<void> {
    const data = { content: new Uint8Array(file.content), md5: file.md5, sha1: file.sha1, createdAt: new Date() };
    await tx.exchangeAssetFile.upsert({
      where: { assetPk_classifier_packaging: { assetPk, classifier: file.classifier, packaging: file.packaging } },
      create: { assetPk, classifier: file.classifier, packaging: file.packaging, ...data },
      update: data,
    });
  }

  /** Soft delete: the row (and so its group/asset/version) stays. */
  async softDelete(tx: Tx, id: number): Promise<void> {
    await tx.exchangeAsset.update({ where: { id }, data: { status: 'deleted', deletedAt: new Date() } });
  }

  /**
   * Hard delete: the row, its files (and documentation, by cascade) and the runs of its
   * group/asset/version go, so the triple can be published again.
   */
  async hardDelete(tx: Tx, asset: { id: number; groupId: string; assetId: string; version: string }): Promise<void> {
    await tx.publicationRun.deleteMany({ where: { groupId: asset.groupId, assetId: asset.assetId, version: asset.version } });
    await tx.exchangeAsset.delete({ where: { id: asset.id } });
  }

  /** API instances whose spec is this asset version, oldest first. */
  findApiInstancesUsing(groupId: string, assetId: string, version: string) {
    return this.prisma.apiInstance.findMany({
      where: { groupId, assetId, assetVersion: version },
      select: { id: true, organizationId: true, instanceLabel: true, environment: { select: { name: true } } },
      orderBy: { id: 'asc' },
    });
  }

  /** A file of an asset version by its id, with the asset (both without bytes but the file's). */
  findFileById(id: number) {
    return this.prisma.exchangeAssetFile.findUnique({ where: { id }, include: { asset: true } });
  }

  /** A run that is already completed: Portico applies publications and mutable data at once. */
  async createCompletedRun(
    tx: Tx,
    asset: { organizationId: string; groupId: string; assetId: string; version: string; type: string },
    kind: RunKind,
  ): Promise<string> {
    const run = await tx.publicationRun.create({
      data: {
        organizationId: asset.organizationId,
        groupId: asset.groupId,
        assetId: asset.assetId,
        version: asset.version,
        assetType: asset.type,
        kind,
        status: 'completed',
      },
    });
    return run.id;
  }

  findRun(id: string) {
    return this.prisma.publicationRun.findUnique({ where: { id } });
  }

  findLatestRun(organizationId: string, groupId: string, assetId: string, version: string, kind: RunKind) {
    return this.prisma.publicationRun.findFirst({
      where: { organizationId, groupId, assetId, version, kind },
      orderBy: { createdAt: 'desc' },
    });
  }
}
