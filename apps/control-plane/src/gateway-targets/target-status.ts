/**
 * What a gateway target's replicas say about it: connection status and running version.
 *
 * A replica is connected while it heartbeats: its last heartbeat is younger than three
 * heartbeat intervals (PORTICO_GATEWAY_HEARTBEAT_SECONDS) and its stream has not ended since. A
 * target is connected (API Manager: RUNNING, standalone API: CONNECTED) while at least one
 * replica is.
 */
import { BUNDLED_POLICY_TYPES, PORTICO_GATEWAY_VERSION } from '#portico/gateway-release';

/** The moment a status is computed for, and how old a last heartbeat may be. */
export interface Liveness {
  now: Date;
  windowMs: number;
}

/** Three missed heartbeats and a replica counts as gone. */
export function liveness(heartbeatSeconds: number, now = new Date()): Liveness {
  return { now, windowMs: 3 * heartbeatSeconds * 1000 };
}

export interface ReplicaState {
  gatewayVersion: string | null;
  lastSeenAt: Date | null;
  disconnectedAt: Date | null;
}

export function isReplicaConnected(replica: ReplicaState, at: Liveness): boolean {
  const seen = replica.lastSeenAt;
  if (!seen || at.now.getTime() - seen.getTime() > at.windowMs) return false;
  return !replica.disconnectedAt || replica.disconnectedAt < seen;
}

/**
 * The policy types a target enforces: those every connected replica implements (its Hello's
 * capabilities). With no replica connected, the bundled gateway release's, which a replica
 * registered with this control plane runs until it says otherwise.
 */
export function enforcedPolicyTypes(
  replicas: readonly (ReplicaState & { capabilities: string[] })[],
  at: Liveness,
): ReadonlySet<string> {
  const connected = replicas.filter((r) => isReplicaConnected(r, at));
  if (!connected.length) return new Set(BUNDLED_POLICY_TYPES);
  return new Set(connected[0]!.capabilities.filter((type) => connected.every((r) => r.capabilities.includes(type))));
}

/**
 * The newest version any replica reported. Targets registered with this control plane run its
 * bundled gateway release, so until a replica reports that is PORTICO_GATEWAY_VERSION — the
 * value a deployment's `gatewayVersion` must then carry.
 */
export function runningVersion(replicas: readonly ReplicaState[]): string {
  const reported = replicas.map((r) => r.gatewayVersion).filter((v): v is string => !!v);
  return reported.sort(compareVersions).at(-1) ?? PORTICO_GATEWAY_VERSION;
}

/** Orders `major.minor.patch` numerically; pre-release/build suffixes are ignored. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.+-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d) return d;
  }
  return 0;
}
