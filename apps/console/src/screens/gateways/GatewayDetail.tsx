/**
 * One gateway: its state and versions, each replica (id, version, connected or not, last seen,
 * and whether it runs the current configuration, with the gateway's reason when it refused it),
 * and the API instances deployed on it with their rollout (applied, pending, failed with the
 * reason). Kept fresh while open (useLive).
 */
import { Link, useParams } from 'react-router';
import type { ApiInstance, GatewayReplica } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { useGatewayTargets } from '../apis/mcp-wizard-queries';
import { instanceName, useApiInstances, useDeploymentStatus } from '../apis/queries';
import { useLive, useReplicas } from './queries';
import { formatTime } from '../../components/format';
import { ReplicaSyncBadge, RolloutBadge, RunningBadge } from './sync-state';
import './gateways.css';

export function GatewayDetail() {
  const { orgId, envId } = useScope();
  const targetId = useParams().targetId!;
  const targets = useGatewayTargets(orgId, envId);
  const replicas = useReplicas(orgId, envId, targetId);
  const instances = useApiInstances(orgId, envId);
  useLive(orgId, envId);
  const target = targets.data?.rows.find((t) => t.id === targetId);
  if (targets.error) return <ErrorMessage error={targets.error} />;
  if (!targets.data) return <p aria-busy="true">Loading…</p>;
  if (!target) return <p role="alert">This gateway does not exist in this environment (it may have been deleted).</p>;

  const replicaRows = replicas.data?.content ?? [];
  const versions = [...new Set(replicaRows.map((r) => r.gatewayVersion).filter(Boolean))];
  const deployed = instances.data?.filter((api) => api.deployment?.targetId === targetId);

  return (
    <section aria-labelledby="gateway-title">
      <p>
        <Link to={`/organizations/${orgId}/environments/${envId}/gateways`}>Gateways</Link>
      </p>
      <h1 id="gateway-title">{target.name}</h1>
      <dl className="summary">
        <dt>Status</dt>
        <dd>
          <RunningBadge running={target.running} />
        </dd>
        <dt>Running version</dt>
        <dd>{target.version}</dd>
        <dt>Versions of its replicas</dt>
        <dd>{versions.length ? versions.join(', ') : '—'}</dd>
        <dt>Connected replicas</dt>
        <dd>{target.replicas}</dd>
        <dt>Last seen</dt>
        <dd>{formatTime(target.lastConnectedDate)}</dd>
        <dt>Gateway id</dt>
        <dd>
          <code>{target.id}</code>
        </dd>
      </dl>

      <h2 id="replicas-title">Replicas</h2>
      <ErrorMessage error={replicas.error} />
      {replicas.data && (
        <>
          <DataTable
            columns={REPLICA_COLUMNS}
            rows={replicaRows}
            rowKey={(r) => r.id}
            empty={<p>No replica has connected yet: start the gateway with its registration.</p>}
            labelledBy="replicas-title"
          />
          {replicas.data.totalElements > replicaRows.length && (
            <p className="muted">
              The first {replicaRows.length} of {replicas.data.totalElements} replicas.
            </p>
          )}
        </>
      )}

      <h2 id="deployments-title">Deployed API instances</h2>
      <ErrorMessage error={instances.error} />
      <DataTable
        columns={DEPLOYMENT_COLUMNS}
        rows={deployed}
        rowKey={(api) => api.id}
        empty={<p>No API instance is deployed on this gateway.</p>}
        labelledBy="deployments-title"
      />
    </section>
  );
}

const REPLICA_COLUMNS: Column<GatewayReplica>[] = [
  {
    header: 'Replica',
    cell: (r) => (
      <>
        <code>{r.nodeId}</code>
        {r.name !== r.nodeId && <span className="muted"> {r.name}</span>}
      </>
    ),
  },
  { header: 'Version', cell: (r) => r.gatewayVersion ?? '—' },
  {
    header: 'Connection',
    cell: (r) => (
      <span className={r.status === 'CONNECTED' ? 'badge ok' : 'badge warn'}>
        {r.status === 'CONNECTED' ? 'Connected' : 'Disconnected'}
      </span>
    ),
  },
  { header: 'Last seen', cell: (r) => formatTime(r.lastSeenAt) },
  {
    header: 'Configuration',
    cell: (r) => (
      <>
        <ReplicaSyncBadge replica={r} />{' '}
        <span className="muted">
          revision {r.appliedRevision ?? '—'} of {r.desiredRevision}
        </span>
      </>
    ),
  },
  {
    header: 'Reason',
    className: 'reason',
    cell: (r) =>
      [
        ...(r.configurationStatus.message ? [r.configurationStatus.message] : []),
        // The gateway's reasons name their API ("API 12: …").
        ...r.failedApis.map((f) => f.error),
      ].join('; ') || '—',
  },
];

const DEPLOYMENT_COLUMNS: Column<ApiInstance>[] = [
  { header: 'Instance', cell: (api) => <InstanceLink api={api} /> },
  { header: 'Listener', cell: (api) => api.endpoint.proxyUri ?? '—' },
  { header: 'Gateway version', cell: (api) => api.deployment!.gatewayVersion },
  { header: 'Sync state', cell: (api) => <RolloutState api={api} /> },
  { header: 'Reason', className: 'reason', cell: (api) => <RolloutReason api={api} /> },
];

function InstanceLink({ api }: { api: ApiInstance }) {
  const { orgId, envId } = useScope();
  return <Link to={`/organizations/${orgId}/environments/${envId}/apis/${api.id}`}>{instanceName(api)}</Link>;
}

/** The rollout of the instance's deployment (one query, shared by its cells). */
function useRollout(api: ApiInstance) {
  const { orgId, envId } = useScope();
  return useDeploymentStatus(orgId, envId, String(api.id), api.deployment!.id);
}

function RolloutState({ api }: { api: ApiInstance }) {
  const status = useRollout(api);
  return status.error ? <ErrorMessage error={status.error} /> : <RolloutBadge status={status.data?.status} />;
}

function RolloutReason({ api }: { api: ApiInstance }) {
  const status = useRollout(api);
  return status.data?.status === 'failed' ? (status.data.errorMessage ?? 'No reason given') : '—';
}
