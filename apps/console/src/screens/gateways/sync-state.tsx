/**
 * How the Gateways screens say a state: a target running or not, a replica's configuration sync
 * (pending, applying, applied, failed) and a deployment's rollout (applying, applied, failed,
 * undeployed), each as a badge whose words do not rely on its colour; and times of day.
 */
import type { GatewayReplica } from '../../api/resources';

export function RunningBadge({ running }: { running: boolean }) {
  return <span className={running ? 'badge ok' : 'badge warn'}>{running ? 'Running' : 'Not Running'}</span>;
}

const REPLICA_SYNC: Record<GatewayReplica['configurationStatus']['status'], [label: string, tone: string]> = {
  UP_TO_DATE: ['Applied', 'ok'],
  APPLYING: ['Pending', 'warn'],
  PENDING: ['Pending', 'warn'],
  FAILED: ['Failed', 'bad'],
};

/** A replica's sync state: whether it runs the gateway's current configuration revision. */
export function ReplicaSyncBadge({ replica }: { replica: GatewayReplica }) {
  const [label, tone] = REPLICA_SYNC[replica.configurationStatus.status] ?? [replica.configurationStatus.status, 'warn'];
  return <span className={`badge ${tone}`}>{label}</span>;
}

const ROLLOUT: Record<string, [label: string, tone: string]> = {
  applied: ['Applied', 'ok'],
  applying: ['Pending', 'warn'],
  failed: ['Failed', 'bad'],
  undeployed: ['Undeployed', 'warn'],
};

/** A deployment's rollout: applied once every replica runs it, failed once one refused it. */
export function RolloutBadge({ status }: { status: string | undefined }) {
  if (status === undefined) return <span aria-busy="true">…</span>;
  const [label, tone] = ROLLOUT[status] ?? [status, 'warn'];
  return <span className={`badge ${tone}`}>{label}</span>;
}
