/**
 * Gateway targets as the two Anypoint APIs show them: API Manager's `gateway-targets` rows
 * (contract §8.1, status RUNNING | DISCONNECTED) and the standalone API's gateway objects
 * (contract §9.5, status CONNECTED | DISCONNECTED | DELETED, key `lastUpdate`).
 */
import type { ReplicaRecord, TargetRecord } from './gateway-targets.repository.js';
import { isReplicaConnected, runningVersion } from './target-status.js';

export type TargetRowStatus = 'RUNNING' | 'DISCONNECTED';

export function targetRowStatus(target: TargetRecord, now: Date): TargetRowStatus {
  return target.replicas.some((r) => isReplicaConnected(r, now)) ? 'RUNNING' : 'DISCONNECTED';
}

/** A `rows[]` entry of GET .../gateway-targets: a superset of the live row and the documented example. */
export function targetRowView(target: TargetRecord, now: Date) {
  const status = targetRowStatus(target, now);
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
    replicas: target.replicas.filter((r) => isReplicaConnected(r, now)).length,
  };
}

function gatewayStatus(target: TargetRecord, now: Date): 'CONNECTED' | 'DISCONNECTED' | 'DELETED' {
  if (target.deletedAt) return 'DELETED';
  return targetRowStatus(target, now) === 'RUNNING' ? 'CONNECTED' : 'DISCONNECTED';
}

function replicaGroup(status: 'CONNECTED' | 'DISCONNECTED', replicas: ReplicaRecord[]) {
  return {
    status,
    count: replicas.length,
    certificateExpirationDates: replicas.flatMap((r) => (r.certExpiresAt ? [r.certExpiresAt.toISOString()] : [])),
  };
}

/** A standalone gateway object (`content[]` item). */
export function gatewayView(target: TargetRecord, now: Date) {
  const connected = target.replicas.filter((r) => isReplicaConnected(r, now));
  const disconnected = target.replicas.filter((r) => !isReplicaConnected(r, now));
  return {
    organizationId: target.organizationId,
    id: target.id,
    name: target.name,
    status: gatewayStatus(target, now),
    tags: target.tags,
    lastUpdate: target.updatedAt.toISOString(),
    replicas: [replicaGroup('CONNECTED', connected), replicaGroup('DISCONNECTED', disconnected)],
  };
}

/** GET .../gateways/{id}: the list item plus every version its replicas reported. */
export function gatewayDetailView(target: TargetRecord, now: Date) {
  const versions = [...new Set(target.replicas.map((r) => r.gatewayVersion).filter((v): v is string => !!v))].sort();
  return { ...gatewayView(target, now), versions };
}

/**
 * A replica of a standalone gateway. `configurationStatus` reflects the replica's last ACK/NACK:
 * PENDING until it applied a configuration, FAILED with the NACK message, else UP_TO_DATE.
 */
export function replicaView(replica: ReplicaRecord, now: Date) {
  return {
    id: replica.id,
    targetId: replica.targetId,
    name: replica.name ?? replica.replicaId,
    nodeId: replica.replicaId,
    gatewayVersion: replica.gatewayVersion,
    status: isReplicaConnected(replica, now) ? ('CONNECTED' as const) : ('DISCONNECTED' as const),
    connectedAt: replica.connectedAt?.toISOString() ?? null,
    disconnectedAt: replica.disconnectedAt?.toISOString() ?? null,
    configurationStatus: {
      status: replica.lastError ? 'FAILED' : replica.appliedRevision === null ? 'PENDING' : 'UP_TO_DATE',
      message: replica.lastError,
    },
    certificateExpirationDate: replica.certExpiresAt?.toISOString() ?? null,
  };
}
