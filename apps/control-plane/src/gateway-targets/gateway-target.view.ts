/**
 * Gateway targets as the two Anypoint APIs show them: API Manager's `gateway-targets` rows
 * (contract §8.1, status RUNNING | DISCONNECTED) and the standalone API's gateway objects
 * (contract §9.5, status CONNECTED | DISCONNECTED | DELETED, key `lastUpdate`).
 */
import type { GatewayReplica, GatewayTargetRow, StandaloneGateway } from './gateway-targets.dto.js';
import type { ReplicaRecord, TargetRecord } from './gateway-targets.repository.js';
import { isReplicaConnected, type Liveness, runningVersion } from './target-status.js';

export type TargetRowStatus = 'RUNNING' | 'DISCONNECTED';

export function targetRowStatus(target: TargetRecord, at: Liveness): TargetRowStatus {
  return target.replicas.some((r) => isReplicaConnected(r, at)) ? 'RUNNING' : 'DISCONNECTED';
}

/**
 * Access events the target's replica processes dropped (their queues and spill files were full),
 * as each last reported it: counts restart with a replica process.
 */
function droppedEvents(target: TargetRecord): number {
  return target.replicas.reduce((sum, r) => sum + Number(r.droppedEvents), 0);
}

/** A `rows[]` entry of GET .../gateway-targets: a superset of the live row and the documented example. */
export function targetRowView(target: TargetRecord, at: Liveness): GatewayTargetRow {
  const status = targetRowStatus(target, at);
  const version = runningVersion(target.replicas);
  const lastSeen = target.replicas
    .map((r) => r.lastSeenAt)
    .filter((d): d is Date => !!d)
    .sort((a, b) => a.getTime() - b.getTime())
    .at(-1);
  return {
    id: target.id,
    name: target.name,
    kind: 'flex' as const,
    targetType: 'self-managed' as const,
    type: 'self-managed' as const,
    status,
    ready: status === 'RUNNING',
    running: status === 'RUNNING',
    version,
    gatewayVersion: version,
    organizationId: target.organizationId,
    environmentId: target.environmentId,
    lastConnectedDate: lastSeen?.toISOString() ?? null,
    replicas: target.replicas.filter((r) => isReplicaConnected(r, at)).length,
    droppedEvents: droppedEvents(target),
  };
}

function gatewayStatus(target: TargetRecord, at: Liveness): 'CONNECTED' | 'DISCONNECTED' | 'DELETED' {
  if (target.deletedAt) return 'DELETED';
  return targetRowStatus(target, at) === 'RUNNING' ? 'CONNECTED' : 'DISCONNECTED';
}

function replicaGroup(status: 'CONNECTED' | 'DISCONNECTED', replicas: ReplicaRecord[]) {
  return {
    status,
    count: replicas.length,
    certificateExpirationDates: replicas.flatMap((r) => (r.certExpiresAt ? [r.certExpiresAt.toISOString()] : [])),
  };
}

/** A standalone gateway object (`content[]` item). */
export function gatewayView(target: TargetRecord, at: Liveness): StandaloneGateway {
  const connected = target.replicas.filter((r) => isReplicaConnected(r, at));
  const disconnected = target.replicas.filter((r) => !isReplicaConnected(r, at));
  return {
    organizationId: target.organizationId,
    id: target.id,
    name: target.name,
    status: gatewayStatus(target, at),
    tags: target.tags,
    lastUpdate: target.updatedAt.toISOString(),
    replicas: [replicaGroup('CONNECTED', connected), replicaGroup('DISCONNECTED', disconnected)],
    droppedEvents: droppedEvents(target),
  };
}

/**
 * A gateway as Gateway Manager shows it (what Terraform and the console read: `runtimeVersion`,
 * status, replicas). Every Portico gateway is self-managed: its runtime runs where its owner
 * started it, so `size`, `releaseChannel` and the managed ingress settings have no value here.
 * Status: RUNNING with a connected replica, NOT_RUNNING without one, DELETED once deleted.
 */
export function gatewayManagerView(target: TargetRecord, at: Liveness) {
  const standalone = gatewayView(target, at);
  const status = target.deletedAt ? 'DELETED' : standalone.status === 'CONNECTED' ? 'RUNNING' : 'NOT_RUNNING';
  return {
    id: target.id,
    name: target.name,
    targetId: target.id,
    targetName: target.name,
    targetType: 'self-managed' as const,
    kind: 'selfManaged' as const,
    runtimeVersion: runningVersion(target.replicas),
    releaseChannel: null,
    size: null,
    status,
    desiredStatus: target.deletedAt ? 'DELETED' : 'RUNNING',
    statusMessage: status === 'NOT_RUNNING' ? 'No replica is connected' : null,
    replicas: standalone.replicas,
    dateCreated: target.createdAt.toISOString(),
    lastUpdated: target.updatedAt.toISOString(),
    organizationId: target.organizationId,
    environmentId: target.environmentId,
  };
}

/** GET .../gateways/{id}: the list item plus every version its replicas reported. */
export function gatewayDetailView(target: TargetRecord, at: Liveness) {
  const versions = [...new Set(target.replicas.map((r) => r.gatewayVersion).filter((v): v is string => !!v))].sort();
  return { ...gatewayView(target, at), versions };
}

/**
 * A replica of a standalone gateway. `configurationStatus` reflects the replica's last ACK/NACK
 * against the target's current revision: PENDING until it applied a configuration, FAILED with
 * the NACK message while it has not applied a newer one, UP_TO_DATE when it runs the current
 * revision, else APPLYING. `failedApis` are the APIs of its applied revision it does not serve
 * (each failed alone, with the reason; its other APIs are served), `capabilities` the policy
 * types its build implements, `droppedEvents` the access events its process dropped since it
 * started (its last Publish said so).
 */
export function replicaView(replica: ReplicaRecord, at: Liveness, targetRevision: bigint): GatewayReplica {
  return {
    id: replica.id,
    targetId: replica.targetId,
    name: replica.name ?? replica.replicaId,
    nodeId: replica.replicaId,
    gatewayVersion: replica.gatewayVersion,
    status: isReplicaConnected(replica, at) ? ('CONNECTED' as const) : ('DISCONNECTED' as const),
    connectedAt: replica.connectedAt?.toISOString() ?? null,
    disconnectedAt: replica.disconnectedAt?.toISOString() ?? null,
    configurationStatus: configurationStatus(replica, targetRevision),
    appliedRevision: replica.appliedRevision === null ? null : Number(replica.appliedRevision),
    appliedHash: replica.appliedHash,
    desiredRevision: Number(targetRevision),
    lastSeenAt: replica.lastSeenAt?.toISOString() ?? null,
    lastError: replica.lastError,
    failedApis: replica.failedApis as { apiId: string; error: string }[],
    capabilities: replica.capabilities ?? [],
    certificateExpirationDate: replica.certExpiresAt?.toISOString() ?? null,
    droppedEvents: Number(replica.droppedEvents),
  };
}

function configurationStatus(replica: ReplicaRecord, targetRevision: bigint) {
  const applied = replica.appliedRevision;
  const rejected = replica.rejectedRevision;
  if (rejected !== null && (applied === null || rejected > applied))
    return { status: 'FAILED' as const, message: replica.lastError };
  if (applied === null) return { status: 'PENDING' as const, message: null };
  return { status: applied >= targetRevision ? ('UP_TO_DATE' as const) : ('APPLYING' as const), message: null };
}
