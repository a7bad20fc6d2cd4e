/**
 * The parts of an Exchange multipart form (publish, legacy create, mutable data): plain fields,
 * `properties.<name>`, `categories.<key>`, `fields.<key>` and `files.<classifier>.<packaging>`.
 * Every problem is a 400 naming the field as `body.<field>: reason`.
 */
import { createHash } from 'node:crypto';
import { assertNoNulCharacter } from '../common/nul-characters.js';
import { validationError } from '../common/validation.js';
import type { MultipartUpload, UploadedPart } from './exchange-multipart.js';
import { KEYED_VALUE_KEY, type KeyedValues, keyedValueList } from './exchange.dto.js';

export interface AssetFileDraft {
  classifier: string;
  packaging: string;
  content: Buffer;
  md5: string;
  sha1: string;
}

/** Metadata files whose `platform` becomes the platform attribute (contract §3.2). */
const METADATA_CLASSIFIERS = new Set(['mcp-metadata', 'llm-metadata']);
const NAME_PART = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

export function invalid(field: string, message: string): never {
  throw validationError([{ path: `/body/${field}`, message }]);
}

/** Fields named `<prefix>.<name>`, collected by name. */
type Prefixed = Record<'properties' | 'categories' | 'fields', Record<string, string>>;

/** Splits form fields into plain fields, the prefixed groups and `files.*` sent as text. */
export function splitUpload(upload: MultipartUpload) {
  const plain: Record<string, string> = {};
  const prefixed: Prefixed = { properties: {}, categories: {}, fields: {} };
  const fileParts: UploadedPart[] = [];
  for (const [field, value] of Object.entries(upload.fields)) {
    const dot = field.indexOf('.');
    const prefix = field.slice(0, dot);
    if (dot > 0 && Object.hasOwn(prefixed, prefix)) {
      const name = field.slice(dot + 1);
      if (!name) invalid(field, `fields of this kind are named ${prefix}.<name>`);
      prefixed[prefix as keyof Prefixed][name] = value;
    } else if (field.startsWith('files.')) {
      fileParts.push({ field, content: Buffer.from(value) });
    } else {
      plain[field] = value;
    }
  }
  return { plain, ...prefixed, fileParts };
}

/** `files.<classifier>.<packaging>` parts as stored files; a metadata file must be a JSON object. */
export function assetFiles(parts: UploadedPart[]): { files: AssetFileDraft[]; platform?: string } {
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
    files.push(assetFileRow(classifier, packaging, part.content));
  }
  return { files, platform };
}

/** A file of an asset version as stored, with the digests Exchange shows. */
export function assetFileRow(classifier: string, packaging: string, content: Buffer) {
  return {
    classifier,
    packaging,
    content,
    md5: createHash('md5').update(content).digest('hex'),
    sha1: createHash('sha1').update(content).digest('hex'),
  };
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

/** How a form changes categories or custom fields. */
export type KeyedValuesChange =
  /** the JSON list: the whole set */
  | { replace: KeyedValues[] }
  /** `<name>.<key>` fields: these keys only; a key with no value is removed */
  | { merge: KeyedValues[] };

/**
 * The categories (or custom fields) a form sets: the JSON list `name`, or the `name.<key>` fields.
 * Exchange lets the JSON list silently win over `name.<key>` fields; Portico refuses the mix
 * instead of dropping fields. Undefined when the form sets none.
 */
export function keyedValuesChange(
  name: 'categories' | 'fields',
  json: KeyedValues[] | undefined,
  byKey: Record<string, string>,
): KeyedValuesChange | undefined {
  const keys = Object.keys(byKey);
  if (json !== undefined) {
    if (keys.length) invalid(`${name}.${keys[0]}`, `cannot be combined with ${name} (the JSON list)`);
    return { replace: json };
  }
  if (!keys.length) return undefined;
  return {
    merge: keys.map((key) => {
      if (!KEYED_VALUE_KEY.test(key)) {
        invalid(
          `${name}.${key}`,
          'the key must be 1-128 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit',
        );
      }
      const values = keyedValueList.safeParse(byKey[key]);
      if (!values.success) invalid(`${name}.${key}`, values.error.issues[0]!.message);
      return { key, value: values.data };
    }),
  };
}

/** `current` changed by `change` (keys keep their first position; a merged key without values goes). */
export function applyKeyedValues(current: KeyedValues[], change: KeyedValuesChange | undefined): KeyedValues[] {
  if (!change) return current;
  if ('replace' in change) return applyKeyedValues([], { merge: change.replace });
  const next = new Map(current.map((c) => [c.key, c.value]));
  for (const { key, value } of change.merge) {
    if (value.length) next.set(key, value);
    else next.delete(key);
  }
  return [...next].map(([key, value]) => ({ key, value }));
}
