import { Link } from 'react-router';
import type { McpBackend } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { MODE_LABELS } from './connection-modes';
import { EnabledSwitch } from './EnabledSwitch';
import { useMay } from '../../session/permissions';
import { useBackends } from './queries';
import './library.css';

const COLUMNS: Column<McpBackend>[] = [
  { header: 'MCP server', cell: (b) => <Link to={String(b.apiId)}>{b.name}</Link> },
  { header: 'Authentication', cell: (b) => MODE_LABELS[b.connection.mode] },
  {
    header: 'Gateway',
    cell: (b) =>
      b.deployment ? (
        <>
          {b.deployment.targetName} <span className="muted">{b.deployment.status ?? ''}</span>
        </>
      ) : (
        'Not deployed'
      ),
  },
  { header: 'Listener', cell: (b) => b.proxyUri ?? '—' },
  { header: 'State', cell: (b) => <EnabledSwitch backend={b} /> },
];

/**
 * The environment's MCP servers (seed 003's MCP backends): how the gateway authenticates to each,
 * where it is deployed, switched on or off; add a custom one or install one from the library.
 */
export function McpBackends() {
  const { orgId, envId } = useScope();
  const backends = useBackends(orgId, envId);
  const mayCreate = useMay('create:custom_mcp');
  return (
    <section aria-labelledby="backends-title">
      <div className="page-head">
        <h1 id="backends-title">MCP Servers</h1>
        <div className="head-actions">
          <Link to="../library" relative="path" className="button">
            Install from the library
          </Link>
          {mayCreate && (
            <Link to="new" className="button primary">
              Add custom MCP
            </Link>
          )}
        </div>
      </div>
      <ErrorMessage error={backends.error} />
      <DataTable
        columns={COLUMNS}
        rows={backends.data?.backends}
        rowKey={(b) => b.apiId}
        empty={<p>No MCP server in this environment yet.</p>}
      />
    </section>
  );
}
