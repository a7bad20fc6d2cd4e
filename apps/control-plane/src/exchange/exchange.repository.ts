import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isUniqueViolation } from '../common/prisma-errors.js';
import { PrismaService, type Tx } from '../common/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { AssetDraft } from './asset-draft.js';
import type { AssetType, SearchQuery } from './exchange.dto.js';

/** File columns without the bytes. */
const fileMeta = { id: true, classifier: true, packaging: true, md5: true, sha1: true, createdAt: true } as const;
const withFiles = { files: { select: fileMeta, orderBy: { id: 'asc' } } } as const;

export type AssetWithFiles = Prisma.ExchangeAssetGetPayload<{ include: typeof withFiles }>;

export interface AssetSearch {
  /** organizations whose non-public assets the caller may read */
  readableOrgIds: string[];
  types: AssetType[];
  search?: string;
  organizationIds: string[];
  offset: number;
  limit: number;
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
    const run = await tx.publicationRun.create({
      data: {
        organizationId,
        groupId: draft.groupId,
        assetId: draft.assetId,
        version: draft.version,
        assetType: draft.type,
        status: 'completed',
      },
    });
    return { asset, runId: run.id };
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

  searchAssets(q: AssetSearch) {
    const direction = q.ascending ? 'asc' : 'desc';
    const and: Prisma.ExchangeAssetWhereInput[] = [
      { status: { not: 'deleted' } },
      { OR: [{ organizationId: { in: q.readableOrgIds } }, { isPublic: true }] },
    ];
    if (q.types.length) and.push({ type: { in: q.types } });
    if (q.organizationIds.length) and.push({ organizationId: { in: q.organizationIds } });
    if (q.search) {
      and.push({
        OR: [{ name: { contains: q.search, mode: 'insensitive' } }, { assetId: { contains: q.search, mode: 'insensitive' } }],
      });
    }
    return this.prisma.exchangeAsset.findMany({
      where: { AND: and },
      orderBy: [{ [SORT_COLUMNS[q.sort]]: direction }, { id: direction }],
      skip: q.offset,
      take: q.limit,
    });
  }

  findFile(assetPk: number, classifier: string, packaging: string) {
    return this.prisma.exchangeAssetFile.findUnique({
      where: { assetPk_classifier_packaging: { assetPk, classifier, packaging } },
    });
  }

  /** Soft delete: the row (and so its group/asset/version) stays. */
  async softDelete(tx: Tx, id: number): Promise<void> {
    await tx.exchangeAsset.update({ where: { id }, data: { status: 'deleted', deletedAt: new Date() } });
  }

  /** API instances whose spec is this asset version. */
  countApiInstancesUsing(groupId: string, assetId: string, version: string): Promise<number> {
    return this.prisma.apiInstance.count({ where: { groupId, assetId, assetVersion: version } });
  }

  findRun(id: string) {
    return this.prisma.publicationRun.findUnique({ where: { id } });
  }

  findLatestRun(organizationId: string, groupId: string, assetId: string, version: string) {
    return this.prisma.publicationRun.findFirst({
      where: { organizationId, groupId, assetId, version },
      orderBy: { createdAt: 'desc' },
    });
  }
}
