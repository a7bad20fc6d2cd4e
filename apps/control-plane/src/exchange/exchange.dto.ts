import { z } from 'zod';

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
function required(otherwise: string) {
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

/** Path of the v2 publish URL. */
export const publishParams = z.object({
  orgId: z.string(),
  groupId: groupIdSchema,
  assetId: assetIdSchema,
  version: versionSchema,
});
export type PublishParams = z.infer<typeof publishParams>;

/**
 * Plain fields of the v2 multipart publish (contract §3.2); `properties.*` and `files.*` are
 * collected separately. The redundant coordinates must match the path when given. Any other
 * field (`dependencies`, `fields.*`, `categories.*`) is refused by name, never dropped.
 */
export const publishForm = z.strictObject({
  name: assetName,
  type: publishableType,
  description: optionalText,
  tags: commaList,
  keywords: commaList,
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
