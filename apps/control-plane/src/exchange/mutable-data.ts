/**
 * The form of `PATCH /exchange/api/v2/organizations/{org}/assets/{g}/{a}/{v}/mutabledata`
 * (anypoint-cli `asset mutableDataUpload`): what may change on a published version.
 *
 * - `tags` (comma-separated) replaces the tags;
 * - `categories` / `fields` (JSON lists) replace all categories / custom fields, and
 *   `categories.<key>` / `fields.<key>` set one key (an empty value removes it);
 * - `files.docs.zip` replaces the version's documentation archive (its `docs` file).
 *
 * Anything else (properties, other files, unknown fields) is refused by name.
 */
import { parseInput } from '../common/validation.js';
import {
  type AssetFileDraft,
  assetFiles,
  invalid,
  type KeyedValuesChange,
  keyedValuesChange,
  splitUpload,
} from './asset-form.js';
import type { MultipartUpload } from './exchange-multipart.js';
import { mutableDataForm } from './exchange.dto.js';

export interface MutableDataChange {
  tags?: string[];
  categories?: KeyedValuesChange;
  customFields?: KeyedValuesChange;
  docs?: AssetFileDraft;
}

const DOCS_FIELD = 'files.docs.zip';
/** Local file header or end of central directory (an empty archive). */
const ZIP_SIGNATURES = ['504b0304', '504b0506'];

export function mutableDataFromForm(upload: MultipartUpload): MutableDataChange {
  const { plain, properties, categories, fields, fileParts } = splitUpload(upload);
  const property = Object.keys(properties)[0];
  if (property !== undefined)
    invalid(`properties.${property}`, 'is not mutable data; publish a new version to change properties');
  const parts = [...fileParts, ...upload.files];
  const stray = parts.find((p) => p.field !== DOCS_FIELD);
  if (stray) invalid(stray.field, `is not mutable data; the only file is ${DOCS_FIELD} (the documentation)`);
  const form = parseInput(mutableDataForm, plain, 'body');
  const [docs] = assetFiles(parts).files;
  if (docs && !ZIP_SIGNATURES.includes(docs.content.subarray(0, 4).toString('hex'))) invalid(DOCS_FIELD, 'is not a zip archive');
  return {
    tags: form.tags,
    categories: keyedValuesChange('categories', form.categories, categories),
    customFields: keyedValuesChange('fields', form.fields, fields),
    docs,
  };
}
