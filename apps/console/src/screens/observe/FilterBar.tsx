/**
 * The filter form of the Logs screen, the traffic dashboard and the workflow graph: time range
 * (a preset or a custom from/to), MCP server, tool, agent, client id, User-Agent, user domain and DLP
 * outcome. Edits stay in the form until Apply, which writes them to the URL; Refresh re-reads the
 * views (a preset range then ends now). A custom range must start before it ends, said at the field.
 */
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { Field } from '../../components/Field';
import { RangeOptions } from './RangeOptions';
import { useScope } from '../../session/useScope';
import { useAgents } from '../agents/queries';
import { DEFAULT_RANGE, DLP_OUTCOMES, type DlpOutcome, type LogFilters, type RangeKey } from './log-filters';
import { InstanceOptions } from '../apis/InstanceOptions';
import { useMcpServers } from './mcp-servers';
import type { useLogFilters } from './useLogFilters';

/** The observability views that take these filters, for links carrying them. */
const VIEWS = [
  ['logs', 'Logs'],
  ['traffic', 'Traffic'],
  ['graph', 'Workflow graph'],
] as const;

/** The longest value the REST routes take for each text filter (analytics.dto.ts). */
const MAX_LENGTH = { tool: 1024, agent: 200, clientId: 256, userAgent: 256, userDomain: 256 } as const;

type Draft = Omit<LogFilters, 'from' | 'to'> & { from: string; to: string };

/** `2026-12-05T10:00:00.000Z` as a datetime-local input's value, in the browser's time zone. */
function localInput(iso: string): string {
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function draftOf(filters: LogFilters, anchor: { from: string; to: string }): Draft {
  return { ...filters, from: localInput(filters.from ?? anchor.from), to: localInput(filters.to ?? anchor.to) };
}

export function FilterBar({ view, state }: { view: (typeof VIEWS)[number][0]; state: ReturnType<typeof useLogFilters> }) {
  const { orgId, envId } = useScope();
  const { servers } = useMcpServers(orgId, envId);
  const agents = useAgents(orgId);
  const [draft, setDraft] = useState(() => draftOf(state.filters, state.query));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [applied, setApplied] = useState(state.filters);
  if (applied !== state.filters) {
    // the URL changed under the form (a link, Back): show what it holds now
    setApplied(state.filters);
    setDraft(draftOf(state.filters, state.query));
  }
  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const { from, to, ...rest } = draft;
    if (rest.range !== 'custom') {
      setErrors({});
      state.apply(rest);
      return;
    }
    const found: Record<string, string> = {};
    if (!from) found.from = 'Enter the start of the range';
    if (!to) found.to = 'Enter the end of the range';
    if (from && to && Date.parse(from) >= Date.parse(to)) found.from = 'The range must start before it ends';
    setErrors(found);
    if (Object.keys(found).length === 0)
      state.apply({ ...rest, from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  }

  function reset() {
    setErrors({});
    state.apply({ range: DEFAULT_RANGE });
  }

  const text = (key: keyof typeof MAX_LENGTH) => ({
    value: draft[key] ?? '',
    maxLength: MAX_LENGTH[key],
    onChange: (e: { target: { value: string } }) => set({ [key]: e.target.value.trim() ? e.target.value : undefined }),
  });

  return (
    <form className="filters" aria-label="Filters" onSubmit={submit}>
      <Field label="Time range">
        {(ids) => (
          <select {...ids} value={draft.range} onChange={(e) => set({ range: e.target.value as RangeKey })}>
            <RangeOptions />
            <option value="custom">Custom range</option>
          </select>
        )}
      </Field>
      {draft.range === 'custom' && (
        <>
          <Field label="From" error={errors.from}>
            {(ids) => <input {...ids} type="datetime-local" value={draft.from} onChange={(e) => set({ from: e.target.value })} />}
          </Field>
          <Field label="To" error={errors.to}>
            {(ids) => <input {...ids} type="datetime-local" value={draft.to} onChange={(e) => set({ to: e.target.value })} />}
          </Field>
        </>
      )}
      <Field label="MCP server">
        {(ids) => (
          <select {...ids} value={draft.apiId ?? ''} onChange={(e) => set({ apiId: e.target.value || undefined })}>
            <InstanceOptions instances={servers} none="All MCP servers" />
          </select>
        )}
      </Field>
      <Field label="Tool">{(ids) => <input {...ids} {...text('tool')} placeholder="Any tool" />}</Field>
      <Field label="Agent">
        {(ids) => (
          <>
            <input {...ids} {...text('agent')} list={`${ids.id}-agents`} placeholder="Any agent" />
            <datalist id={`${ids.id}-agents`}>
              {(agents.data?.agents ?? []).map((a) => (
                <option key={a.id} value={a.name} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <Field label="Client id">{(ids) => <input {...ids} {...text('clientId')} placeholder="Any application" />}</Field>
      <Field label="User-Agent contains">{(ids) => <input {...ids} {...text('userAgent')} placeholder="Any client" />}</Field>
      <Field label="User domain">{(ids) => <input {...ids} {...text('userDomain')} placeholder="Any domain" />}</Field>
      <Field label="DLP outcome">
        {(ids) => (
          <select
            {...ids}
            value={draft.dlp ?? ''}
            onChange={(e) => set({ dlp: (e.target.value || undefined) as DlpOutcome | undefined })}
          >
            <option value="">Any outcome</option>
            {Object.entries(DLP_OUTCOMES).map(([key, label]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="filter-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={reset}>
          Reset
        </button>
        <button type="button" onClick={state.refresh}>
          Refresh
        </button>
      </div>
      <p className="muted window">
        <span>
          {new Date(state.query.from).toLocaleString()} – {new Date(state.query.to).toLocaleString()}
        </span>
        <span>
          Same filters in:{' '}
          {VIEWS.filter(([path]) => path !== view).map(([path, label], i) => (
            <span key={path}>
              {i > 0 && ' · '}
              <Link to={`/organizations/${orgId}/environments/${envId}/${path}${state.search}`}>{label}</Link>
            </span>
          ))}
        </span>
      </p>
    </form>
  );
}
