import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/prisma.service.js';
import type { AccessEventBatch } from './access-event-batch.js';

/**
 * Advisory lock ids: 7701001–7701004 are taken (bootstrap, policies, config sync); 7701005 is held
 * by the partition functions of the access_events migration while they create or drop partitions.
 */

/** What storing one batch did. */
export interface StoredBatch {
  /** events of the batch that were new (a republished event is not) */
  inserted: number;
  /** events whose API is not deployed to the publishing target: not stored */
  refused: number;
  /** the distinct API ids of the refused events, as the gateway sent them */
  refusedApiIds: string[];
}

/**
 * Access events storage: the batch insert, the daily partitions and retention. The table and the
 * two partition functions are the access_events migration's.
 */
@Injectable()
export class AccessEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores the events of `batch` whose API instance is deployed to `targetId` (and belongs to its
   * organization), each with the instance's organization and environment, and records the
   * replica's `droppedTotal`: one statement, so both are committed together or not at all. An
   * event already stored (same environment, time and id) is skipped. The replica row is created
   * when the replica published before it ever held a sync stream.
   */
  async insertBatch(targetId: string, batch: AccessEventBatch): Promise<StoredBatch> {
    const e = batch.events;
    const column = <T>(pick: (event: (typeof e)[number]) => T): T[] => e.map(pick);
    const json = (values: unknown[]) => values.map((v) => JSON.stringify(v));
    const [row] = await this.prisma.$queryRaw<StoredBatch[]>`
      WITH batch AS (
        SELECT * FROM unnest(
          ${column((x) => x.id)}::text[], ${column((x) => x.time)}::timestamptz[], ${column((x) => x.apiId)}::text[],
          ${column((x) => x.requestId)}::text[], ${column((x) => x.sessionId)}::text[], ${column((x) => x.httpMethod)}::text[],
          ${column((x) => x.path)}::text[], ${column((x) => x.httpStatus)}::int[], ${column((x) => x.mcpMethod)}::text[],
          ${column((x) => x.jsonRpcId)}::text[], ${column((x) => x.mcpName)}::text[], ${column((x) => x.jsonRpcErrorCode)}::int[],
          ${column((x) => x.toolError)}::boolean[], ${column((x) => x.durationUs)}::bigint[],
          ${column((x) => x.upstreamLatencyUs)}::bigint[], ${column((x) => x.bytesIn)}::bigint[], ${column((x) => x.bytesOut)}::bigint[],
          ${column((x) => x.clientId)}::text[], ${column((x) => x.clientName)}::text[], ${column((x) => x.principal)}::text[],
          ${column((x) => x.userDomain)}::text[], ${column((x) => x.clientAddress)}::text[], ${column((x) => x.userAgent)}::text[],
          ${json(column((x) => x.verdicts))}::jsonb[], ${json(column((x) => x.dlp))}::jsonb[], ${column((x) => x.gatewayError)}::text[],
          ${column((x) => x.requestPayload)}::text[], ${column((x) => x.responsePayload)}::text[],
          ${column((x) => x.upstreamName)}::text[], ${column((x) => x.agent)}::text[]
        ) AS b("id", "time", "apiText", "requestId", "sessionId", "httpMethod", "path", "httpStatus", "mcpMethod",
               "jsonRpcId", "mcpName", "jsonRpcErrorCode", "toolError", "durationUs", "upstreamLatencyUs", "bytesIn",
               "bytesOut", "clientId", "clientName", "principal", "userDomain", "clientAddress", "userAgent", "verdicts",
               "dlp", "gatewayError", "requestPayload", "responsePayload", "upstreamName", "agent")
      ),
      served AS (
        SELECT a."id" AS "apiId", a."organizationId", a."environmentId"
        FROM "Deployment" d
        JOIN "GatewayTarget" t ON t."id" = d."targetId"
        JOIN "ApiInstance" a ON a."id" = d."apiId" AND a."organizationId" = t."organizationId"
        WHERE d."targetId" = ${targetId}::uuid
      ),
      owned AS (
        SELECT b.*, s."apiId", s."organizationId", s."environmentId"
        FROM batch b LEFT JOIN served s ON s."apiId"::text = b."apiText"
      ),
      stored AS (
        INSERT INTO "AccessEvent" ("environmentId", "time", "id", "organizationId", "targetId", "replicaId", "apiId",
          "requestId", "sessionId", "httpMethod", "path", "httpStatus", "mcpMethod", "jsonRpcId", "mcpName",
          "jsonRpcErrorCode", "toolError", "durationUs", "upstreamLatencyUs", "bytesIn", "bytesOut", "clientId",
          "clientName", "principal", "userDomain", "clientAddress", "userAgent", "verdicts", "dlp", "gatewayError",
          "requestPayload", "responsePayload", "upstreamName", "agent")
        SELECT "environmentId", "time", "id", "organizationId", ${targetId}::uuid, ${batch.replicaId}, "apiId",
          "requestId", "sessionId", "httpMethod", "path", "httpStatus", "mcpMethod", "jsonRpcId", "mcpName",
          "jsonRpcErrorCode", "toolError", "durationUs", "upstreamLatencyUs", "bytesIn", "bytesOut", "clientId",
          "clientName", "principal", "userDomain", "clientAddress", "userAgent", "verdicts", "dlp", "gatewayError",
          "requestPayload", "responsePayload", "upstreamName", "agent"
        FROM owned WHERE "environmentId" IS NOT NULL
        ON CONFLICT DO NOTHING
        RETURNING 1
      ),
      replica AS (
        INSERT INTO "GatewayReplica" ("id", "targetId", "replicaId", "name", "droppedEvents", "updatedAt")
        VALUES (gen_random_uuid(), ${targetId}::uuid, ${batch.replicaId}, ${batch.replicaName}, ${batch.droppedTotal}, now())
        ON CONFLICT ("targetId", "replicaId") DO UPDATE SET "droppedEvents" = EXCLUDED."droppedEvents", "updatedAt" = now()
        WHERE "GatewayReplica"."droppedEvents" IS DISTINCT FROM EXCLUDED."droppedEvents"
      )
      SELECT (SELECT count(*) FROM stored)::int AS "inserted",
        count(*) FILTER (WHERE "environmentId" IS NULL)::int AS "refused",
        coalesce(array_agg(DISTINCT "apiText") FILTER (WHERE "environmentId" IS NULL), '{}') AS "refusedApiIds"
      FROM owned`;
    return row!;
  }

  /** Creates the missing daily partitions of `firstDay`..`lastDay` (UTC dates, `YYYY-MM-DD`). */
  async createPartitions(firstDay: string, lastDay: string): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ created: number }[]>`
      SELECT portico_access_event_partitions(${firstDay}::date, ${lastDay}::date) AS "created"`;
    return row!.created;
  }

  /** Drops the partitions whose whole day is before `cutoff` and older rows of the default one; the dropped partitions' names. */
  async dropPartitionsBefore(cutoff: Date): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ name: string }[]>`
      SELECT portico_drop_access_event_partitions(${cutoff}::timestamptz) AS "name"`;
    return rows.map((r) => r.name);
  }
}
