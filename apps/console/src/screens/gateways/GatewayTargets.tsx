/**
 * Gateways: the environment's gateway targets with their state, running version, connected
 * replicas, last heartbeat and how many API instances are deployed on each (details and sync
 * state per gateway in GatewayDetail), and Add gateway (RegisterGateway).
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { useGatewayTargets } from '../apis/mcp-wizard-queries';
import { useApiInstances } from '../apis/queries';
import { useLive } from './queries';
import { RegisterGateway } from './RegisterGateway';
import { formatTime } from '../../components/format';
import { RunningBadge } from './sync-state';
import './gateways.css';

export function GatewayTargets() {
  const { orgId, envId } = useScope();
  const targets = useGatewayTargets(orgId, envId);
  const instances = useApiInstances(orgId, envId);
  const [adding, setAdding] = useState(false);
  useLive(orgId, envId);
  const rows = targets.data?.rows ?? [];
  const deployedOn = (targetId: string) => (instances.data ?? []).filter((api) => api.deployment?.targetId === targetId).length;

  return (
    <section aria-labelledby="gateways-title">
      <div className="page-head">
        <h1 id="gateways-title">Gateways</h1>
        {!adding && (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add gateway
          </button>
        )}
      </div>
      {adding && <RegisterGateway takenNames={rows.map((t) => t.name)} onDone={() => setAdding(false)} />}
      <ErrorMessage error={targets.error} />
      {targets.data && rows.length === 0 && <p>No gateway is registered in this environment yet.</p>}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Version</th>
              <th scope="col">Connected replicas</th>
              <th scope="col">Last seen</th>
              <th scope="col">API instances</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.id}>
                <td>
                  <Link to={t.id}>{t.name}</Link>
                </td>
                <td>
                  <RunningBadge running={t.running} />
                </td>
                <td>{t.version}</td>
                <td>{t.replicas}</td>
                <td>{formatTime(t.lastConnectedDate)}</td>
                <td>{instances.data ? deployedOn(t.id) : '…'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
