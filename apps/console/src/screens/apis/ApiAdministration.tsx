import { Link } from 'react-router';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import type { ApiInstance } from '../../api/resources';
import { instanceName, useApiInstances } from './queries';

const COLUMNS: Column<ApiInstance>[] = [
  { header: 'Instance', cell: (api) => <Link to={String(api.id)}>{instanceName(api)}</Link> },
  { header: 'Asset', cell: (api) => `${api.assetId} ${api.assetVersion}` },
  { header: 'Type', cell: (api) => api.endpoint.type ?? '—' },
  { header: 'Status', cell: (api) => api.status },
  { header: 'Gateway', cell: (api) => api.deployment?.targetName ?? 'Not deployed' },
  { header: 'Listener', cell: (api) => api.endpoint.proxyUri ?? '—' },
];

/** API Administration: the environment's instances, and Add → Protect MCP server. */
export function ApiAdministration() {
  const { orgId, envId } = useScope();
  const instances = useApiInstances(orgId, envId);
  return (
    <section aria-labelledby="apis-title">
      <div className="page-head">
        <h1 id="apis-title">API Administration</h1>
        <details className="menu">
          <summary className="button primary">Add</summary>
          <ul>
            <li>
              <Link to="new/mcp">Protect MCP server</Link>
            </li>
          </ul>
        </details>
      </div>
      <ErrorMessage error={instances.error} />
      <DataTable
        columns={COLUMNS}
        rows={instances.data}
        rowKey={(api) => api.id}
        empty={<p>No API instance in this environment yet.</p>}
      />
    </section>
  );
}
