import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';
import type { StoredEvent } from '../access-events/access-event-batch.js';
import type { AccessLogFilters, PolicyReference } from './analytics.dto.js';
import { type GroupRow, HISTOGRAM_RATIO } from './event-groups.js';

/** The environment and time range every read is confined to (`to` excluded). */
export interface EventScope {
  environmentId: string;
  from: Date;
  to: Date;
}

/** A stored access event as the search reads it (payloads only when asked for). */
export type AccessEventRow = Omit<
  StoredEvent,
  'apiId' | 'durationUs' | 'upstreamLatencyUs' | 'bytesIn' | 'bytesOut' | 'requestPayload' | 'responsePayload'
> & {
  apiId: number;
  targetId: string;
  replicaId: string;
  durationUs: bigint;
  upstreamLatencyUs: bigint | null;
  bytesIn: bigint;
  bytesOut: bigint;
  requestPayload?: string | null;
  responsePayload?: string | null;
};

/** A position in newest-first order: the last event of a page. */
export interface LogPosition {
  time: Date;
  id: string;
}

const SEARCH_COLUMNS = Prisma.raw(
  `"id", "time", "apiId", "targetId", "replicaId", "requestId", "sessionId", "httpMethod", "path", "httpStatus",
   "mcpMethod", "jsonRpcId", "mcpName", "jsonRpcErrorCode", "toolError", "durationUs", "upstreamLatencyUs",
   "bytesIn", "bytesOut", "clientId", "clientName", "principal", "userDomain", "clientAddress", "userAgent",
   "verdicts", "dlp", "gatewayError", "upstreamName", "agent"`,
);

/**
 * An error: an HTTP error status, a JSON-RPC error or a tool result with isError. A denial (a
 * policy in enforce mode rejected) answers with an error, so it counts as one too.
 */
const IS_ERROR = Prisma.sql`("httpStatus" >= 400 OR "jsonRpcErrorCode" IS NOT NULL OR "toolError")`;
/** An event with any verdict: containments the GIN index answers, unlike `"verdicts" <> '[]'`. */
const HAS_VERDICT = Prisma.sql`("verdicts" @> '[{"verdict":"reject"}]' OR "verdicts" @> '[{"verdict":"error"}]'
  OR "verdicts" @> '[{"verdict":"mutate"}]')`;
/** The flags and latency bucket (event-groups.ts) of each event an aggregate counts. */
const EVENT_FACTS = Prisma.sql`${IS_ERROR} AS "isError",
  "verdicts" @> '[{"verdict":"reject","mode":"enforce"}]' AS "isDenied",
  "verdicts" @> '[{"verdict":"reject","mode":"shadow"}]' AS "isShadowDenied",
  "dlp" <> '[]'::jsonb AS "hasDlp",
  floor(ln(greatest("durationUs", 1)) / ${Math.log(HISTOGRAM_RATIO)}::float8)::int AS "latencyBucket",
  "durationUs"`;
/** The counts of a group of EVENT_FACTS rows per latency bucket (event-groups.ts GroupRow). */
const GROUP_COUNTS = Prisma.sql`count(*)::int AS "requests", (count(*) FILTER (WHERE "isError"))::int AS "errors",
  (count(*) FILTER (WHERE "isDenied"))::int AS "denials", (count(*) FILTER (WHERE "isShadowDenied"))::int AS "shadowDenials",
  (count(*) FILTER (WHERE "hasDlp"))::int AS "dlpFindings", min("durationUs") AS "minUs", max("durationUs") AS "maxUs"`;
/**
 * Memory for the sort and hash tables of one aggregate over a million events (the default 4 MB
 * spills them to disk and doubles the time), for its transaction only.
 */
const AGGREGATE_WORK_MEM = Prisma.raw(`SET LOCAL work_mem = '64MB'`);

/** The kind of name an MCP method names: tool, resource or prompt (null for other methods). */
const NAME_KIND = Prisma.sql`CASE WHEN "mcpMethod" = 'tools/call' THEN 'tool'
  WHEN "mcpMethod" LIKE 'resources/%' THEN 'resource' WHEN "mcpMethod" LIKE 'prompts/%' THEN 'prompt' END`;
/** Who called, for the workflow graph: the agent the gateway recognised, else the client application, else the User-Agent. */
const AGENT = Prisma.sql`CASE WHEN "agent" IS NOT NULL THEN 'named:' || "agent"
  WHEN "clientId" IS NOT NULL THEN 'client:' || "clientId"
  WHEN "userAgent" IS NOT NULL THEN 'agent:' || "userAgent" ELSE 'agent:' END`;

/** The rows of the analytics summary: `set` names the grouping, the other keys are null outside it. */
export interface SummaryRow extends GroupRow {
  set: 'totals' | 'timeline' | 'methods' | 'names' | 'clients' | 'errors';
  start: Date | null;
  method: string | null;
  kind: 'tool' | 'resource' | 'prompt' | null;
  name: string | null;
  clientId: string | null;
  clientName: string | null;
  httpStatus: number | null;
  jsonRpcErrorCode: number | null;
}

/** The rows of the workflow graph: agent → instance edges, and instance → tool edges (tool null: not a tools/call). */
export interface GraphRow extends GroupRow {
  set: 'agents' | 'tools';
  agent: string | null;
  clientName: string | null;
  apiId: number;
  tool: string | null;
}

/** `%text%` for ILIKE, with the pattern characters of `text` escaped. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** jsonb containment of an enforce or shadow reject by the referenced policy. */
function rejectedBy(reference: PolicyReference, mode: 'enforce' | 'shadow'): Prisma.Sql {
  return Prisma.sql`"verdicts" @> ${JSON.stringify([{ ...reference, verdict: 'reject', mode }])}::jsonb`;
}

/**
 * A finding with `action`. A finding only noted is `detected` as the gateway reports it and
 * `logged` as the proto comment names it: either name finds both.
 */
function dlpAction(action: string): Prisma.Sql {
  const actions = action === 'detected' || action === 'logged' ? ['detected', 'logged'] : [action];
  return Prisma.sql`(${Prisma.join(
    actions.map((a) => Prisma.sql`"dlp" @> ${JSON.stringify([{ action: a }])}::jsonb`),
    ' OR ',
  )})`;
}

function statusCondition(statuses: readonly string[]): Prisma.Sql {
  const exact = statuses.filter((s) => !s.endsWith('xx')).map(Number);
  const classes = statuses.filter((s) => s.endsWith('xx')).map((s) => Number(s[0]) * 100);
  return Prisma.sql`("httpStatus" = ANY(${exact}::int[]) OR ("httpStatus" / 100) * 100 = ANY(${classes}::int[]))`;
}

/** The WHERE of every read: the scope, then each filter given. */
function where(scope: EventScope, f: AccessLogFilters): Prisma.Sql {
  const c: Prisma.Sql[] = [
    Prisma.sql`"environmentId" = ${scope.environmentId}::uuid`,
    Prisma.sql`"time" >= ${scope.from}::timestamptz AND "time" < ${scope.to}::timestamptz`,
  ];
  if (f.apiId) c.push(Prisma.sql`"apiId" = ANY(${f.apiId}::int[])`);
  if (f.method) c.push(Prisma.sql`"mcpMethod" = ANY(${f.method}::text[])`);
  if (f.tool) c.push(Prisma.sql`"mcpMethod" = 'tools/call' AND "mcpName" = ${f.tool}`);
  if (f.resource) c.push(Prisma.sql`"mcpMethod" LIKE 'resources/%' AND "mcpName" = ${f.resource}`);
  if (f.prompt) c.push(Prisma.sql`"mcpMethod" LIKE 'prompts/%' AND "mcpName" = ${f.prompt}`);
  if (f.clientId) c.push(Prisma.sql`"clientId" = ${f.clientId}`);
  if (f.agent) c.push(Prisma.sql`"agent" = ${f.agent}`);
  if (f.userAgent) c.push(Prisma.sql`"userAgent" ILIKE ${containing(f.userAgent)}`);
  if (f.userDomain) c.push(Prisma.sql`"userDomain" = ${f.userDomain}`);
  if (f.principal) c.push(Prisma.sql`"principal" = ${f.principal}`);
  if (f.status) c.push(statusCondition(f.status));
  if (f.jsonRpcError === 'any') c.push(Prisma.sql`"jsonRpcErrorCode" IS NOT NULL`);
  else if (f.jsonRpcError === 'none') c.push(Prisma.sql`"jsonRpcErrorCode" IS NULL`);
  else if (f.jsonRpcError !== undefined) c.push(Prisma.sql`"jsonRpcErrorCode" = ${Number(f.jsonRpcError)}::int`);
  if (f.dlp === 'any') c.push(Prisma.sql`"dlp" <> '[]'::jsonb`);
  else if (f.dlp === 'none') c.push(Prisma.sql`"dlp" = '[]'::jsonb`);
  else if (f.dlp) c.push(dlpAction(f.dlp));
  if (f.dlpCategory) c.push(Prisma.sql`"dlp" @> ${JSON.stringify([{ categories: [f.dlpCategory] }])}::jsonb`);
  if (f.deniedBy) c.push(rejectedBy(f.deniedBy, 'enforce'));
  if (f.shadowDeniedBy) c.push(rejectedBy(f.shadowDeniedBy, 'shadow'));
  if (f.sessionId) c.push(Prisma.sql`"sessionId" = ${f.sessionId}`);
  if (f.requestId) c.push(Prisma.sql`"requestId" = ${f.requestId}`);
  return Prisma.join(c, ' AND ');
}

/**
 * Reads of stored access events: the log search, the analytics aggregates, the workflow graph
 * and Anypoint's event reports. Every read is confined to one environment and time range, which
 * partition pruning and the (environment, time, id) key serve.
 */
@Injectable()
export class AnalyticsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first (time, then id, descending), after `after` when given; at most `limit` rows. */
  search(
    scope: EventScope,
    filters: AccessLogFilters,
    page: { after?: LogPosition; limit: number; payloads: boolean },
  ): Promise<AccessEventRow[]> {
    const after = page.after
      ? Prisma.sql`AND ("time", "id") < (${page.after.time}::timestamptz, ${page.after.id})`
      : Prisma.empty;
    const payloads = page.payloads ? Prisma.sql`, "requestPayload", "responsePayload"` : Prisma.empty;
    return this.prisma.$queryRaw<AccessEventRow[]>`
      SELECT ${SEARCH_COLUMNS} ${payloads} FROM "AccessEvent"
      WHERE ${where(scope, filters)} ${after}
      ORDER BY "time" DESC, "id" DESC LIMIT ${page.limit}`;
  }

  /**
   * Every count of the analytics in one pass over the matching events: in total, per bucket of
   * `interval` (a Postgres interval, e.g. `5 minutes`) from `scope.from`, per JSON-RPC method, per
   * tool, resource or prompt name, per client application (each per latency bucket), and per
   * error (HTTP status and JSON-RPC code).
   */
  summary(scope: EventScope, filters: AccessLogFilters, interval: string): Promise<SummaryRow[]> {
    return this.aggregate<SummaryRow>(Prisma.sql`
      SELECT CASE WHEN GROUPING("start") = 0 THEN 'timeline' WHEN GROUPING("method") = 0 THEN 'methods'
          WHEN GROUPING("name") = 0 THEN 'names' WHEN GROUPING("clientId") = 0 THEN 'clients'
          WHEN GROUPING("httpStatus") = 0 THEN 'errors' ELSE 'totals' END AS "set",
        "start", "method", "kind", "name", "clientId", max("clientName") AS "clientName", "httpStatus", "jsonRpcErrorCode",
        "latencyBucket" AS "bucket", ${GROUP_COUNTS}
      FROM (
        SELECT date_bin(${interval}::interval, "time", ${scope.from}::timestamptz) AS "start", "mcpMethod" AS "method",
          ${NAME_KIND} AS "kind", "mcpName" AS "name", "clientId", "clientName", "httpStatus", "jsonRpcErrorCode", ${EVENT_FACTS}
        FROM "AccessEvent" WHERE ${where(scope, filters)}
      ) e
      GROUP BY GROUPING SETS (("latencyBucket"), ("start", "latencyBucket"), ("method", "latencyBucket"),
        ("kind", "name", "latencyBucket"), ("clientId", "latencyBucket"), ("httpStatus", "jsonRpcErrorCode"))`);
  }

  /** Per policy that decided anything but a pass: its denials, would-be denials, errors and mutations. */
  policies(scope: EventScope, filters: AccessLogFilters) {
    return this.prisma.$queryRaw<
      { policyId: string; policyType: string; denials: number; shadowDenials: number; errors: number; mutations: number }[]
    >`
      SELECT v->>'policyId' AS "policyId", v->>'policyType' AS "policyType",
        (count(*) FILTER (WHERE v->>'verdict' = 'reject' AND v->>'mode' = 'enforce'))::int AS "denials",
        (count(*) FILTER (WHERE v->>'verdict' = 'reject' AND v->>'mode' = 'shadow'))::int AS "shadowDenials",
        (count(*) FILTER (WHERE v->>'verdict' = 'error'))::int AS "errors",
        (count(*) FILTER (WHERE v->>'verdict' = 'mutate'))::int AS "mutations"
      FROM "AccessEvent", jsonb_array_elements("verdicts") AS v
      WHERE ${where(scope, filters)} AND ${HAS_VERDICT}
      GROUP BY 1, 2 ORDER BY 3 DESC, 4 DESC, 1 LIMIT 100`;
  }

  /** The workflow graph's edges in one pass: per agent (AGENT) and instance, and per instance and tool (each per latency bucket). */
  graph(scope: EventScope, filters: AccessLogFilters): Promise<GraphRow[]> {
    return this.aggregate<GraphRow>(Prisma.sql`
      SELECT CASE WHEN GROUPING("agent") = 0 THEN 'agents' ELSE 'tools' END AS "set",
        "agent", max("clientName") AS "clientName", "apiId", "tool", "latencyBucket" AS "bucket", ${GROUP_COUNTS}
      FROM (
        SELECT ${AGENT} AS "agent", "clientName", "apiId",
          CASE WHEN "mcpMethod" = 'tools/call' THEN "mcpName" END AS "tool", ${EVENT_FACTS}
        FROM "AccessEvent" WHERE ${where(scope, filters)}
      ) e
      GROUP BY GROUPING SETS (("agent", "apiId", "latencyBucket"), ("apiId", "tool", "latencyBucket"))`);
  }

  /** Anypoint's event report: oldest first, at most `limit`, of the instances `apiIds` when given. */
  reportEvents(scope: EventScope, apiIds: number[] | undefined, limit: number) {
    const apis = apiIds ? Prisma.sql`AND "apiId" = ANY(${apiIds}::int[])` : Prisma.empty;
    return this.prisma.$queryRaw<AccessEventRow[]>`
      SELECT ${SEARCH_COLUMNS} FROM "AccessEvent"
      WHERE "environmentId" = ${scope.environmentId}::uuid
        AND "time" >= ${scope.from}::timestamptz AND "time" < ${scope.to}::timestamptz ${apis}
      ORDER BY "time", "id" LIMIT ${limit}`;
  }

  /** Ids of the environment's instances of the APIs `apiIds` (API Manager's `assets[].id`: an Exchange row of the asset). */
  async instancesOfApis(environmentId: string, apiIds: number[]): Promise<number[]> {
    const rows = await this.prisma.$queryRaw<{ id: number }[]>`
      SELECT a."id" FROM "ApiInstance" a
      WHERE a."environmentId" = ${environmentId}::uuid AND EXISTS (
        SELECT 1 FROM "ExchangeAsset" e
        WHERE e."id" = ANY(${apiIds}::int[]) AND e."groupId" = a."groupId" AND e."assetId" = a."assetId")`;
    return rows.map((r) => r.id);
  }

  /** What the environment's instances `ids` are called (deleted ones are absent). */
  instances(environmentId: string, ids: number[]) {
    return this.prisma.apiInstance.findMany({
      where: { environmentId, id: { in: ids } },
      select: { id: true, groupId: true, assetId: true, productVersion: true, instanceLabel: true },
    });
  }

  /**
   * Runs an aggregate query with the memory it needs (AGGREGATE_WORK_MEM). A batch transaction,
   * not an interactive one: those end after 5 s, and a year of events may take longer.
   */
  private async aggregate<R>(query: Prisma.Sql): Promise<R[]> {
    const [, rows] = await this.prisma.$transaction([
      this.prisma.$executeRaw(AGGREGATE_WORK_MEM),
      this.prisma.$queryRaw<R[]>(query),
    ]);
    return rows;
  }
}
