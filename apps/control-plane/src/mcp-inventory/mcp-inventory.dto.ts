import { z } from 'zod';
import { isoTime } from '../common/audit.js';
import { MAX_INTEGER_ID } from '../common/integer-id.js';
import { accessLogFilters } from '../analytics/analytics.dto.js';
import { commaList } from '../gateway-targets/gateway-targets.dto.js';
import { DLP_SUMMARIES } from './inventory-policies.js';

/** A deployment's state, or `none` for an instance not deployed. */
export const DEPLOYMENT_STATES = ['applying', 'applied', 'failed', 'undeployed', 'none'] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];
export const INVENTORY_SORTS = ['name', 'calls', 'errors', 'lastCall', 'tools'] as const;
export type InventorySort = (typeof INVENTORY_SORTS)[number];

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  commaList(z.enum(values, { error: `must be values separated by commas, among: ${values.join(', ')}` }));

/**
 * GET …/inventory. Every filter given applies (AND); a list filter matches any of its values.
 * Backends switched off are left out unless `includeDisabled=true` or `enabled=false` asks for them.
 */
export const inventoryQuery = z.object({
  from: accessLogFilters.shape.from.describe('start of the activity window, included (ISO 8601); default: 24 hours before `to`'),
  to: accessLogFilters.shape.to.describe('end of the activity window, excluded (ISO 8601); default: now'),
  apiId: z.coerce
    .number('must be an API instance id')
    .int('must be an API instance id')
    .min(1, 'must be an API instance id')
    .max(MAX_INTEGER_ID, 'must be an API instance id')
    .optional()
    .describe('only this instance'),
  search: z
    .string()
    .min(1, 'must not be empty')
    .max(256, 'must be at most 256 characters')
    .optional()
    .describe('servers whose instance label, asset id or name, or a tool name contains this text (case-insensitive)'),
  status: list(DEPLOYMENT_STATES)
    .optional()
    .describe('deployment states, comma-separated: applying, applied, failed, undeployed, none (not deployed)'),
  dlpAction: list(DLP_SUMMARIES)
    .optional()
    .describe('DLP action in force, comma-separated: block, redact, log, shadow (shadow-mode detectors only), none'),
  enabled: z.stringbool().optional().describe('only backends switched on (true) or off (false)'),
  includeDisabled: z.stringbool().default(false).describe('list backends switched off too'),
  sort: z
    .enum(INVENTORY_SORTS, { error: `must be one of ${INVENTORY_SORTS.join(', ')}` })
    .default('name')
    .describe('name, calls, errors, lastCall or tools (listed tools)'),
  order: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).default('asc').describe('asc or desc'),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('rows skipped'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('rows returned; default 100 for JSON, every row for CSV'),
  format: z
    .enum(['json', 'csv'], { error: 'must be json or csv' })
    .optional()
    .describe('json ({ data, total }) or csv; default: csv when Accept asks for text/csv, else json'),
  rows: z
    .enum(['servers', 'tools'], { error: 'must be servers or tools' })
    .optional()
    .describe('CSV only: one line per server (default, tools joined with ";") or one per observed tool'),
});
export type InventoryQuery = z.output<typeof inventoryQuery>;

/** A tool an MCP server listed to the gateways, with what clients get of it. */
export const inventoryTool = z.object({
  name: z.string(),
  upstreamName: z.string().describe("the federation member that lists it; '' for any other instance"),
  description: z.string().nullable(),
  descriptionSha256: z.string(),
  firstSeenAt: isoTime,
  lastSeenAt: isoTime,
  listed: z.boolean().describe('the server’s last complete list had it (a page of a paginated list never unlists)'),
  enabled: z.boolean().describe('listed, and clients get it in tools/list as far as the caller-independent policies decide'),
  exposedName: z.string().nullable().describe('the name clients get it under (a mapping may rename it); null when not enabled'),
  hiddenBy: z.object({ policyId: z.number().int(), policyType: z.string() }).nullable(),
});

const dlpDirection = z.object({ action: z.enum(['block', 'redact', 'log']), mode: z.enum(['enforce', 'shadow']) });

/** One MCP server of the inventory. */
export const inventoryRow = z.object({
  apiId: z.number().int(),
  name: z.string().describe('the instance label, else the asset’s name, else its asset id'),
  instanceLabel: z.string().nullable(),
  asset: z.object({ groupId: z.string(), assetId: z.string(), version: z.string(), name: z.string().nullable() }),
  upstreams: z.array(z.object({ name: z.string(), uri: z.string() })),
  federated: z.boolean(),
  enabled: z.boolean().describe('the backend is switched on'),
  status: z.string().describe('the instance’s status (active, inactive, unregistered)'),
  deployment: z
    .object({
      id: z.number().int(),
      state: z.enum(DEPLOYMENT_STATES),
      targetId: z.string(),
      targetName: z.string(),
      errorMessage: z.string().nullable(),
      replicas: z.number().int().describe('connected replicas of the target'),
      replicasUpToDate: z
        .number()
        .int()
        .describe('connected replicas running the target’s current revision with this API served'),
    })
    .nullable(),
  tools: z.array(inventoryTool),
  toolCount: z.number().int().describe('tools listed now'),
  authentication: z.array(z.string()),
  scopes: z.object({
    required: z.array(z.string()).describe('scopes a token must carry, of every bearer policy'),
    criteria: z.enum(['AND', 'OR']).nullable().describe('AND: all of them; OR: any; null without required scopes'),
    supported: z.array(z.string()).describe('scopes the protected-resource metadata announces'),
    authorizationServers: z.array(z.string()),
  }),
  dlp: z.object({
    action: z.enum(DLP_SUMMARIES),
    requests: dlpDirection.nullable(),
    responses: dlpDirection.nullable(),
    policyIds: z.array(z.number().int()),
  }),
  callerDependentPolicies: z
    .array(z.number().int())
    .describe('enforced policies whose tool decisions depend on the caller (Cedar rules, conditional ACL rules)'),
  activity: z.object({
    calls: z.number().int(),
    errors: z.number().int(),
    toolCalls: z.number().int(),
    agents: z.number().int(),
    users: z.number().int(),
    lastCallAt: isoTime.nullable(),
  }),
});

/** GET …/inventory as JSON (`format=csv` answers text/csv instead). */
export const inventoryPage = z.object({ from: isoTime, to: isoTime, data: z.array(inventoryRow), total: z.number().int() });
