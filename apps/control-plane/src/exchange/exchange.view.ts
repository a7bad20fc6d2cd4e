/** Exchange response bodies (contract §3.2, §3.4, §3.5). */
import type { ExchangeAsset, PublicationRun } from '../generated/prisma/client.js';
import type { AssetAttribute } from './asset-draft.js';
import type { FileLinks } from './asset-file-links.js';
import { minorVersion } from './asset-version.js';
import { type AssetCoordinates, type AssetSearchItem, CLASSIFIER_TYPES, type KeyedValues } from './exchange.dto.js';
import type { AssetWithFiles, RunKind } from './exchange.repository.js';

function assetPath(a: AssetCoordinates): string {
  return [a.groupId, a.assetId, a.version].map(encodeURIComponent).join('/');
}

/** The link to a run's status: `…/publication/status/{runId}` or `…/mutabledata/status/{runId}`. */
export function runStatusLink(
  baseUrl: string,
  run: { id: string; organizationId: string } & AssetCoordinates,
  kind: RunKind,
): string {
  const route = kind === 'publication' ? 'publication' : 'mutabledata';
  return `${baseUrl}/exchange/api/v2/organizations/${encodeURIComponent(run.organizationId)}/assets/${assetPath(run)}/${route}/status/${run.id}`;
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

export function apiVersionOf(asset: ExchangeAsset): string | undefined {
  return attributes(asset).find((a) => a.key === 'apiVersion')?.value;
}

/** An asset version as the audit trail records a change to it: what a client can change, and its files. */
export function assetRecord(asset: AssetWithFiles) {
  return {
    ...assetSummary(asset),
    description: asset.description,
    contactName: asset.contactName,
    contactEmail: asset.contactEmail,
    tags: asset.tags,
    categories: keyedValues(asset.categories),
    customFields: keyedValues(asset.customFields),
    files: asset.files.map((f) => ({ classifier: f.classifier, packaging: f.packaging, md5: f.md5 })),
  };
}

/** One item of `GET /exchange/api/v2/assets/search`. */
export function searchItem(asset: ExchangeAsset): AssetSearchItem {
  const apiVersion = apiVersionOf(asset);
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

/** A categories or customFields column as stored. */
export function keyedValues(value: unknown): KeyedValues[] {
  return Array.isArray(value) ? (value as KeyedValues[]) : [];
}

/** Categories and custom fields as Exchange shows them (no display names of their own in Portico). */
function keyedView(value: unknown) {
  return keyedValues(value).map((c) => ({ key: c.key, displayName: c.key, value: c.value }));
}

export function dependenciesOf(asset: ExchangeAsset): AssetCoordinates[] {
  return Array.isArray(asset.dependencies) ? (asset.dependencies as unknown as AssetCoordinates[]) : [];
}

/** The file classifiers that hold an asset type's main file (`mainFile` names a file inside them). */
const MAIN_CLASSIFIERS = new Set<string>(Object.keys(CLASSIFIER_TYPES));

type AssetFile = AssetWithFiles['files'][number];

/** One file of an asset version, in v1 and v2 answers alike. */
export function fileView(asset: AssetWithFiles, file: AssetFile, links: FileLinks) {
  const mainFile = attributes(asset).find((a) => a.key === 'mainFile')?.value;
  return {
    classifier: file.classifier,
    packaging: file.packaging,
    md5: file.md5,
    sha1: file.sha1,
    createdDate: file.createdAt.toISOString(),
    downloadURL: links.downloadUrl(asset, file),
    externalLink: links.externalLink(asset, file),
    mainFile: (MAIN_CLASSIFIERS.has(file.classifier) && mainFile) || null,
    // Portico generates no files (no fat packages): every file is one that was uploaded.
    isGenerated: false,
  };
}

function versionSummary(v: ExchangeAsset) {
  return {
    organizationId: v.organizationId,
    groupId: v.groupId,
    assetId: v.assetId,
    version: v.version,
    minorVersion: minorVersion(v.version),
    status: v.status,
    createdDate: v.createdAt.toISOString(),
  };
}

/** `GET /exchange/api/v2/assets/{groupId}/{assetId}[/{version}]`; `versions` (newest first) when given. */
export function assetDetail(asset: AssetWithFiles, links: FileLinks, versions?: ExchangeAsset[]) {
  return {
    ...searchItem(asset),
    contactName: asset.contactName,
    contactEmail: asset.contactEmail,
    categories: keyedView(asset.categories),
    customFields: keyedView(asset.customFields),
    dependencies: dependenciesOf(asset),
    instances: [],
    files: asset.files.map((f) => fileView(asset, f, links)),
    ...(versions && { versions: versions.map(versionSummary) }),
  };
}

/**
 * `GET /exchange/api/v1/assets/{groupId}/{assetId}/{version}` (anypoint-cli `asset describe`,
 * `asset download`). Tags are Exchange v1 tag objects; `modifiedAt` is the last change.
 * `productAPIVersions` groups the versions by API version and is there only when this version
 * declares one: anypoint-cli lists "Asset Versions" from the group of this version's API version,
 * and from `versions` when there is no such list.
 */
export function assetV1(asset: AssetWithFiles, links: FileLinks, versions: ExchangeAsset[]) {
  const apiVersion = apiVersionOf(asset);
  const groups = new Map<string, ExchangeAsset[]>();
  for (const v of versions) {
    const group = apiVersionOf(v);
    if (group !== undefined) groups.set(group, [...(groups.get(group) ?? []), v]);
  }
  return {
    ...searchItem(asset),
    productAPIVersion: apiVersion ?? null,
    modifiedAt: asset.updatedAt.toISOString(),
    contactName: asset.contactName,
    contactEmail: asset.contactEmail,
    tags: asset.tags.map((value) => ({ value, key: null, mutable: true })),
    categories: keyedView(asset.categories),
    customFields: keyedView(asset.customFields),
    dependencies: dependenciesOf(asset),
    files: asset.files.map((f) => fileView(asset, f, links)),
    versions: versions.map(versionSummary),
    ...(apiVersion !== undefined && {
      productAPIVersions: [...groups].map(([productAPIVersion, group]) => ({
        productAPIVersion,
        versions: group.map(versionSummary),
      })),
    }),
  };
}

const STEPS: Record<RunKind, string[]> = {
  publication: ['Validating', 'Files processing', 'Publishing'],
  'mutable-data': ['Validating', 'Applying mutable data'],
};

/** `GET …/publication/status[/{runId}]`, `GET …/mutabledata/status/{runId}`: a completed publication carries `asset`. */
export function runStatus(run: PublicationRun, asset: ExchangeAsset | null) {
  const errors = Array.isArray(run.errors) ? run.errors : [];
  const steps = STEPS[run.kind as RunKind] ?? STEPS.publication;
  return {
    status: run.status,
    assetType: run.assetType,
    steps: steps.map((description, i) => ({
      description,
      status: run.status,
      errors: i === steps.length - 1 ? errors : [],
    })),
    ...(run.kind === 'publication' && run.status === 'completed' && asset ? { asset: assetSummary(asset) } : {}),
  };
}
