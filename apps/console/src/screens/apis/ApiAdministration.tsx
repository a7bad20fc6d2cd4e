import { Link } from 'react-router';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { instanceName, useApiInstances } from './queries';

/** API Administration: the environment's instances, and Add → Protect MCP server. */
export function ApiAdministration() {
  const { orgId, envId } = useScope();
  const instances = useApiInstances(orgId, envId);
  const rows = instances.data ?? [];
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
      {instances.data && rows.length === 0 && <p>No API instance in this environment yet.</p>}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Instance</th>
              <th scope="col">Asset</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Gateway</th>
              <th scope="col">Listener</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((api) => (
              <tr key={api.id}>
                <td>
                  <Link to={String(api.id)}>{instanceName(api)}</Link>
                </td>
                <td>
                  {api.assetId} {api.assetVersion}
                </td>
                <td>{api.endpoint.type ?? '—'}</td>
                <td>{api.status}</td>
                <td>{api.deployment?.targetName ?? 'Not deployed'}</td>
                <td>{api.endpoint.proxyUri ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
