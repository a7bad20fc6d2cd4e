/**
 * Turns the three ways of creating an asset (v2 multipart publish, legacy multipart, JSON) into
 * one validated AssetDraft. Every problem is a 400 naming the field as `body.<field>: reason`.
 */
import { type ErrorDetail } from '../common/domain-error.js';
import { parseInput, validationError } from '../common/validation.js';
import { type AssetFileDraft, applyKeyedValues, assetFiles, invalid, keyedValuesChange, splitUpload } from './asset-form.js';
import type { MultipartUpload, UploadedPart } from './exchange-multipart.js';
import {
  type AssetCoordinates,
  type AssetType,
  CLASSIFIER_TYPES,
  type CreateAssetBody,
  type KeyedValues,
  legacyForm,
  publishForm,
  type PublishParams,
} from './exchange.dto.js';

export type { AssetFileDraft } from './asset-form.js';

export interface AssetAttribute {
  key: string;
  value: string;
}

export interface AssetDraft {
  /** given by the legacy/JSON create; the v2 publish takes it from the path */
  organizationId?: string;
  groupId: string;
  assetId: string;
  version: string;
  name: string;
  type: AssetType;
  description?: string;
  tags: string[];
  attributes: AssetAttribute[];
  categories: KeyedValues[];
  customFields: KeyedValues[];
  dependencies: AssetCoordinates[];
  contactName?: string;
  contactEmail?: string;
  status: 'published' | 'development';
  files: AssetFileDraft[];
}

/**
 * `properties.<name>` as Exchange attributes. A value sent JSON-quoted (the docs' own curl sends
 * `properties.platform="mulesoft"`) is unquoted. The metadata file's platform applies only when
 * no `properties.platform` is given.
 */
function attributesOf(properties: Record<string, string>, metadataPlatform: string | undefined): AssetAttribute[] {
  const attributes = Object.entries(properties).map(([key, raw]) => ({ key, value: unquote(raw) }));
  if (metadataPlatform && !('platform' in properties)) attributes.push({ key: 'platform', value: metadataPlatform });
  return attributes;
}

function unquote(value: string): string {
  if (!/^".*"$/s.test(value)) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

function rejectStrayFiles(parts: UploadedPart[], allowed: (field: string) => boolean): void {
  const stray = parts.find((p) => !allowed(p.field));
  if (stray) invalid(stray.field, 'unexpected file; files are sent as files.<classifier>.<packaging>');
}

/** The type a file's classifier implies (`files.oas.json` → rest-api), when the files agree on one. */
function inferredType(files: AssetFileDraft[]): AssetType | undefined {
  const types = new Set(
    files.flatMap((f) =>
      Object.hasOwn(CLASSIFIER_TYPES, f.classifier) ? [CLASSIFIER_TYPES[f.classifier as keyof typeof CLASSIFIER_TYPES]] : [],
    ),
  );
  return types.size === 1 ? [...types][0] : undefined;
}

/** v2 publish: `POST /exchange/api/v2/organizations/:orgId/assets/:groupId/:assetId/:version`. */
export function draftFromPublishForm(params: PublishParams, upload: MultipartUpload): AssetDraft {
  const { plain, properties, categories, fields, fileParts } = splitUpload(upload);
  rejectStrayFiles(upload.files, (field) => field.startsWith('files.'));
  const form = parseInput(publishForm, plain, 'body');
  const expected = { organizationId: params.orgId, groupId: params.groupId, assetId: params.assetId, version: params.version };
  const mismatches: ErrorDetail[] = (Object.keys(expected) as (keyof typeof expected)[])
    .filter((key) => form[key] !== undefined && form[key] !== expected[key])
    .map((key) => ({ path: `/body/${key}`, message: `must match the ${key} in the path (${expected[key]})` }));
  if (mismatches.length) throw validationError(mismatches);
  const { files, platform } = assetFiles([...fileParts, ...upload.files]);
  const type = form.type ?? inferredType(files);
  if (!type) invalid('type', 'is required');
  return {
    groupId: params.groupId,
    assetId: params.assetId,
    version: params.version,
    name: form.name,
    type,
    description: form.description,
    // Portico has no separate keyword index: keywords are searchable labels like tags.
    tags: [...new Set([...form.tags, ...form.keywords])],
    attributes: attributesOf(properties, platform),
    categories: applyKeyedValues([], keyedValuesChange('categories', form.categories, categories)),
    customFields: applyKeyedValues([], keyedValuesChange('fields', form.fields, fields)),
    dependencies: form.dependencies,
    contactName: form.contactName,
    contactEmail: form.contactEmail,
    status: form.status,
    files,
  };
}

/**
 * Legacy multipart create: the file comes as `asset`, stored under `classifier` with its
 * extension as packaging. `apiVersion` and `main` are the attributes `apiVersion` and `mainFile`.
 */
export function draftFromLegacyForm(upload: MultipartUpload): AssetDraft {
  const { plain, properties, categories, fields, fileParts } = splitUpload(upload);
  const prefixed = Object.keys(categories)
    .map((k) => `categories.${k}`)
    .concat(Object.keys(fields).map((k) => `fields.${k}`));
  if (prefixed.length)
    invalid(prefixed[0]!, 'is not a field of this form; set categories and custom fields with PATCH …/mutabledata');
  rejectStrayFiles(upload.files, (field) => field === 'asset' || field.startsWith('files.'));
  const { classifier, apiVersion, main, dependencies, ...form } = parseInput(legacyForm, plain, 'body');
  const parts = upload.files.filter((p) => p.field.startsWith('files.'));
  const asset = upload.files.filter((p) => p.field === 'asset');
  if (asset.length > 1) invalid('asset', 'is given more than once');
  for (const part of asset) {
    const extension = part.filename?.match(/\.([a-zA-Z0-9]+)$/)?.[1]?.toLowerCase() ?? 'zip';
    parts.push({ field: `files.${classifier ?? form.type}.${extension}`, content: part.content });
  }
  const { files, platform } = assetFiles([...fileParts, ...parts]);
  const attributes = attributesOf(properties, platform);
  for (const [field, key, value] of [
    ['apiVersion', 'apiVersion', apiVersion],
    ['main', 'mainFile', main],
  ] as const) {
    if (value === undefined) continue;
    if (attributes.some((a) => a.key === key)) invalid(field, `cannot be combined with properties.${key}`);
    attributes.push({ key, value });
  }
  return { ...form, attributes, categories: [], customFields: [], dependencies, files };
}

/** JSON create (seed 001 step 1): no files. */
export function draftFromJson(body: CreateAssetBody): AssetDraft {
  const { properties, ...rest } = body;
  return {
    ...rest,
    attributes: attributesOf(properties, undefined),
    categories: [],
    customFields: [],
    dependencies: [],
    files: [],
  };
}
