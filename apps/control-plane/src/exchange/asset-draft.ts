/**
 * Turns the three ways of creating an asset (v2 multipart publish, legacy multipart, JSON) into
 * one validated AssetDraft. Every problem is a 400 naming the field as `body.<field>: reason`.
 */
import { createHash } from 'node:crypto';
import { type ErrorDetail } from '../common/domain-error.js';
import { assertNoNulCharacter } from '../common/nul-characters.js';
import { parseInput, validationError } from '../common/validation.js';
import type { MultipartUpload, UploadedPart } from './exchange-multipart.js';
import { type AssetType, type CreateAssetBody, legacyForm, publishForm, type PublishParams } from './exchange.dto.js';

export interface AssetFileDraft {
  classifier: string;
  packaging: string;
  content: Buffer;
  md5: string;
  sha1: string;
}

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
  contactName?: string;
  contactEmail?: string;
  status: 'published' | 'development';
  files: AssetFileDraft[];
}

/** Metadata files whose `platform` becomes the platform attribute (contract §3.2). */
const METADATA_CLASSIFIERS = new Set(['mcp-metadata', 'llm-metadata']);
const NAME_PART = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

function invalid(field: string, message: string): never {
  throw validationError([{ path: `/body/${field}`, message }]);
}

/** Splits form fields into plain fields, `properties.<name>` and `files.*` sent as text. */
function splitUpload(upload: MultipartUpload) {
  const plain: Record<string, string> = {};
  const properties: Record<string, string> = {};
  const fileParts: UploadedPart[] = [];
  for (const [field, value] of Object.entries(upload.fields)) {
    if (field.startsWith('properties.')) {
      const name = field.slice('properties.'.length);
      if (!name) invalid(field, 'property fields are named properties.<name>');
      properties[name] = value;
    } else if (field.startsWith('files.')) {
      fileParts.push({ field, content: Buffer.from(value) });
    } else {
      plain[field] = value;
    }
  }
  return { plain, properties, fileParts };
}

/** `files.<classifier>.<packaging>` parts as stored files; a metadata file must be a JSON object. */
function assetFiles(parts: UploadedPart[]): { files: AssetFileDraft[]; platform?: string } {
  const files: AssetFileDraft[] = [];
  let platform: string | undefined;
  for (const part of parts) {
    const name = part.field.slice('files.'.length);
    const dot = name.lastIndexOf('.');
    const classifier = name.slice(0, dot);
    const packaging = name.slice(dot + 1);
    if (dot <= 0 || !NAME_PART.test(classifier) || !NAME_PART.test(packaging)) {
      invalid(part.field, 'file fields are named files.<classifier>.<packaging>, e.g. files.mcp-metadata.json');
    }
    if (files.some((f) => f.classifier === classifier && f.packaging === packaging))
      invalid(part.field, 'is given more than once');
    if (METADATA_CLASSIFIERS.has(classifier) && packaging === 'json') {
      platform = metadataPlatform(part) ?? platform;
    }
    files.push({
      classifier,
      packaging,
      content: part.content,
      md5: createHash('md5').update(part.content).digest('hex'),
      sha1: createHash('sha1').update(part.content).digest('hex'),
    });
  }
  return { files, platform };
}

function metadataPlatform(part: UploadedPart): string | undefined {
  let metadata: unknown;
  try {
    metadata = JSON.parse(part.content.toString('utf8'));
  } catch (err) {
    invalid(part.field, `is not valid JSON (${(err as Error).message})`);
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) invalid(part.field, 'must be a JSON object');
  const { platform } = metadata as { platform?: unknown };
  if (platform !== undefined && typeof platform !== 'string') invalid(`${part.field}/platform`, 'must be a string');
  // The file itself is stored as bytes; only the platform it names becomes text in the database.
  assertNoNulCharacter(platform, 'body', [part.field, 'platform']);
  return platform || undefined;
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

/** v2 publish: `POST /exchange/api/v2/organizations/:orgId/assets/:groupId/:assetId/:version`. */
export function draftFromPublishForm(params: PublishParams, upload: MultipartUpload): AssetDraft {
  const { plain, properties, fileParts } = splitUpload(upload);
  rejectStrayFiles(upload.files, (field) => field.startsWith('files.'));
  const form = parseInput(publishForm, plain, 'body');
  const expected = { organizationId: params.orgId, groupId: params.groupId, assetId: params.assetId, version: params.version };
  const mismatches: ErrorDetail[] = (Object.keys(expected) as (keyof typeof expected)[])
    .filter((key) => form[key] !== undefined && form[key] !== expected[key])
    .map((key) => ({ path: `/body/${key}`, message: `must match the ${key} in the path (${expected[key]})` }));
  if (mismatches.length) throw validationError(mismatches);
  const { files, platform } = assetFiles([...fileParts, ...upload.files]);
  return {
    groupId: params.groupId,
    assetId: params.assetId,
    version: params.version,
    name: form.name,
    type: form.type,
    description: form.description,
    // Portico has no separate keyword index: keywords are searchable labels like tags.
    tags: [...new Set([...form.tags, ...form.keywords])],
    attributes: attributesOf(properties, platform),
    contactName: form.contactName,
    contactEmail: form.contactEmail,
    status: form.status,
    files,
  };
}

/** Legacy multipart create: the file comes as `asset`, stored under `classifier` with its extension as packaging. */
export function draftFromLegacyForm(upload: MultipartUpload): AssetDraft {
  const { plain, properties, fileParts } = splitUpload(upload);
  rejectStrayFiles(upload.files, (field) => field === 'asset' || field.startsWith('files.'));
  const { classifier, ...form } = parseInput(legacyForm, plain, 'body');
  const parts = upload.files.filter((p) => p.field.startsWith('files.'));
  const asset = upload.files.filter((p) => p.field === 'asset');
  if (asset.length > 1) invalid('asset', 'is given more than once');
  for (const part of asset) {
    const extension = part.filename?.match(/\.([a-zA-Z0-9]+)$/)?.[1]?.toLowerCase() ?? 'zip';
    parts.push({ field: `files.${classifier ?? form.type}.${extension}`, content: part.content });
  }
  const { files, platform } = assetFiles([...fileParts, ...parts]);
  return { ...form, attributes: attributesOf(properties, platform), files };
}

/** JSON create (seed 001 step 1): no files. */
export function draftFromJson(body: CreateAssetBody): AssetDraft {
  const { properties, ...rest } = body;
  return { ...rest, attributes: attributesOf(properties, undefined), files: [] };
}
