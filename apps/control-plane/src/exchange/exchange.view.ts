/** Exchange response bodies (contract §3.2, §3.4, §3.5). */
import type { ExchangeAsset, PublicationRun } from '../generated/prisma/client.js';
import type { AssetAttribute } from './asset-draft.js';
import { minorVersion } from './asset-version.js';
import type { AssetWithFiles } from './exchange.repository.js';

function assetPath(a: { groupId: string; assetId: string; version: string }): string {
  return [a.groupId, a.assetId, a.version].map(encodeURIComponent).join('/');
}

export function publicationStatusLink(
  baseUrl: string,
  run: { id: string; organizationId: string } & Parameters<typeof assetPath>[0],
): string {
  return `${baseUrl}/exchange/api/v2/organizations/${encodeURIComponent(run.organizationId)}/assets/${assetPath(run)}/publication/status/${run.id}`;
}

function attributes(asset: ExchangeAsset): AssetAttribute[] {
  return Array.isArray(asset.attributes) ? (asset.attributes as unknown as AssetAttribute[]) : [];
}

/** The short body of a publication (201 of the sync publish, `asset` of a completed run). */
export function assetSummary(asset: ExchangeAsset) {
  return {
    organizationId: asset.organizationId,
    groupId: asset.groupId,
    assetId: asset.assetId,
    version: asset.version,
    name: asset.name,
    type: asset.type,
    status: asset.status,
  };
}

/** One item of `GET /exchange/api/v2/assets/search`. */
export function searchItem(asset: ExchangeAsset) {
  const apiVersion = attributes(asset).find((a) => a.key === 'apiVersion')?.value;
  return {
    id: `${asset.groupId}/${asset.assetId}/${asset.version}`,
    organizationId: asset.organizationId,
    groupId: asset.groupId,
    assetId: asset.assetId,
    version: asset.version,
    minorVersion: minorVersion(asset.version),
    // contract §3.4's example carries the version itself when no API version is declared
    versionGroup: apiVersion ?? asset.version,
    description: asset.description,
    isPublic: asset.isPublic,
    name: asset.name,
    type: asset.type,
    status: asset.status,
    isSnapshot: false,
    createdById: asset.createdById,
    createdAt: asset.createdAt.toISOString(),
    createdDate: asset.createdAt.toISOString(),
    updatedDate: asset.updatedAt.toISOString(),
    attributes: attributes(asset),
    labels: asset.tags,
    tags: asset.tags,
  };
}

/** `GET /exchange/api/v2/assets/{groupId}/{assetId}[/{version}]`; `versions` (newest first) when given. */
export function assetDetail(asset: AssetWithFiles, baseUrl: string, versions?: ExchangeAsset[]) {
  return {
    ...searchItem(asset),
    contactName: asset.contactName,
    contactEmail: asset.contactEmail,
    categories: [],
    customFields: [],
    dependencies: [],
    instances: [],
    files: asset.files.map((f) => ({
      classifier: f.classifier,
      packaging: f.packaging,
      md5: f.md5,
      sha1: f.sha1,
      createdDate: f.createdAt.toISOString(),
      downloadURL: `${baseUrl}/exchange/api/v2/assets/${assetPath(asset)}/files/${encodeURIComponent(f.classifier)}/${encodeURIComponent(f.packaging)}`,
      externalLink: null,
      mainFile: null,
      isGenerated: false,
    })),
    ...(versions && {
      versions: versions.map((v) => ({
        organizationId: v.organizationId,
        groupId: v.groupId,
        assetId: v.assetId,
        version: v.version,
        minorVersion: minorVersion(v.version),
        status: v.status,
        createdDate: v.createdAt.toISOString(),
      })),
    }),
  };
}

const STEPS = ['Validating', 'Files processing', 'Publishing'];

/** `GET .../publication/status[/{runId}]`: a completed run carries `asset`. */
export function publicationStatus(run: PublicationRun, asset: ExchangeAsset | null) {
  const errors = Array.isArray(run.errors) ? run.errors : [];
  return {
    status: run.status,
    assetType: run.assetType,
    steps: STEPS.map((description, i) => ({
      description,
      status: run.status,
      errors: i === STEPS.length - 1 ? errors : [],
    })),
    ...(run.status === 'completed' && asset ? { asset: assetSummary(asset) } : {}),
  };
}
