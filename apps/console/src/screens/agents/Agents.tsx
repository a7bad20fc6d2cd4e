import { useQueries } from '@tanstack/react-query';
import { Link } from 'react-router';
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
      {agents.data?.agents.length === 0 && <p>No agent yet: add one of the predefined agents or your own.</p>}
      {agents.data && agents.data.agents.length > 0 && (
        <table aria-label="Agents">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Kind</th>
              <th scope="col">Recognised by</th>
              <th scope="col">MCP servers here</th>
            </tr>
          </thead>
          <tbody>
            {agents.data.agents.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link to={a.id}>{a.name}</Link>
                  {a.description && (
                    <>
                      <br />
                      <span className="muted">{a.description}</span>
                    </>
                  )}
                </td>
                <td>{a.predefined ? 'Predefined' : 'Custom'}</td>
                <td>{recognition(a)}</td>
                <td>
                  {a.backends
                    .filter((b) => b.environmentId === envId)
                    .map((b) => b.name)
                    .join(', ') || '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
  return (
    <>
      <h2>Access control</h2>
      <ErrorMessage error={backends.error} />
      {backends.data && rows.length === 0 && <p>No MCP server in this environment yet.</p>}
      {rows.length > 0 && (
        <table aria-label="Access control">
          <thead>
            <tr>
              <th scope="col">MCP server</th>
              <th scope="col">Who may use it</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b, i) => {
              const mapping = mappings[i];
              return (
                <tr key={b.apiId}>
                  <td>{b.name}</td>
                  <td>
                    {mapping?.data && <AccessSummary mapping={mapping.data} />}
                    <ErrorMessage error={mapping?.error} />
                  </td>
                  <td>
                    <Link to={`access/${b.apiId}`} aria-label={`Configure agent access to ${b.name}`}>
                      Configure
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
