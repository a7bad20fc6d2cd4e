/**
 * One gateway: its state and versions, each replica (id, version, connected or not, last seen,
 * and whether it runs the current configuration, with the gateway's reason when it refused it),
 * and the API instances deployed on it with their rollout (applied, pending, failed with the
 * reason). Kept fresh while open (useLive).
 */
import { Link, useParams } from 'react-router';
import type { ApiInstance, GatewayReplica } from '../../api/resources';
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
  const deployed = (instances.data ?? []).filter((api) => api.deployment?.targetId === targetId);

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
      {replicas.data && replicaRows.length === 0 && <p>No replica has connected yet: start the gateway with its registration.</p>}
      {replicaRows.length > 0 && <Replicas replicas={replicaRows} total={replicas.data!.totalElements} />}

      <h2 id="deployments-title">Deployed API instances</h2>
      <ErrorMessage error={instances.error} />
      {instances.data && deployed.length === 0 && <p>No API instance is deployed on this gateway.</p>}
      {deployed.length > 0 && (
        <table aria-labelledby="deployments-title">
          <thead>
            <tr>
              <th scope="col">Instance</th>
              <th scope="col">Listener</th>
              <th scope="col">Gateway version</th>
              <th scope="col">Sync state</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {deployed.map((api) => (
              <DeploymentRow key={api.id} api={api} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Replicas({ replicas, total }: { replicas: GatewayReplica[]; total: number }) {
  return (
    <>
      <table aria-labelledby="replicas-title">
        <thead>
          <tr>
            <th scope="col">Replica</th>
            <th scope="col">Version</th>
            <th scope="col">Connection</th>
            <th scope="col">Last seen</th>
            <th scope="col">Configuration</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {replicas.map((r) => (
            <tr key={r.id}>
              <td>
                <code>{r.nodeId}</code>
                {r.name !== r.nodeId && <span className="muted"> {r.name}</span>}
              </td>
              <td>{r.gatewayVersion ?? '—'}</td>
              <td>
                <span className={r.status === 'CONNECTED' ? 'badge ok' : 'badge warn'}>
                  {r.status === 'CONNECTED' ? 'Connected' : 'Disconnected'}
                </span>
              </td>
              <td>{formatTime(r.lastSeenAt)}</td>
              <td>
                <ReplicaSyncBadge replica={r} />{' '}
                <span className="muted">
                  revision {r.appliedRevision ?? '—'} of {r.desiredRevision}
                </span>
              </td>
              <td className="reason">
                {[
                  ...(r.configurationStatus.message ? [r.configurationStatus.message] : []),
                  // The gateway's reasons name their API ("API 12: …").
                  ...r.failedApis.map((f) => f.error),
                ].join('; ') || '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > replicas.length && (
        <p className="muted">
          The first {replicas.length} of {total} replicas.
        </p>
      )}
    </>
  );
}

function DeploymentRow({ api }: { api: ApiInstance }) {
  const { orgId, envId } = useScope();
  const status = useDeploymentStatus(orgId, envId, String(api.id), api.deployment!.id);
  return (
    <tr>
      <td>
        <Link to={`/organizations/${orgId}/environments/${envId}/apis/${api.id}`}>{instanceName(api)}</Link>
      </td>
      <td>{api.endpoint.proxyUri ?? '—'}</td>
      <td>{api.deployment!.gatewayVersion}</td>
      <td>{status.error ? <ErrorMessage error={status.error} /> : <RolloutBadge status={status.data?.status} />}</td>
      <td className="reason">{status.data?.status === 'failed' ? (status.data.errorMessage ?? 'No reason given') : '—'}</td>
    </tr>
  );
}
