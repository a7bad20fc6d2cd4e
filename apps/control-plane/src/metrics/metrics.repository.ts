import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/prisma.service.js';

/** Replicas of live targets, as the metrics count them. */
export interface ReplicaCounts {
  connected: number;
  disconnected: number;
  /** Connected replicas that run an older revision than their target's. */
  behind: number;
  /** The most revisions a connected replica is behind its target (0 when none is). */
  maxLag: number;
}

@Injectable()
export class MetricsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Replica counts; connected as the gateway targets' status says (target-status.ts): seen within
   * `windowMs` and not disconnected since.
   */
  async replicas(windowMs: number): Promise<ReplicaCounts> {
    const [row] = await this.prisma.$queryRaw<
      { connected: bigint; disconnected: bigint; behind: bigint; max_lag: bigint | null }[]
    >`
      WITH replica AS (
        SELECT r."appliedRevision" AS applied, t."configRevision" AS revision,
               r."lastSeenAt" > now() - make_interval(secs => ${windowMs / 1000})
                 AND (r."disconnectedAt" IS NULL OR r."disconnectedAt" < r."lastSeenAt") AS connected
        FROM "GatewayReplica" r JOIN "GatewayTarget" t ON t.id = r."targetId"
        WHERE t."deletedAt" IS NULL
      )
      SELECT count(*) FILTER (WHERE connected) AS connected,
             count(*) FILTER (WHERE NOT connected) AS disconnected,
             count(*) FILTER (WHERE connected AND coalesce(applied, 0) < revision) AS behind,
             max(revision - coalesce(applied, 0)) FILTER (WHERE connected) AS max_lag
      FROM replica`;
    return {
      connected: Number(row!.connected),
      disconnected: Number(row!.disconnected),
      behind: Number(row!.behind),
      maxLag: Number(row!.max_lag ?? 0),
    };
  }
}
