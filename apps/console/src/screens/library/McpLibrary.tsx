import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { useMay } from '../../session/permissions';
import { useLibrary } from './queries';
import './library.css';

/**
 * The MCP library (seed 003): curated servers and the organization's own, searchable. Each
 * installable entry offers "Install" to holders of Install Library MCP and "Request install"
 * to everyone else; requests and their decisions are one link away.
 */
export function McpLibrary() {
  const { orgId } = useScope();
  const [search, setSearch] = useState('');
  const library = useLibrary(orgId, search);
  const mayInstall = useMay('install:mcp_library');
  const action = mayInstall ? 'Install' : 'Request install';
  return (
    <section aria-labelledby="library-title">
      <div className="page-head">
        <h1 id="library-title">MCP Library</h1>
        <Link to="requests" className="button">
          Install requests
        </Link>
      </div>
      <div className="filters">
        <Field label="Search" hint="Part of the server's name, title or description">
          {(ids) => <input type="search" {...ids} value={search} onChange={(e) => setSearch(e.target.value)} />}
        </Field>
      </div>
      <ErrorMessage error={library.error} />
      {library.data && library.data.data.length === 0 && <p>No MCP server in the library matches.</p>}
      {library.data && library.data.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">MCP server</th>
              <th scope="col">Description</th>
              <th scope="col">Source</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {library.data.data.map((entry) => {
              const title = entry.title ?? entry.name;
              return (
                <tr key={entry.id}>
                  <td>
                    <span className="choice-name">{title}</span>
                    <br />
                    <span className="muted">
                      {entry.name} {entry.version}
                    </span>
                  </td>
                  <td>{entry.description}</td>
                  <td>{entry.source === 'portico' ? 'Curated' : 'Your organization'}</td>
                  <td>
                    {entry.installable ? (
                      <Link to={`${entry.id}/install`} className="button" aria-label={`${action} ${title}`}>
                        {action}
                      </Link>
                    ) : (
                      <span className="muted">Runs locally only: no remote a gateway can front</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {library.data && library.data.total > library.data.data.length && (
        <p className="muted">
          Showing {library.data.data.length} of {library.data.total}: search to find the others.
        </p>
      )}
    </section>
  );
}
