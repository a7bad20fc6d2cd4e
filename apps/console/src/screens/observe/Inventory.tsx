/**
 * The AI inventory (seed 003 "Review MCP servers from AI Inventory with tools, scopes, DLP action,
 * status, and activity context"): each MCP server of the environment with the tools gateways saw
 * it list (and which clients get), the scopes and authentication its policies require, its DLP
 * action, its deployment and replica status, and its calls, errors, agents and users in the
 * activity window, linking to those calls in Logs. Search, window (`span`) and page live in the URL; the
 * server pages the list.
 */
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { InventoryServer } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { RangeOptions } from './RangeOptions';
import { useScope } from '../../session/useScope';
import { formatCount, formatTime, plural } from '../../components/format';
import { filtersToParams, type PresetRange, presetWindow, RANGES } from './log-filters';
import { useInventory } from './queries';
import './observe.css';

const PAGE_SIZE = 50;
const DEFAULT_SPAN: PresetRange = '24h';

const isSpan = (value: string | null): value is PresetRange => value !== null && value in RANGES;

export function Inventory() {
  const { orgId, envId } = useScope();
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const span = isSpan(params.get('span')) ? (params.get('span') as PresetRange) : DEFAULT_SPAN;
  const page = Math.max(0, Number(params.get('page')) || 0);
  const [anchor, setAnchor] = useState(Date.now);
  const inventory = useInventory(orgId, envId, {
    ...presetWindow(span, anchor),
    ...(search && { search }),
    offset: page * PAGE_SIZE,
    limit: PAGE_SIZE,
  });

  const go = (next: { search: string; span: PresetRange; page: number }) => {
    const query = new URLSearchParams();
    if (next.search.trim()) query.set('search', next.search.trim());
    if (next.span !== DEFAULT_SPAN) query.set('span', next.span);
    if (next.page > 0) query.set('page', String(next.page));
    setParams(query);
  };
  const total = inventory.data?.total ?? 0;

  return (
    <section aria-labelledby="inventory-title" className="observe">
      <h1 id="inventory-title">AI inventory</h1>
      <InventorySearch
        key={`${search}\n${span}`}
        search={search}
        span={span}
        onSearch={(next) => {
          setAnchor(Date.now());
          go({ ...next, page: 0 });
        }}
      />
      <ErrorMessage error={inventory.error} />
      <p className="count" aria-live="polite">
        {inventory.isPending ? 'Reading the inventory…' : plural(total, 'MCP server')}
      </p>
      <DataTable
        columns={serverColumns(span, `/organizations/${orgId}/environments/${envId}`)}
        rows={inventory.data?.data}
        rowKey={(server) => server.apiId}
        className="inventory"
      />
      {total > PAGE_SIZE && (
        <nav className="pager" aria-label="Inventory pages">
          <span>
            {page * PAGE_SIZE + 1}–{Math.min(total, (page + 1) * PAGE_SIZE)} of {formatCount(total)}
          </span>
          <button type="button" disabled={page === 0} onClick={() => go({ search, span, page: page - 1 })}>
            Previous
          </button>
          <button type="button" disabled={(page + 1) * PAGE_SIZE >= total} onClick={() => go({ search, span, page: page + 1 })}>
            Next
          </button>
        </nav>
      )}
    </section>
  );
}

/** The search and window form, showing what the URL holds until edited (remounted when the URL changes). */
function InventorySearch(props: {
  search: string;
  span: PresetRange;
  onSearch: (next: { search: string; span: PresetRange }) => void;
}) {
  const [draft, setDraft] = useState({ search: props.search, span: props.span });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSearch(draft);
  };
  return (
    <form className="inventory-filters" aria-label="Search the inventory" onSubmit={submit}>
      <Field label="Search" hint="Server, asset or tool name">
        {(ids) => (
          <input
            {...ids}
            type="search"
            maxLength={256}
            value={draft.search}
            onChange={(e) => setDraft({ ...draft, search: e.target.value })}
          />
        )}
      </Field>
      <Field label="Activity window">
        {(ids) => (
          <select {...ids} value={draft.span} onChange={(e) => setDraft({ ...draft, span: e.target.value as PresetRange })}>
            <RangeOptions />
          </select>
        )}
      </Field>
      <div className="filter-actions">
        <button type="submit" className="primary">
          Search
        </button>
      </div>
    </form>
  );
}

const DEPLOYMENT_BADGE = { applied: 'ok', applying: 'warn', failed: 'bad', undeployed: 'warn', none: 'warn' } as const;

/** The inventory's columns, its links within the environment at `environment`. */
function serverColumns(span: PresetRange, environment: string): Column<InventoryServer>[] {
  return [
    {
      header: 'MCP server',
      cell: (server) => (
        <>
          <Link to={`${environment}/apis/${server.apiId}`}>{server.name}</Link>
          <p className="muted">
            {server.asset.assetId} {server.asset.version}
          </p>
          {server.upstreams.map((u) => (
            <p key={u.uri} className="muted">
              {u.name && `${u.name}: `}
              {u.uri}
            </p>
          ))}
        </>
      ),
    },
    {
      header: 'Status',
      cell: (server) => {
        const d = server.deployment;
        return (
          <>
            <span className={`badge ${d ? DEPLOYMENT_BADGE[d.state] : 'warn'}`}>{d ? d.state : 'not deployed'}</span>
            {!server.enabled && <span className="badge bad">switched off</span>}
            {d && (
              <p className="muted">
                {d.targetName}: {d.replicasUpToDate}/{d.replicas} replicas up to date
              </p>
            )}
            {d?.errorMessage && <p className="error">{d.errorMessage}</p>}
          </>
        );
      },
    },
    {
      header: 'Tools',
      cell: (server) => {
        const listed = server.tools.filter((t) => t.listed);
        return listed.length === 0 ? (
          <span className="muted">No tool seen yet</span>
        ) : (
          <details>
            <summary>
              {plural(server.toolCount, 'tool')}, {listed.filter((t) => t.enabled).length} offered
            </summary>
            <ul>
              {listed.map((t) => (
                <li key={`${t.upstreamName} ${t.name}`} title={t.description ?? undefined}>
                  {t.upstreamName && `${t.upstreamName}: `}
                  {t.name}
                  {t.exposedName && t.exposedName !== t.name && ` (offered as ${t.exposedName})`}
                  {!t.enabled && ` — hidden${t.hiddenBy ? ` by ${t.hiddenBy.policyType}` : ''}`}
                </li>
              ))}
            </ul>
          </details>
        );
      },
    },
    {
      header: 'Authentication and scopes',
      cell: (server) => {
        const { scopes } = server;
        return (
          <>
            <p>{server.authentication.length ? server.authentication.join(', ') : 'No authentication'}</p>
            {scopes.required.length > 0 && (
              <p className="muted">
                Scopes ({scopes.criteria === 'OR' ? 'any of' : 'all of'}): {scopes.required.join(' ')}
              </p>
            )}
          </>
        );
      },
    },
    {
      header: 'DLP action',
      cell: (server) => {
        const { dlp } = server;
        return (
          <>
            <span className={`badge ${dlp.action === 'none' ? 'warn' : 'ok'}`}>{dlp.action}</span>
            {(['requests', 'responses'] as const).map(
              (direction) =>
                dlp[direction] && (
                  <p key={direction} className="muted">
                    {direction}: {dlp[direction].action}
                    {dlp[direction].mode === 'shadow' && ' (shadow)'}
                  </p>
                ),
            )}
          </>
        );
      },
    },
    {
      header: `Activity (${RANGES[span][0].toLowerCase()})`,
      cell: (server) => {
        const { activity } = server;
        return (
          <>
            <p>
              {plural(activity.calls, 'call')}, {plural(activity.errors, 'error')}
            </p>
            <p className="muted">
              {plural(activity.agents, 'agent')}, {plural(activity.users, 'user')}
              {activity.lastCallAt && `; last call ${formatTime(activity.lastCallAt)}`}
            </p>
            <Link
              to={`${environment}/logs?${filtersToParams({ range: span, apiId: String(server.apiId) })}`}
              aria-label={`Calls of ${server.name} in Logs`}
            >
              Logs
            </Link>
          </>
        );
      },
    },
  ];
}
