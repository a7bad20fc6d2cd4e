import { useQueries } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Agent, McpBackend } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { useMay } from '../../session/permissions';
import { useBackends } from '../library/queries';
import { AccessSummary } from './AccessSummary';
import { mappingKey, mappingOf, useAgents } from './queries';
import { recognition } from './recognition';

/**
 * Agents (seed 003): the organization's MCP clients, predefined or custom, with how the gateway
 * recognises each and the MCP servers of this environment it is mapped to; then access control,
 * which agents may use each MCP server of the environment.
 */
export function Agents() {
  const { orgId, envId } = useScope();
  const agents = useAgents(orgId);
  const mayConfigure = useMay('configure:agents');
  const columns: Column<Agent>[] = [
    {
      header: 'Agent',
      cell: (a) => (
        <>
          <Link to={a.id}>{a.name}</Link>
          {a.description && (
            <>
              <br />
              <span className="muted">{a.description}</span>
            </>
          )}
        </>
      ),
    },
    { header: 'Kind', cell: (a) => (a.predefined ? 'Predefined' : 'Custom') },
    { header: 'Recognised by', cell: recognition },
    {
      header: 'MCP servers here',
      cell: (a) =>
        a.backends
          .filter((b) => b.environmentId === envId)
          .map((b) => b.name)
          .join(', ') || '—',
    },
  ];
  return (
    <section aria-labelledby="agents-title">
      <div className="page-head">
        <h1 id="agents-title">Agents</h1>
        {mayConfigure && (
          <Link to="new" className="button primary">
            Add agent
          </Link>
        )}
      </div>
      <ErrorMessage error={agents.error} />
      <DataTable
        columns={columns}
        rows={agents.data?.agents}
        rowKey={(a) => a.id}
        empty={<p>No agent yet: add one of the predefined agents or your own.</p>}
        label="Agents"
      />
      <AccessControl />
    </section>
  );
}

/** Every MCP server of the environment with who may use it, and the way to change that. */
function AccessControl() {
  const { orgId, envId } = useScope();
  const backends = useBackends(orgId, envId);
  const rows = backends.data?.backends ?? [];
  const mappings = useQueries({
    queries: rows.map((b) => ({
      queryKey: mappingKey(orgId, envId, String(b.apiId)),
      queryFn: () => mappingOf(orgId, envId, String(b.apiId)),
    })),
  });
  const columns: Column<McpBackend>[] = [
    { header: 'MCP server', cell: (b) => b.name },
    {
      header: 'Who may use it',
      cell: (_, i) => (
        <>
          {mappings[i]?.data && <AccessSummary mapping={mappings[i].data} />}
          <ErrorMessage error={mappings[i]?.error} />
        </>
      ),
    },
    {
      header: 'Action',
      cell: (b) => (
        <Link to={`access/${b.apiId}`} aria-label={`Configure agent access to ${b.name}`}>
          Configure
        </Link>
      ),
    },
  ];
  return (
    <>
      <h2>Access control</h2>
      <ErrorMessage error={backends.error} />
      <DataTable
        columns={columns}
        rows={backends.data?.backends}
        rowKey={(b) => b.apiId}
        empty={<p>No MCP server in this environment yet.</p>}
        label="Access control"
      />
    </>
  );
}
