import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { api } from '../api/client';
import { rememberScope } from '../session/last-scope';
import { environmentsOf, useEnvironments, useMe } from '../session/queries';
import { session } from '../session/session';
import { useScope } from '../session/useScope';

const SECTIONS = [
  ['apis', 'API Administration'],
  ['gateways', 'Gateways'],
  ['logs', 'Logs'],
  ['traffic', 'Traffic'],
  ['graph', 'Workflow graph'],
  ['inventory', 'AI inventory'],
  ['applications', 'Client applications'],
  ['api-keys', 'API keys'],
  ['mcp-backends', 'MCP Servers'],
  ['library', 'MCP Library'],
  ['agents', 'Agents'],
] as const;

/** Header (business group and environment switchers, sign-out), navigation, and the page. */
export function Shell() {
  const { orgId, envId } = useScope();
  const navigate = useNavigate();
  const me = useMe();
  const environments = useEnvironments(orgId);
  const queries = useQueryClient();
  useEffect(() => rememberScope(orgId, envId), [orgId, envId]);

  async function switchOrganization(id: string) {
    const envs = await queries.fetchQuery({ queryKey: ['environments', id], queryFn: () => environmentsOf(id) });
    const env = envs.data.find((e) => !e.isProduction) ?? envs.data[0];
    if (env) navigate(`/organizations/${id}/environments/${env.id}/apis`);
  }

  async function signOut() {
    await api.POST('/accounts/api/logout').catch(() => undefined);
    session.expire();
  }

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Portico</span>
        <label>
          Business group
          <select value={orgId} onChange={(e) => void switchOrganization(e.target.value)}>
            {(me.data?.user.memberOfOrganizations ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Environment
          <select value={envId} onChange={(e) => navigate(`/organizations/${orgId}/environments/${e.target.value}/apis`)}>
            {(environments.data?.data ?? []).map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <span className="user">{me.data?.user.username}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Sections">
        {SECTIONS.map(([path, label]) => (
          <NavLink key={path} to={`/organizations/${orgId}/environments/${envId}/${path}`}>
            {label}
          </NavLink>
        ))}
      </nav>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
