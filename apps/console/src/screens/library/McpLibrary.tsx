import { useState } from 'react';
import { Link } from 'react-router';
import type { LibraryEntry } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { useMay } from '../../session/permissions';
import { useLibrary } from './queries';
import './library.css';

const titleOf = (entry: LibraryEntry) => entry.title ?? entry.name;

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
  const columns: Column<LibraryEntry>[] = [
    {
      header: 'MCP server',
      cell: (entry) => (
        <>
          <span className="choice-name">{titleOf(entry)}</span>
          <br />
          <span className="muted">
            {entry.name} {entry.version}
          </span>
        </>
      ),
    },
    { header: 'Description', cell: (entry) => entry.description },
    { header: 'Source', cell: (entry) => (entry.source === 'portico' ? 'Curated' : 'Your organization') },
    {
      header: 'Action',
      cell: (entry) =>
        entry.installable ? (
          <Link to={`${entry.id}/install`} className="button" aria-label={`${action} ${titleOf(entry)}`}>
            {action}
          </Link>
        ) : (
          <span className="muted">Runs locally only: no remote a gateway can front</span>
        ),
    },
  ];
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
      <DataTable
        columns={columns}
        rows={library.data?.data}
        rowKey={(entry) => entry.id}
        empty={<p>No MCP server in the library matches.</p>}
      />
      {library.data && library.data.total > library.data.data.length && (
        <p className="muted">
          Showing {library.data.data.length} of {library.data.total}: search to find the others.
        </p>
      )}
    </section>
  );
}
