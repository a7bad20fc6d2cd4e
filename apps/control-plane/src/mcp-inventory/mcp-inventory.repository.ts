/**
 * Persistence of the AI inventory: the tool lists gateways observed (ObservedTool), and the reads
 * the inventory is built from — an environment's MCP instances with what decides their rows,
 * their targets' replicas, and one grouped pass over the access events.
 */
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';

/** One tool of a reported list, as stored. */
export interface ReportedTool {
  name: string;
  /** null: the tool has none */
  description: string | null;
  descriptionSha256: string;
}

/** The activity of one instance over a time range (activitySince). */
export interface ActivityRow {
  apiId: number;
  calls: number;
  errors: number;
  toolCalls: number;
  agents: number;
  users: number;
  lastCallAt: Date | null;
}

/**
 * A call: an MCP request (a JSON-RPC message with an id), or a POST refused before any MCP
 * message was read (401, 403, 429, …). Notifications, responses the client sends and GET/DELETE
 * exchanges are not calls.
 */
const IS_CALL = Prisma.sql`(("mcpMethod" IS NOT NULL AND "jsonRpcId" IS NOT NULL)
  OR ("mcpMethod" IS NULL AND "httpMethod" = 'POST' AND "httpStatus" >= 400))`;
/** As the analytics count errors (analytics.repository.ts IS_ERROR). */
const IS_ERROR = Prisma.sql`("httpStatus" >= 400 OR "jsonRpcErrorCode" IS NOT NULL OR "toolError")`;

@Injectable()
export class McpInventoryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The upstreams of API `apiId` when it is deployed to `targetId` (the target a report comes from); null otherwise. */
  async deployedUpstreams(targetId: string, apiId: number): Promise<{ id: string; label: string | null }[] | null> {
    const api = await this.prisma.apiInstance.findFirst({
      where: { id: apiId, deployment: { targetId, expectedStatus: 'deployed' } },
      select: { upstreams: { select: { id: true, label: true } } },
    });
    return api?.upstreams ?? null;
  }

  /**
   * Records a list `upstreamName` of `apiId` gave: its tools listed and seen `at` (first seen kept),
   * and, when the list is `complete`, that server's other tools no longer listed.
   */
  async recordTools(apiId: number, upstreamName: string, tools: ReportedTool[], complete: boolean, at: Date): Promise<void> {
    const names = tools.map((t) => t.name);
    const seen = Prisma.sql`(${at}::timestamptz AT TIME ZONE 'UTC')`;
    const insert = this.prisma.$executeRaw`
      INSERT INTO "ObservedTool" ("apiId", "upstreamName", "name", "description", "descriptionSha256", "firstSeenAt", "lastSeenAt", "listed")
      SELECT ${apiId}::int, ${upstreamName}, t."name", t."description", t."sha256", ${seen}, ${seen}, true
      FROM unnest(${names}::text[], ${tools.map((t) => t.description)}::text[], ${tools.map((t) => t.descriptionSha256)}::text[])
        AS t("name", "description", "sha256")
      ON CONFLICT ("apiId", "upstreamName", "name") DO UPDATE SET "description" = EXCLUDED."description",
        "descriptionSha256" = EXCLUDED."descriptionSha256", "lastSeenAt" = EXCLUDED."lastSeenAt", "listed" = true`;
    const unlist = this.prisma.$executeRaw`
      UPDATE "ObservedTool" SET "listed" = false
      WHERE "apiId" = ${apiId}::int AND "upstreamName" = ${upstreamName} AND "listed" AND NOT ("name" = ANY(${names}::text[]))`;
    await this.prisma.$transaction([insert, ...(complete ? [unlist] : [])]);
  }

  /** The MCP server instances of an environment, with everything their inventory rows are made of. */
  mcpInstances(organizationId: string, environmentId: string, apiId?: number) {
    return this.prisma.apiInstance.findMany({
      where: { organizationId, environmentId, endpointType: 'mcp', ...(apiId === undefined ? {} : { id: apiId }) },
      select: {
        id: true,
        instanceLabel: true,
        groupId: true,
        assetId: true,
        assetVersion: true,
        status: true,
        backendEnabled: true,
        upstreamUri: true,
        upstreams: { select: { id: true, label: true, uri: true }, orderBy: { createdAt: 'asc' } },
        deployment: {
          select: { id: true, status: true, expectedStatus: true, targetId: true, targetName: true, errorMessage: true },
        },
        policies: {
          where: { disabled: false },
          orderBy: { order: 'asc' },
          select: {
            id: true,
            assetId: true,
            assetVersion: true,
            configurationData: true,
            mode: true,
            pointcutData: true,
            upstreamIds: true,
          },
        },
        toolPins: { select: { toolName: true } },
        toolChanges: { where: { status: 'pending' }, select: { toolName: true } },
        observedTools: {
          select: {
            upstreamName: true,
            name: true,
            description: true,
            descriptionSha256: true,
            firstSeenAt: true,
            lastSeenAt: true,
            listed: true,
          },
          orderBy: [{ upstreamName: 'asc' }, { name: 'asc' }],
        },
      },
      orderBy: { id: 'asc' },
    });
  }

  /** The Exchange names of assets, by `groupId\nassetId` (the first version's). */
  async assetNames(pairs: { groupId: string; assetId: string }[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    if (!pairs.length) return names;
    const rows = await this.prisma.exchangeAsset.findMany({
      where: { OR: pairs.map((p) => ({ groupId: p.groupId, assetId: p.assetId })) },
      select: { groupId: true, assetId: true, name: true },
      orderBy: { id: 'asc' },
    });
    for (const row of rows) {
      const key = `${row.groupId}\n${row.assetId}`;
      if (!names.has(key)) names.set(key, row.name);
    }
    return names;
  }

  /** The targets `ids` with their revision and replicas (sync status). */
  targets(ids: string[]) {
    if (!ids.length) return Promise.resolve([]);
    return this.prisma.gatewayTarget.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        configRevision: true,
        replicas: {
          select: { lastSeenAt: true, disconnectedAt: true, appliedRevision: true, failedApis: true, gatewayVersion: true },
        },
      },
    });
  }

  /**
   * Calls, errors, tools/call calls, distinct agents (the agent the gateway recognised, else the
   * client id, else the client name: one agent's several client ids count once) and users
   * (principal), and the last call, per instance of `apiIds` from `from` (included) to `to`
   * (excluded): one grouped pass over the environment's events in the range, which the
   * (environment, time) key and the daily partitions confine.
   */
  activity(environmentId: string, apiIds: number[], from: Date, to: Date): Promise<ActivityRow[]> {
    if (!apiIds.length) return Promise.resolve([]);
    return this.prisma.$queryRaw<ActivityRow[]>`
      SELECT "apiId", count(*)::int AS "calls", (count(*) FILTER (WHERE ${IS_ERROR}))::int AS "errors",
        (count(*) FILTER (WHERE "mcpMethod" = 'tools/call'))::int AS "toolCalls",
        count(DISTINCT COALESCE("agent", "clientId", "clientName"))::int AS "agents",
        count(DISTINCT "principal")::int AS "users", max("time") AS "lastCallAt"
      FROM "AccessEvent"
      WHERE "environmentId" = ${environmentId}::uuid AND "time" >= ${from}::timestamptz AND "time" < ${to}::timestamptz
        AND "apiId" = ANY(${apiIds}::int[]) AND ${IS_CALL}
      GROUP BY "apiId"`;
  }
}
