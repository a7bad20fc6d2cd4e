import { Injectable } from '@nestjs/common';
import { CoalescingRuns } from '../common/coalescing-runs.js';
import { PrismaService } from '../common/prisma.service.js';

/** Two-key advisory lock (namespace, hash of the target id) serializing a target's ACKs; 7701001–3 are taken. */
const TARGET_ACK_LOCK = 7701004;

/**
 * What an API's policy chain is built from (snapshot.ts policyConfigs): enabled policies in order,
 * tool pins, active API keys, approved contracts with their application and SLA tier.
 */
export const POLICY_CHAIN_SOURCE = {
  policies: { where: { disabled: false }, orderBy: { order: 'asc' as const } },
  toolPins: { select: { toolName: true, sha256: true }, orderBy: { toolName: 'asc' as const } },
  toolChanges: { where: { status: 'pending' }, select: { toolName: true }, orderBy: { toolName: 'asc' as const } },
  apiKeys: { where: { revokedAt: null }, select: { id: true, name: true, secretSha256: true, expiresAt: true } },
  contracts: {
    where: { status: 'APPROVED' },
    select: {
      application: { select: { clientId: true, name: true, clientSecretHash: true } },
      tier: { select: { limits: true } },
    },
    orderBy: { applicationId: 'asc' as const },
  },
};

/** What recognises each agent of the organization (snapshot.ts agentAccess); their applications are read apart. */
export const ORGANIZATION_AGENTS = {
  agents: {
    select: { name: true, clientIds: true, clientMetadataUrls: true, clientInfoNames: true, applicationIds: true },
    orderBy: { name: 'asc' as const },
  },
};

/** Everything a target's snapshot is built from. */
const TARGET_SNAPSHOT = {
  environment: { select: { organization: { select: ORGANIZATION_AGENTS } } },
  deployments: {
    where: { expectedStatus: 'deployed' },
    orderBy: { apiId: 'asc' as const },
    include: {
      api: {
        include: {
          routes: { orderBy: { position: 'asc' as const }, include: { upstreams: true } },
          upstreams: { orderBy: { createdAt: 'asc' as const }, include: { outboundTls: true } },
          inboundTls: true,
          agents: { select: { tools: true, agent: { select: { name: true } } } },
          ...POLICY_CHAIN_SOURCE,
        },
      },
    },
  },
};

export interface ReplicaHello {
  replicaId: string;
  name: string;
  gatewayVersion: string;
  certExpiresAt: Date;
  /** Policy types the replica's build implements. */
  capabilities: string[];
}

/** An API of an acknowledged revision the replica does not serve, and why. */
export interface FailedApi {
  apiId: string;
  error: string;
}

/**
 * Persistence of the sync service: snapshots' source rows, certificate checks, and what each
 * replica reports (connection, heartbeats, ACK/NACK) together with the deployment and API
 * status those reports decide.
 */
@Injectable()
export class ConfigSyncRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The target and its deployed APIs at one revision; null when the target does not exist. One
   * SQL statement (relation joins), so the revision and the rows it covers are one consistent view;
   * then the client ids of the applications the organization's agents are bound to
   * (`agentApplications`: an agent names them by id, without a relation). An application's client
   * id never changes; one deleted since the first read is still named until the next push.
   */
  async loadTarget(targetId: string) {
    const target = await this.prisma.gatewayTarget.findUnique({
      where: { id: targetId },
      include: TARGET_SNAPSHOT,
      relationLoadStrategy: 'join',
    });
    if (!target) return null;
    const ids = [...new Set(target.environment.organization.agents.flatMap((a) => a.applicationIds))];
    const agentApplications =
      ids.length === 0
        ? []
        : await this.prisma.clientApplication.findMany({
            where: { organizationId: target.organizationId, id: { in: ids } },
            select: { id: true, clientId: true },
          });
    return { ...target, agentApplications };
  }

  /** What the sync service must know about a presented client certificate. */
  findCertificate(serialNumber: string) {
    return this.prisma.gatewayCertificate.findUnique({
      where: { serialNumber },
      select: { targetId: true, revokedAt: true, notAfter: true, target: { select: { deletedAt: true, name: true } } },
    });
  }

  /** Serial numbers of the target's revoked certificates. */
  async revokedSerials(targetId: string): Promise<string[]> {
    const rows = await this.prisma.gatewayCertificate.findMany({
      where: { targetId, revokedAt: { not: null } },
      select: { serialNumber: true },
    });
    return rows.map((r) => r.serialNumber);
  }

  /** Current revisions of the given targets (the poll behind LISTEN/NOTIFY). */
  async revisions(targetIds: readonly string[]): Promise<Map<string, number>> {
    if (!targetIds.length) return new Map();
    const rows = await this.prisma.gatewayTarget.findMany({
      where: { id: { in: [...targetIds] } },
      select: { id: true, configRevision: true },
    });
    return new Map(rows.map((r) => [r.id, Number(r.configRevision)]));
  }

  /**
   * A replica opened a stream: (re)register it as connected now. Returns the revision it last
   * rejected, which must not be pushed to it again.
   */
  async connect(targetId: string, hello: ReplicaHello, now: Date): Promise<number | null> {
    const fields = {
      name: hello.name,
      gatewayVersion: hello.gatewayVersion,
      capabilities: hello.capabilities,
      certExpiresAt: hello.certExpiresAt,
      connectedAt: now,
      lastSeenAt: now,
      disconnectedAt: null,
    };
    const replica = await this.prisma.gatewayReplica.upsert({
      where: { targetId_replicaId: { targetId, replicaId: hello.replicaId } },
      create: { targetId, replicaId: hello.replicaId, ...fields },
      update: fields,
      select: { rejectedRevision: true },
    });
    return replica.rejectedRevision === null ? null : Number(replica.rejectedRevision);
  }

  async heartbeat(targetId: string, replicaId: string, now: Date): Promise<void> {
    await this.prisma.gatewayReplica.updateMany({ where: { targetId, replicaId }, data: { lastSeenAt: now } });
  }

  /**
   * The stream opened at `connectedAt` ended. A replica that already reconnected (a newer
   * connectedAt) stays connected.
   */
  async disconnect(targetId: string, replicaId: string, connectedAt: Date, now: Date): Promise<void> {
    await this.prisma.gatewayReplica.updateMany({
      where: { targetId, replicaId, connectedAt },
      data: { disconnectedAt: now },
    });
  }

  /**
   * A replica applied `revision`, serving every API of it but `failedApis`. Deployments of the
   * target written at or before the lowest revision every connected replica (seen since
   * `liveSince`) runs are then decided: `failed` (with the reason, instance `inactive`) when a
   * connected replica does not serve their API, else `applied` (instance `active`).
   *
   * The replica's row is written at once; the decision is the target's, made by one run at a
   * time in this process (ACKs arriving meanwhile share the next run), so a thousand replicas
   * acknowledging a change make a few decisions, not a thousand transactions queued on a lock
   * while holding the pool's connections. Resolves once a decision that saw this ACK is made.
   */
  async ack(
    targetId: string,
    replicaId: string,
    revision: number,
    hash: string,
    failedApis: FailedApi[],
    liveSince: Date,
  ): Promise<void> {
    await this.prisma.gatewayReplica.updateMany({
      where: { targetId, replicaId },
      data: {
        appliedRevision: revision,
        appliedHash: hash,
        lastError: null,
        failedApis: failedApis.map(({ apiId, error }) => ({ apiId, error })),
        lastSeenAt: new Date(),
      },
    });
    await this.decisions.run(targetId, liveSince);
  }

  private readonly decisions = new CoalescingRuns<Date>((targetId, liveSince) => this.decide(targetId, liveSince));

  /** Decides the deployments of `targetId` from its connected replicas (see ack). */
  private async decide(targetId: string, liveSince: Date): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      // Decisions of one target take turns across control planes too: each reads the replicas
      // after its own ACKs were written, so the last to run sees every ACK. An advisory lock only
      // decisions take, so it cannot deadlock with instance writes (which lock instance,
      // deployment, target).
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${TARGET_ACK_LOCK}::int, hashtext(${targetId}))`;
      const [live] = await tx.$queryRaw<{ replicas: number; applied: bigint | null; failedApis: FailedApi[][] | null }[]>`
        SELECT count(*)::int AS "replicas", min(COALESCE("appliedRevision", 0)) AS "applied",
          jsonb_agg("failedApis") FILTER (WHERE jsonb_array_length("failedApis") > 0) AS "failedApis"
        FROM "GatewayReplica"
        WHERE "targetId" = ${targetId}::uuid
          AND ("disconnectedAt" IS NULL OR "disconnectedAt" < "lastSeenAt")
          AND "lastSeenAt" >= ${liveSince}`;
      if (!live?.replicas) return;
      const applied = Number(live.applied ?? 0);
      const failed = new Map<number, string>();
      for (const { apiId, error } of (live.failedApis ?? []).flat()) {
        if (!failed.has(Number(apiId))) failed.set(Number(apiId), error);
      }
      const decided = await tx.deployment.findMany({
        where: { targetId, expectedStatus: 'deployed', status: { not: 'undeployed' }, configRevision: { lte: applied } },
        select: { id: true, apiId: true, status: true, errorMessage: true },
      });
      // Lock order: the instance, then its deployment, as an instance write does (its trigger
      // updates the deployment), so a decision and a PATCH of the same API cannot deadlock. The
      // deployment's revision is checked again in the UPDATE: a change committed since the read
      // above has a newer revision and stays `applying`.
      const stillDecided = { expectedStatus: 'deployed', configRevision: { lte: applied } };
      const nowApplied = decided.filter((d) => !failed.has(d.apiId) && d.status !== 'applied');
      if (nowApplied.length) {
        await tx.apiInstance.updateMany({ where: { id: { in: nowApplied.map((d) => d.apiId) } }, data: { status: 'active' } });
        await tx.deployment.updateMany({
          where: { id: { in: nowApplied.map((d) => d.id) }, ...stillDecided },
          data: { status: 'applied', errorMessage: null },
        });
      }
      for (const d of decided) {
        const error = failed.get(d.apiId);
        if (error === undefined || (d.status === 'failed' && d.errorMessage === error)) continue;
        await tx.apiInstance.update({ where: { id: d.apiId }, data: { status: 'inactive' } });
        await tx.deployment.updateMany({ where: { id: d.id, ...stillDecided }, data: { status: 'failed', errorMessage: error } });
      }
    });
  }

  /** A replica rejected `revision` as a whole: its deployments that were waiting for it have `failed`. */
  async nack(targetId: string, replicaId: string, revision: number, error: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.gatewayReplica.updateMany({
        where: { targetId, replicaId },
        data: { rejectedRevision: revision, lastError: error, lastSeenAt: new Date() },
      }),
      this.prisma.deployment.updateMany({
        where: { targetId, status: 'applying', configRevision: { lte: revision } },
        data: { status: 'failed', errorMessage: error },
      }),
    ]);
  }
}

export type TargetSnapshotRecord = NonNullable<Awaited<ReturnType<ConfigSyncRepository['loadTarget']>>>;
