import { z } from 'zod';
import { auditSchema, isoTime } from '../common/audit.js';
import { deploymentBody, deploymentSchema } from '../deployments/deployments.dto.js';
import { parseProxyUri, PROXY_URI_FORMAT } from '../deployments/proxy-listener.js';
import { commaList } from '../gateway-targets/gateway-targets.dto.js';
import { int32 } from '../common/integer-id.js';
import { re2Pattern } from '../common/validation.js';
import { instanceRuleIssues } from './instance-rules.js';

const TECHNOLOGIES = ['flexGateway', 'mule4', 'mule3', 'serviceMesh'] as const;
const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT']);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

/** An Anypoint secret-group TLS context reference. */
const tlsContextRef = z.strictObject({
  secretGroupId: z.string().min(1).max(255),
  tlsContextId: z.string().min(1).max(255),
});
export type TlsContextRef = z.output<typeof tlsContextRef>;

const routeRules = z.strictObject({
  methods: z
    .string()
    .refine((v) => v.split('|').every((m) => HTTP_METHODS.has(m)), 'must be HTTP methods separated by "|", e.g. GET|POST')
    .nullish(),
  host: z.string().max(255).nullish(),
  path: re2Pattern(2048).nullish(),
  headers: z.record(z.string().min(1).max(256), re2Pattern(2048)).nullish(),
});
export type RouteRules = z.output<typeof routeRules>;

/**
 * One `routing[]` entry: upstreams by `uri` (created with the route) or, on update, by the `id`
 * of an existing upstream of the API. Weights of a route add up to 100.
 */
function routeSchema(idsAllowed: boolean) {
  const upstream = z
    .strictObject({
      id: z.string().max(64).optional(),
      uri: httpUrl.optional(),
      weight: z.number().int().min(0).max(100).default(100),
      label: z.string().max(255).nullish(),
      tlsContext: tlsContextRef.nullish(),
    })
    .superRefine((u, ctx) => {
      if (u.id !== undefined && !idsAllowed)
        ctx.addIssue({ code: 'custom', path: ['id'], message: 'Ids are not allowed in POST requests' });
      if (u.id === undefined && u.uri === undefined)
        ctx.addIssue({ code: 'custom', path: ['uri'], message: 'is required (or, on update, the id of an existing upstream)' });
    });
  return z
    .strictObject({
      label: z.string().max(255).nullish(),
      rules: routeRules.nullish(),
      upstreams: z.array(upstream).min(1).max(20),
    })
    .superRefine((route, ctx) => {
      const total = route.upstreams.reduce((sum, u) => sum + u.weight, 0);
      if (total !== 100)
        ctx.addIssue({ code: 'custom', path: ['upstreams'], message: `weights must add up to 100 (they add up to ${total})` });
    });
}
export type RouteInput = z.output<ReturnType<typeof routeSchema>>;

/** `endpoint{}`; a field it does not list (wsdlConfig, tlsContexts.outbound: Mule-only) is refused by name. */
const endpoint = z.strictObject({
  deploymentType: z.enum(['CH', 'HY', 'RF', 'SM', 'CH2']).nullish(),
  type: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lowercase endpoint type such as mcp, llm, http or raml')
    .nullish(),
  uri: httpUrl.nullish(),
  proxyUri: z
    .string()
    .max(2048)
    .refine((v) => parseProxyUri(v) !== undefined, PROXY_URI_FORMAT)
    .nullish(),
  isCloudHub: z.boolean().nullish(),
  muleVersion4OrAbove: z.boolean().nullish(),
  referencesUserDomain: z.boolean().nullish(),
  responseTimeout: z.number().int().min(0).max(86_400_000).nullish(),
  tlsContexts: z.strictObject({ inbound: tlsContextRef.nullish() }).nullish(),
  proxyTemplate: z.record(z.string(), z.unknown()).nullish(),
  validation: z.enum(['NOT_APPLICABLE', 'DISABLED', 'ENABLED', 'STRICT_QUERY_PARAMS']).nullish(),
  proxyRegistrationUri: z.string().max(2048).nullish(),
});
export type EndpointInput = z.output<typeof endpoint>;

const spec = z.strictObject({
  groupId: z.string().min(1).max(256),
  assetId: z.string().min(1).max(256),
  version: z.string().min(1).max(256),
});

/** Fields both create and update accept (contract §4.1 table, §4.4). */
const common = {
  instanceLabel: z.string().min(1).max(255).nullish(),
  providerId: z.guid().nullish(),
  approvalMethod: z.enum(['manual'], { error: 'must be null (automatic) or "manual"' }).nullish(),
  endpointUri: z.string().max(2048).nullish(),
  description: z.string().max(4096).nullish(),
  tags: z.array(z.string().min(1).max(128)).max(50).optional(),
  endpoint: endpoint.optional(),
  deployment: deploymentBody.optional(),
};

/**
 * POST .../apis on api/v1 and xapi (contract §4.1). `technology` defaults to mule3; `routing[]`
 * and the inline `deployment{}` are accepted on both routes.
 */
export const createApiBody = z
  .strictObject({
    ...common,
    technology: z.enum(TECHNOLOGIES).default('mule3'),
    spec,
    routing: z.array(routeSchema(false)).max(50).optional(),
  })
  .superRefine((body, ctx) => {
    const issues = instanceRuleIssues({
      technology: body.technology,
      endpoint: body.endpoint ?? {},
      routing: body.routing ?? [],
    });
    for (const issue of issues) ctx.addIssue({ code: 'custom', ...issue });
  });
export type CreateApiBody = z.output<typeof createApiBody>;

/**
 * `upstreams[]` of an instance PATCH (anypoint-cli's `upstream bulk-edit`): each entry changes
 * the existing upstream `id` of the instance; upstreams not listed stay as they are.
 */
const upstreamChange = z.strictObject({
  id: z.string().min(1).max(64),
  uri: httpUrl.optional(),
  label: z.string().max(255).nullish(),
  tlsContext: tlsContextRef.nullish(),
});

/**
 * PATCH (xapi, api/v1) and PUT (api/v1) .../apis/{id}: any subset (contract §4.4). Every field
 * listed is applied; any other is refused by name (never a 200 that dropped it).
 */
export const updateApiBody = z.strictObject({
  ...common,
  technology: z.enum(TECHNOLOGIES).optional(),
  spec: spec.optional(),
  assetVersion: z.string().min(1).max(256).optional(),
  routing: z.array(routeSchema(true)).max(50).optional(),
  deprecated: z.boolean().optional(),
  upstreams: z
    .array(upstreamChange)
    .max(50)
    .refine((list) => new Set(list.map((u) => u.id)).size === list.length, 'must name each upstream id once')
    .optional(),
});
export type UpdateApiBody = z.output<typeof updateApiBody>;

export const updateApiQuery = z.object({
  /** allows a change of autodiscoveryInstanceName (a new major/minor asset version) */
  force: z.stringbool().default(false),
});
export type UpdateApiQuery = z.output<typeof updateApiQuery>;

/**
 * GET .../apis/{id}. `includeTlsContexts` (anypoint-cli's `api describe` sends it) asks for
 * `endpoint.tlsContexts`, which Portico's answer always carries.
 */
export const getApiQuery = z.object({
  includeTlsContexts: z.stringbool().default(false),
});

const SORTS = ['id', 'name', 'createdDate', 'updatedDate'] as const;

const filterText = z.string().max(512);

/** `<productVersion>:<id>`, e.g. `v1.0:42`. */
const autodiscoveryInstanceName = z.string().transform((value, ctx) => {
  const match = /^(v[^:]+):(\d{1,10})$/.exec(value);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'must be <productVersion>:<id>, e.g. v1.0:42' });
    return z.NEVER;
  }
  return { productVersion: match[1]!, id: Number(match[2]) };
});

/** `groupId:<groupId>:assetId:<assetId>`. */
const autodiscoveryApiName = z.string().transform((value, ctx) => {
  const match = /^groupId:(.+):assetId:(.+)$/.exec(value);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'must be groupId:<groupId>:assetId:<assetId>' });
    return z.NEVER;
  }
  return { groupId: match[1]!, assetId: match[2]! };
});

/** Filters of both lists. */
const listFilters = {
  query: filterText.optional(),
  groupId: filterText.optional(),
  assetId: filterText.optional(),
  assetVersion: filterText.optional(),
  instanceLabel: filterText.optional(),
  productVersion: filterText.optional(),
  autodiscoveryInstanceName: autodiscoveryInstanceName.optional(),
  autodiscoveryApiName: autodiscoveryApiName.optional(),
  offset: z.coerce.number().int().min(0).default(0).describe('items to skip'),
  sort: z.enum(SORTS).default('name'),
  ascending: z.stringbool().default(true),
};

/** GET api/v1 .../apis (contract §4.2.a); `offset`/`limit` count assets. */
export const listByAssetQuery = z.object({
  ...listFilters,
  family: z
    .enum(['api', 'agentic', 'llm'])
    .optional()
    .describe('agentic: MCP servers and agents; llm: LLM proxies; api: every other instance'),
  filters: commaList(z.enum(['active', 'pinned'])).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListByAssetQuery = z.output<typeof listByAssetQuery>;

/** GET xapi .../apis (contract §4.2.b). */
export const listInstancesQuery = z.object({
  ...listFilters,
  endpointType: z.enum(['llm', 'agentic', 'mcp', 'rest', 'http']).optional(),
  limit: z.coerce.number().int().min(1).max(250).default(20),
  pinnedFirst: z.stringbool().default(false),
});
export type ListInstancesQuery = z.output<typeof listInstancesQuery>;

/** Upstreams (contract §4.7). */
export const createUpstreamBody = z.strictObject({
  uri: httpUrl,
  label: z.string().max(255).nullish(),
  tlsContext: tlsContextRef.nullish(),
});
export type CreateUpstreamBody = z.output<typeof createUpstreamBody>;

export const updateUpstreamBody = createUpstreamBody.partial().strict();
export type UpdateUpstreamBody = z.output<typeof updateUpstreamBody>;

/** `{allEntities}` of a promotion part: copy all of them, or none. */
const promotedEntities = z.strictObject({ allEntities: z.boolean({ error: 'must be true or false' }) });

/**
 * POST .../apis with `promote{}` and no `spec` (anypoint-cli's `api promote`): a copy of the
 * instance `originApiId` of another environment of the organization, with its policies, SLA tiers
 * and alerts unless their `allEntities` is false.
 */
export const promoteApiBody = z.strictObject({
  instanceLabel: z.string().min(1).max(255).nullish(),
  providerId: z.guid().nullish(),
  promote: z.strictObject({
    // anypoint-cli sends the number; a numeric string is taken too
    originApiId: z
      .union([z.number(), z.string().regex(/^\d{1,10}$/, 'must be an API instance id')], { error: 'must be an API instance id' })
      .transform(Number)
      .pipe(int32('must be an API instance id')),
    policies: promotedEntities.optional(),
    tiers: promotedEntities.optional(),
    alerts: promotedEntities.optional(),
  }),
});
export type PromoteApiBody = z.output<typeof promoteApiBody>;

/** A POST .../apis body with `promote` is a promotion, any other a new instance. */
export function isPromotion(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'promote' in body;
}

/** An API instance as API Manager answers it (api-instance.view.ts instanceView, contract §4.1). */
export const apiInstanceView = z.object({
  audit: auditSchema,
  masterOrganizationId: z.string(),
  organizationId: z.string(),
  id: z.number().int(),
  instanceLabel: z.string().nullable(),
  groupId: z.string(),
  assetId: z.string(),
  assetVersion: z.string(),
  productVersion: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  order: z.number().int(),
  providerId: z.string().nullable(),
  deprecated: z.boolean(),
  lastActiveDate: isoTime.nullable(),
  endpointUri: z.string().nullable(),
  environmentId: z.string(),
  isPublic: z.boolean(),
  stage: z.string(),
  technology: z.string(),
  approvalMethod: z
    .enum(['manual'])
    .nullable()
    .describe('null: contracts are approved at once; manual: each waits for an approval'),
  endpoint: z.object({
    audit: auditSchema,
    id: z.number().int(),
    type: z.string().nullable(),
    uri: z.string().nullable(),
    apiGatewayVersion: z.string().nullable(),
    proxyUri: z.string().nullable(),
    proxyRegistrationUri: z.string().nullable(),
    lastActiveDate: isoTime.nullable(),
    isCloudHub: z.boolean().nullable(),
    deploymentType: z.string().nullable(),
    policiesVersion: z.null(),
    referencesUserDomain: z.boolean().nullable(),
    responseTimeout: z.number().int().nullable(),
    wsdlConfig: z.null(),
    muleVersion4OrAbove: z.boolean().nullable(),
    tlsContexts: z.unknown().describe('the TLS context references as given ({inbound: {secretGroupId, tlsContextId}}), or null'),
    proxyTemplate: z.unknown(),
    validation: z.string().nullable(),
  }),
  deployment: deploymentSchema.nullable(),
  routing: z
    .array(
      z.object({
        label: z.string().nullable(),
        rules: z.unknown(),
        upstreams: z.array(z.object({ id: z.string(), weight: z.number() })),
      }),
    )
    .describe('routes reference upstreams by id only; …/upstreams has their URIs'),
  status: z.string(),
  autodiscoveryInstanceName: z.string(),
});
export type ApiInstance = z.output<typeof apiInstanceView>;

/** An instance of a list: with whether it is pinned and how many contracts are active. */
const listedApiInstanceView = apiInstanceView.extend({ pinned: z.boolean(), activeContractsCount: z.number().int() });
export type ListedApiInstance = z.output<typeof listedApiInstanceView>;

/** An `assets[]` entry of the api/v1 list (api-instance.view.ts assetGroupView). */
const apiAssetGroup = z.object({
  audit: auditSchema,
  masterOrganizationId: z.string(),
  organizationId: z.string(),
  id: z.number().int().nullable().describe('the first Exchange row of the asset; null when the asset is gone from Exchange'),
  name: z.string(),
  exchangeAssetName: z.string(),
  groupId: z.string(),
  assetId: z.string(),
  autodiscoveryApiName: z.string(),
  totalApis: z.number().int(),
  apis: z.array(listedApiInstanceView),
});
export type ApiAssetGroup = z.output<typeof apiAssetGroup>;

/** GET api/v1 …/apis: the instances grouped by asset (contract §4.2.a). */
export const apiInstancesByAsset = z.object({
  total: z.number().int().describe('how many assets match'),
  assets: z.array(apiAssetGroup),
});
