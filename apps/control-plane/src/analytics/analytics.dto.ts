import { z } from 'zod';
import { dlpFindingSchema, verdictSchema } from '../access-events/access-event-batch.js';
import { isoTime } from '../common/audit.js';
import { MAX_INTEGER_ID } from '../common/integer-id.js';
import { commaList } from '../gateway-targets/gateway-targets.dto.js';
import { EVENT_FIELDS } from './analytics-event-fields.js';

/** `2026-12-05` (midnight UTC) or an ISO 8601 date-time with `Z` or an offset. */
const instant = z.string().transform((value, ctx) => {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i.test(value);
  const time = iso ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date (2026-12-05) or date-time (2026-12-05T10:00:00Z)' });
    return z.NEVER;
  }
  return new Date(time);
});

const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const integerId = z
  .string()
  .regex(/^\d{1,10}$/, 'must be integer ids separated by commas')
  .transform(Number)
  .refine((id) => id <= MAX_INTEGER_ID, `must be integer ids up to ${MAX_INTEGER_ID}`);

/** A policy that decided: `any`, an applied policy's id, or a policy type (its template's asset id). */
const policyReference = text(256).transform((value): PolicyReference =>
  value === 'any' ? {} : /^\d{1,10}$/.test(value) ? { policyId: value } : { policyType: value },
);
export type PolicyReference = { policyId?: string; policyType?: string };

/** `200`, or a class such as `4xx`. */
const statusItem = z
  .string()
  .regex(/^[1-5](\d\d|xx)$/i, 'must be HTTP statuses (200) or classes (4xx) separated by commas')
  .transform((s) => s.toLowerCase());

/**
 * The filters of the access-log search, the analytics and the workflow graph. Every filter given
 * applies (AND); a list filter matches any of its values.
 */
export const accessLogFilters = z.object({
  from: instant.optional().describe('start of the time range, included (ISO 8601); default: 24 hours before `to`'),
  to: instant.optional().describe('end of the time range, excluded (ISO 8601); default: now'),
  apiId: commaList(integerId).optional().describe('API instance ids, comma-separated'),
  method: commaList(text(128)).optional().describe('JSON-RPC methods, comma-separated (tools/call,tools/list)'),
  tool: text(1024).optional().describe('calls (tools/call) of this tool'),
  resource: text(1024).optional().describe('resources/* requests naming this resource URI'),
  prompt: text(1024).optional().describe('prompts/* requests naming this prompt'),
  clientId: text(256).optional().describe('client application (its client id)'),
  agent: text(200).optional().describe('the agent the gateway recognised the client as (its name, as …/agents lists it)'),
  userAgent: text(256).optional().describe('agents whose User-Agent contains this text (case-insensitive)'),
  userDomain: text(256)
    .transform((s) => s.toLowerCase())
    .optional()
    .describe('users of this domain (case-insensitive)'),
  principal: text(512).optional().describe('the user an authentication policy established'),
  status: commaList(statusItem).optional().describe('HTTP statuses or classes, comma-separated (200,4xx)'),
  jsonRpcError: z
    .string()
    .regex(/^(any|none|-?\d{1,9})$/, 'must be any, none or a JSON-RPC error code')
    .optional()
    .describe('any (answered with a JSON-RPC error), none, or one error code (-32602)'),
  dlp: z
    .enum(['any', 'none', 'redacted', 'blocked', 'detected', 'logged'], {
      error: 'must be any, none, redacted, blocked or detected (logged)',
    })
    .optional()
    .describe('DLP outcome: any finding, none, or a finding with this action (detected and logged are one)'),
  dlpCategory: text(128).optional().describe('a DLP finding of this category (email, credit-card, …)'),
  deniedBy: policyReference
    .optional()
    .describe('denied by a policy in enforce mode: any, an applied policy id, or a policy type (asset id)'),
  shadowDeniedBy: policyReference
    .optional()
    .describe('would have been denied by a policy in shadow mode: any, an applied policy id, or a policy type'),
  sessionId: text(256).optional().describe('the Mcp-Session-Id'),
  requestId: text(256).optional().describe('the X-Request-Id'),
});
export type AccessLogFilters = z.output<typeof accessLogFilters>;

/** GET …/access-logs. */
export const accessLogsQuery = accessLogFilters.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('events per page, newest first'),
  cursor: text(512).optional().describe('`nextCursor` of the previous page'),
  includePayloads: z.stringbool().default(false).describe('include request and response payloads (when recorded)'),
});
export type AccessLogsQuery = z.output<typeof accessLogsQuery>;

/** GET …/mcp-analytics. */
export const mcpAnalyticsQuery = accessLogFilters.extend({
  interval: z
    .string()
    .regex(/^[1-9]\d{0,3}[mhd]$/, 'must be a number of minutes, hours or days: 5m, 1h, 1d')
    .optional()
    .describe('bucket size of the timeline (5m, 1h, 1d); default: about 60 buckets'),
  top: z.coerce.number().int().min(1).max(100).default(10).describe('entries of each top list'),
});
export type McpAnalyticsQuery = z.output<typeof mcpAnalyticsQuery>;

/** GET …/workflow-graph. */
export const workflowGraphQuery = accessLogFilters;

/**
 * GET /analytics/1.0/{orgId}/environments/{envId}/events: Anypoint's Analytics Event API.
 * `fields` are separated by periods, as Anypoint's report URLs separate them.
 */
export const analyticsEventsQuery = z.object({
  format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json').describe('json or csv'),
  startDate: instant.optional().describe('start of the report, included (ISO 8601); default: 24 hours before endDate'),
  endDate: instant.optional().describe('end of the report, excluded (ISO 8601); default: now'),
  maxResults: z.coerce.number().int().min(1).max(20_000).default(20_000).describe('events returned, at most 20000'),
  fields: z
    .string()
    .transform((s) => s.split('.').filter(Boolean))
    .pipe(
      z
        .array(z.enum(EVENT_FIELDS, { error: `must be fields separated by periods, among: ${EVENT_FIELDS.join(', ')}` }))
        .min(1, 'must name at least one field'),
    )
    .optional()
    .describe(`fields separated by periods (API ID.Status Code); default: all of ${EVENT_FIELDS.join(', ')}`),
  apiIds: commaList(integerId).optional().describe('API ids (the assets[].id of the API list), comma-separated'),
  apiVersionIds: commaList(integerId).optional().describe('API instance ids, comma-separated'),
});
export type AnalyticsEventsQuery = z.output<typeof analyticsEventsQuery>;

/** A stored access event as the search shows it (access-log.view.ts); durations in µs, sizes in bytes. */
const accessLogEvent = z.object({
  id: z.string(),
  time: isoTime,
  apiId: z.number().int(),
  gatewayId: z.string(),
  replicaId: z.string(),
  requestId: z.string(),
  sessionId: z.string().nullable(),
  httpMethod: z.string(),
  path: z.string(),
  httpStatus: z.number().int(),
  mcpMethod: z.string().nullable(),
  jsonRpcId: z.string().nullable(),
  mcpName: z.string().nullable(),
  jsonRpcErrorCode: z.number().int().nullable(),
  toolError: z.boolean(),
  durationUs: z.number().int(),
  upstreamLatencyUs: z.number().int().nullable(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
  clientId: z.string().nullable(),
  clientName: z.string().nullable(),
  principal: z.string().nullable(),
  userDomain: z.string().nullable(),
  clientAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  verdicts: z.array(verdictSchema),
  dlp: z.array(dlpFindingSchema),
  gatewayError: z.string().nullable(),
  upstreamName: z.string().nullable(),
  agent: z.string().nullable(),
  requestPayload: z.string().nullable().optional().describe('with includePayloads=true: null when the gateway recorded none'),
  responsePayload: z.string().nullable().optional().describe('with includePayloads=true: null when the gateway recorded none'),
});
export type AccessLogEvent = z.output<typeof accessLogEvent>;

/** GET …/access-logs: a page of events, newest first, and the opaque cursor of the next (null on the last). */
export const accessLogPage = z.object({
  from: isoTime,
  to: isoTime,
  data: z.array(accessLogEvent),
  nextCursor: z.string().nullable(),
});
export type AccessLogPage = z.output<typeof accessLogPage>;

/** Counts of a group of events (access-log.view.ts countsView); latency in ms, null without events. */
const callCounts = z.object({
  requests: z.number().int(),
  errors: z.number().int(),
  errorRate: z.number().describe('errors / requests; 0 without requests'),
  denials: z.number().int(),
  shadowDenials: z.number().int(),
  latencyMs: z.object({ p50: z.number(), p90: z.number(), p99: z.number() }).nullable(),
});
export type CallCounts = z.output<typeof callCounts>;

const named = callCounts.extend({ name: z.string() });

/** GET …/mcp-analytics (access-logs.service.ts analytics). */
export const mcpAnalytics = z.object({
  from: isoTime,
  to: isoTime,
  interval: z.string().describe('the bucket size of the timeline: 5m, 1h, 1d…'),
  totals: callCounts.extend({ dlpFindings: z.number().int() }),
  timeline: z.array(callCounts.extend({ start: isoTime })),
  methods: z.array(callCounts.extend({ method: z.string().nullable() })),
  tools: z.array(named),
  resources: z.array(named),
  prompts: z.array(named),
  errors: z.array(
    z.object({ httpStatus: z.number().int(), jsonRpcErrorCode: z.number().int().nullable(), count: z.number().int() }),
  ),
  policies: z.array(
    z.object({
      policyId: z.string(),
      policyType: z.string(),
      denials: z.number().int(),
      shadowDenials: z.number().int(),
      errors: z.number().int(),
      mutations: z.number().int(),
    }),
  ),
  clientApplications: z.array(callCounts.extend({ clientId: z.string().nullable(), clientName: z.string().nullable() })),
});

/** GET …/workflow-graph: agents → the MCP instances they called → the tools called there. */
export const workflowGraph = z.object({
  from: isoTime,
  to: isoTime,
  nodes: z.array(
    z.discriminatedUnion('kind', [
      z.object({
        id: z.string().describe('`named:<agent>`, `client:<client id>` or `agent:<User-Agent>`'),
        kind: z.literal('agent'),
        label: z.string(),
        agent: z.string().nullable(),
        clientId: z.string().nullable(),
        userAgent: z.string().nullable(),
      }),
      z.object({
        id: z.string().describe('`api:<id>`'),
        kind: z.literal('instance'),
        label: z.string(),
        apiId: z.number().int(),
      }),
      z.object({
        id: z.string().describe('`tool:<api id>:<name>`'),
        kind: z.literal('tool'),
        label: z.string(),
        apiId: z.number().int(),
      }),
    ]),
  ),
  edges: z.array(callCounts.extend({ source: z.string(), target: z.string() })),
});
export type WorkflowGraph = z.output<typeof workflowGraph>;
