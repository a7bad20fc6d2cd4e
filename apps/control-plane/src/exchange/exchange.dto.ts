import { z } from 'zod';
import { isoTime } from '../common/audit.js';
import { parseInput } from '../common/validation.js';

/** Exchange asset types (contract §3.1); `llm` and `policy` are used by publish and the catalog. */
export const ASSET_TYPES = [
  'rest-api',
  'soap-api',
  'http-api',
  'raml-fragment',
  'connector',
  'template',
  'example',
  'custom',
  'mcp',
  'agent',
  'llm',
  'policy',
] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const ASSET_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** zod error option: "is required" when the value is missing, `otherwise` when it is wrong. */
export function required(otherwise: string) {
  return { error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : otherwise) };
}

function uniqueList(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}

const optionalText = z
  .string('must be a string')
  .trim()
  .optional()
  .transform((v) => v || undefined);

const commaList = z
  .string('must be a string')
  .optional()
  .transform((v) => uniqueList(v?.split(',') ?? []));

export const groupIdSchema = z.string(required('must be a string')).trim().min(1, 'is required');

export const assetIdSchema = z
  .string(required('must be a string'))
  .max(256, 'must be at most 256 characters')
  .regex(ASSET_ID, 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"');

export const versionSchema = z
  .string(required('must be a string'))
  .regex(SEMVER, 'must be a semantic version x.y.z (optionally with a -prerelease suffix)');

const assetName = z.string(required('must be a string')).trim().min(1, 'is required').max(256, 'must be at most 256 characters');

const assetType = z.enum(ASSET_TYPES, required(`must be one of ${ASSET_TYPES.join(', ')}`));

/** Any type but `policy`, which only the built-in catalog carries. */
const publishableType = assetType.refine((t) => t !== 'policy', 'policy is reserved for the built-in policy catalog');

const contactEmail = optionalText.pipe(z.email('must be an email address').optional());

const publishStatus = z.enum(['published', 'development'], 'must be published or development').default('published');

/** One asset version, as a dependency names it. */
export const assetCoordinates = z.object({ groupId: groupIdSchema, assetId: assetIdSchema, version: versionSchema });
export type AssetCoordinates = z.infer<typeof assetCoordinates>;

/** A category or custom field of an asset: its key and values (Exchange shows `value` as a list). */
export interface KeyedValues {
  key: string;
  value: string[];
}

export const KEYED_VALUE_KEY = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,127}$/;
const keyedKey = z
  .string(required('must be a string'))
  .regex(KEYED_VALUE_KEY, 'must be 1-128 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit');

/** `"v1, v2"` (the docs' form) or `["v1", "v2"]` as a list of unique, trimmed values. */
export const keyedValueList = z
  .union([z.string(), z.array(z.string())], 'must be a string of comma-separated values or an array of strings')
  .transform((v) => uniqueList(typeof v === 'string' ? v.split(',') : v))
  .pipe(z.array(z.string().max(256, 'each value must be at most 256 characters')).max(50, 'must have at most 50 values'));

/**
 * A form field holding JSON that `schema` validates, reported as `message` when it is not JSON
 * at all; undefined when the field is absent or blank.
 */
function jsonFormField<T>(schema: z.ZodType<T>, message: string) {
  return z
    .string('must be a string')
    .optional()
    .transform((v, ctx): T | undefined => {
      if (!v?.trim()) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      const result = schema.safeParse(parsed);
      if (!result.success) {
        for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
        return z.NEVER;
      }
      return result.data;
    });
}

const KEYED_VALUES_JSON = 'must be a JSON array of {"key", "value"} objects';

/**
 * `categories` / `fields` sent as one JSON list `[{"key": "k", "value": "v1, v2"}]` (the docs'
 * "JSON collections"); `[]` clears them all.
 */
const keyedValuesJson = jsonFormField<KeyedValues[]>(
  z.array(z.strictObject({ key: keyedKey, value: keyedValueList }), KEYED_VALUES_JSON),
  KEYED_VALUES_JSON,
);

/** Path of the v2 publish URL. */
export const publishParams = z.object({
  orgId: z.string(),
  groupId: groupIdSchema,
  assetId: assetIdSchema,
  version: versionSchema,
});
export type PublishParams = z.infer<typeof publishParams>;

/** `G:A:V,G:A:V` (the v2 publish's `dependencies`). */
const dependencyList = z
  .string('must be a string')
  .optional()
  .transform((v, ctx) => {
    const dependencies: AssetCoordinates[] = [];
    for (const entry of uniqueList(v?.split(',') ?? [])) {
      const [groupId, assetId, version, ...rest] = entry.split(':').map((p) => p.trim());
      const parsed = assetCoordinates.safeParse({ groupId, assetId, version });
      if (rest.length || !parsed.success) {
        ctx.addIssue({ code: 'custom', message: `'${entry}' is not groupId:assetId:version` });
        return z.NEVER;
      }
      dependencies.push(parsed.data);
    }
    return dependencies;
  });

/**
 * Plain fields of the v2 multipart publish (contract §3.2); `properties.*`, `categories.*`,
 * `fields.*` and `files.*` are collected separately. `type` may be left out when a file's
 * classifier implies it. The redundant coordinates must match the path when given. Any other
 * field is refused by name, never dropped.
 */
export const publishForm = z.strictObject({
  name: assetName,
  type: publishableType.optional(),
  description: optionalText,
  tags: commaList,
  keywords: commaList,
  dependencies: dependencyList,
  categories: keyedValuesJson,
  fields: keyedValuesJson,
  contactName: optionalText,
  contactEmail,
  status: publishStatus,
  organizationId: optionalText,
  groupId: optionalText,
  assetId: optionalText,
  version: optionalText,
});

/** The asset type implied by a legacy `classifier` (contract §3.3). */
export const CLASSIFIER_TYPES = {
  raml: 'rest-api',
  oas: 'rest-api',
  wsdl: 'soap-api',
  http: 'http-api',
  'raml-fragment': 'raml-fragment',
  custom: 'custom',
} as const satisfies Record<string, AssetType>;
type Classifier = keyof typeof CLASSIFIER_TYPES;
const CLASSIFIERS = Object.keys(CLASSIFIER_TYPES) as Classifier[];

const jsonStringArray = z
  .string('must be a string')
  .optional()
  .transform((v, ctx) => {
    if (!v?.trim()) return [];
    try {
      const parsed: unknown = JSON.parse(v);
      if (Array.isArray(parsed) && parsed.every((t) => typeof t === 'string')) return uniqueList(parsed);
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of strings, e.g. ["a","b"]' });
    return z.NEVER;
  });

const DEPENDENCIES_JSON = 'must be a JSON array of {"groupId", "assetId", "version"} objects';

/** The legacy form's `dependencies`: a JSON array of `{groupId, assetId, version}`. */
const jsonDependencies = jsonFormField(z.array(assetCoordinates.strict(), DEPENDENCIES_JSON), DEPENDENCIES_JSON).transform(
  (v) => v ?? [],
);

/** Plain fields of the legacy multipart `POST /exchange/api/v2/assets` (contract §3.3). */
export const legacyForm = z
  .strictObject({
    organizationId: optionalText,
    groupId: groupIdSchema,
    assetId: assetIdSchema,
    version: versionSchema,
    name: assetName,
    classifier: z.enum(CLASSIFIERS, `must be one of ${CLASSIFIERS.join(', ')}`).optional(),
    type: publishableType.optional(),
    description: optionalText,
    tags: jsonStringArray,
    contactName: optionalText,
    contactEmail,
    status: publishStatus,
    /** stored as the `apiVersion` attribute (anypoint-cli's `asset copy` sends it) */
    apiVersion: optionalText,
    /** the main file inside the archive, stored as the `mainFile` attribute */
    main: optionalText,
    dependencies: jsonDependencies,
  })
  .transform((form, ctx) => {
    const type = form.type ?? (form.classifier && CLASSIFIER_TYPES[form.classifier]);
    if (!type) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: 'is required when no classifier is given' });
      return z.NEVER;
    }
    return { ...form, type };
  });

const propertyValue = z.union([z.string(), z.number(), z.boolean()], 'must be a string, number or boolean');

/** JSON create `POST /exchange/api/v2/assets` (seed 001 step 1). */
export const createAssetBody = z.strictObject({
  organizationId: optionalText,
  groupId: groupIdSchema,
  assetId: assetIdSchema,
  version: versionSchema,
  name: assetName,
  type: publishableType,
  description: optionalText,
  tags: z
    .union([z.array(z.string('must be a string')), z.string()], 'must be an array of strings')
    .optional()
    .transform((v) => uniqueList(typeof v === 'string' ? v.split(',') : (v ?? []))),
  properties: z
    .record(z.string(), propertyValue, 'must be an object')
    .optional()
    .transform((p) => Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, String(v)]))),
  contactName: optionalText,
  contactEmail,
  status: publishStatus,
});
export type CreateAssetBody = z.infer<typeof createAssetBody>;

/** A query parameter given repeatedly and/or comma-separated. */
const repeatable = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => uniqueList([v ?? []].flat().flatMap((s) => s.split(','))));

const booleanParam = z.enum(['true', 'false'], 'must be true or false').transform((v) => v === 'true');

export const SORT_FIELDS = ['name', 'assetId', 'groupId', 'version', 'type', 'createdAt', 'createdDate', 'updatedDate'] as const;

export const searchQuery = z.object({
  types: repeatable.describe(`asset types, repeated or comma-separated: ${ASSET_TYPES.join(', ')}`).transform((types, ctx) => {
    const unknown = types.find((t) => !(ASSET_TYPES as readonly string[]).includes(t));
    if (unknown !== undefined) {
      ctx.addIssue({ code: 'custom', message: `unknown asset type '${unknown}' (expected ${ASSET_TYPES.join(', ')})` });
      return z.NEVER;
    }
    return types as AssetType[];
  }),
  search: optionalText,
  // Compared with a uuid column: anything else would fail in Postgres (a 500), not here.
  organizationId: repeatable.pipe(z.array(z.uuid({ error: 'must be an organization id (a UUID)' }))),
  offset: z.coerce.number('must be a number').int('must be an integer').min(0, 'must be at least 0').default(0),
  limit: z.coerce
    .number('must be a number')
    .int('must be an integer')
    .min(0, 'must be at least 0')
    .max(250, 'must be at most 250')
    .default(20),
  sort: z.enum(SORT_FIELDS, `must be one of ${SORT_FIELDS.join(', ')}`).optional(),
  ascending: booleanParam.optional(),
  /** accepted for compatibility; Portico has no snapshot versions */
  includeSnapshots: booleanParam.optional(),
});
export type SearchQuery = z.infer<typeof searchQuery>;

/** Asset version statuses a client may set (`deleted` is reached only by DELETE). */
export const ASSET_STATUSES = ['development', 'published', 'deprecated'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

/** `PUT /exchange/api/v2/assets/{g}/{a}/{v}/status` (anypoint-cli deprecate, undeprecate, updateStatus). */
export const statusBody = z.strictObject({
  status: z.enum(ASSET_STATUSES, required(`must be one of ${ASSET_STATUSES.join(', ')}`)),
});
export type StatusBody = z.infer<typeof statusBody>;

/** `PATCH /exchange/api/v1/organizations/{org}/assets/{g}/{a}/{v}/metadata` (anypoint-cli modify --name). */
export const metadataBody = z
  .strictObject({
    name: assetName.optional(),
    description: z.string('must be a string').max(10_000, 'must be at most 10000 characters').nullable().optional(),
    contactName: z.string('must be a string').max(256, 'must be at most 256 characters').nullable().optional(),
    contactEmail: z.email('must be an email address').nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'must name at least one of name, description, contactName, contactEmail');
export type MetadataBody = z.infer<typeof metadataBody>;

/**
 * `PUT /exchange/api/v1/assets/{g}/{a}/{v}/tags`: the asset version's tags, replaced as a whole.
 * anypoint-cli sends `{value, key: value, mutable: true}`; Portico's tags are plain values, so a
 * key other than the value itself (Exchange's keyed system tags) and `mutable: false` are refused.
 */
export const tagsBody = z
  .array(
    z
      .strictObject({
        value: z
          .string(required('must be a string'))
          .trim()
          .min(1, 'must not be empty')
          .max(256, 'must be at most 256 characters'),
        key: z.string('must be a string').nullable().optional(),
        mutable: z.literal(true, 'must be true: only mutable tags can be set').optional(),
      })
      .refine((t) => t.key === undefined || t.key === null || t.key.trim() === t.value, {
        message: 'must be null or equal to value: Portico tags have no keys',
        path: ['key'],
      }),
    'must be an array of {"value"} objects',
  )
  .max(100, 'must have at most 100 tags')
  .transform((tags) => uniqueList(tags.map((t) => t.value)));

export const DELETE_TYPES = ['soft-delete', 'hard-delete'] as const;
export type DeleteType = (typeof DELETE_TYPES)[number];

const deleteTypeHeaders = z.object({
  'x-delete-type': z
    .enum(DELETE_TYPES, `must be ${DELETE_TYPES.join(' or ')}`)
    .optional()
    .transform((v): DeleteType => v ?? 'soft-delete'),
});

/** `X-Delete-Type`: soft (the version stays taken) unless told otherwise, as in Exchange. */
export function parseDeleteType(header: string | undefined): DeleteType {
  return parseInput(deleteTypeHeaders, { 'x-delete-type': header }, 'headers')['x-delete-type'];
}

/**
 * Plain fields of `PATCH …/mutabledata` (contract: Exchange "Asset Creation", mutable data):
 * `tags` replaces the tags, `categories` / `fields` (JSON lists) replace them all; `categories.*`,
 * `fields.*` and `files.docs.zip` are collected separately.
 */
export const mutableDataForm = z.strictObject({
  tags: z
    .string('must be a string')
    .optional()
    .transform((v) => (v === undefined ? undefined : uniqueList(v.split(',')))),
  categories: keyedValuesJson,
  fields: keyedValuesJson,
});

/** An item of GET /exchange/api/v2/assets/search (exchange.view.ts searchItem, contract §3.4). */
export const assetSearchItem = z.object({
  id: z.string().describe('`<groupId>/<assetId>/<version>`'),
  organizationId: z.string(),
  groupId: z.string(),
  assetId: z.string(),
  version: z.string(),
  minorVersion: z.string(),
  versionGroup: z.string().describe('the declared API version, else the version itself'),
  description: z.string().nullable(),
  isPublic: z.boolean(),
  name: z.string(),
  type: z.string(),
  status: z.string(),
  isSnapshot: z.literal(false),
  createdById: z.string().nullable(),
  createdAt: isoTime,
  createdDate: isoTime,
  updatedDate: isoTime,
  attributes: z.array(z.object({ key: z.string(), value: z.string() })),
  labels: z.array(z.string()),
  tags: z.array(z.string()),
});
export type AssetSearchItem = z.output<typeof assetSearchItem>;
