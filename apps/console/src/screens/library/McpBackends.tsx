import { Link } from 'react-router';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { MODE_LABELS } from './connection-modes';
import { EnabledSwitch } from './EnabledSwitch';
import { useMay } from '../../session/permissions';
import { useBackends } from './queries';
import './library.css';

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
      {backends.data?.backends.length === 0 && <p>No MCP server in this environment yet.</p>}
      {backends.data && backends.data.backends.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">MCP server</th>
              <th scope="col">Authentication</th>
              <th scope="col">Gateway</th>
              <th scope="col">Listener</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {backends.data.backends.map((b) => (
              <tr key={b.apiId}>
                <td>
                  <Link to={String(b.apiId)}>{b.name}</Link>
                </td>
                <td>{MODE_LABELS[b.connection.mode]}</td>
                <td>
                  {b.deployment ? (
                    <>
                      {b.deployment.targetName} <span className="muted">{b.deployment.status ?? ''}</span>
                    </>
                  ) : (
                    'Not deployed'
                  )}
                </td>
                <td>{b.proxyUri ?? '—'}</td>
                <td>
                  <EnabledSwitch backend={b} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
