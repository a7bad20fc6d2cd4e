/**
 * Gateways: the environment's gateway targets with their state, running version, connected
 * replicas, last heartbeat and how many API instances are deployed on each (details and sync
 * state per gateway in GatewayDetail), and Add gateway (RegisterGateway).
 */
import { useState } from 'react';
import { Link } from 'react-router';
import type { GatewayTarget } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
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
  const deployedOn = (targetId: string) => (instances.data ?? []).filter((api) => api.deployment?.targetId === targetId).length;
  const columns: Column<GatewayTarget>[] = [
    { header: 'Name', cell: (t) => <Link to={t.id}>{t.name}</Link> },
    { header: 'Status', cell: (t) => <RunningBadge running={t.running} /> },
    { header: 'Version', cell: (t) => t.version },
    { header: 'Connected replicas', cell: (t) => t.replicas },
    { header: 'Last seen', cell: (t) => formatTime(t.lastConnectedDate) },
    { header: 'API instances', cell: (t) => (instances.data ? deployedOn(t.id) : '…') },
  ];

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
      {adding && <RegisterGateway takenNames={(targets.data?.rows ?? []).map((t) => t.name)} onDone={() => setAdding(false)} />}
      <ErrorMessage error={targets.error} />
      <DataTable
        columns={columns}
        rows={targets.data?.rows}
        rowKey={(t) => t.id}
        empty={<p>No gateway is registered in this environment yet.</p>}
      />
    </section>
  );
}
