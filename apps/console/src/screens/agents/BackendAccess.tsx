import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../api/client';
import type { Agent, AgentMapping } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { useScope } from '../../session/useScope';
import { formErrors } from '../../components/form-errors';
import { useMay } from '../../session/permissions';
import { useBackend } from '../library/queries';
import { useTools } from '../tools/queries';
import { agentsKey, useAgentMapping, useAgents } from './queries';

/** One agent's row of the mapping: mapped or not, and the tools it is limited to (comma-separated). */
interface Row {
  mapped: boolean;
  tools: string;
}

const toolList = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/**
 * Access control of one MCP server (seed 003): whether only the agents mapped to it may use it
 * (others get 403 AGENT_NOT_ALLOWED at the gateway), which agents are mapped, and the tools each
 * is limited to. Holders of Configure Agents change it; others read it.
 */
export function BackendAccess() {
  const { orgId, envId } = useScope();
  const apiId = useParams().apiId!;
  const backend = useBackend(orgId, envId, apiId);
  const mapping = useAgentMapping(orgId, envId, apiId);
  const agents = useAgents(orgId);
  const error = backend.error ?? mapping.error ?? agents.error;
  if (error) return <ErrorMessage error={error} />;
  if (!backend.data || !mapping.data || !agents.data) return <p aria-busy="true">Loading…</p>;
  return (
    <section aria-labelledby="access-title">
      <h1 id="access-title">Agent access: {backend.data.name}</h1>
      <p>
        <Link to={`/organizations/${orgId}/environments/${envId}/mcp-backends/${apiId}`}>Open the MCP server</Link>
      </p>
      {agents.data.agents.length === 0 ? (
        <p>
          No agent yet:{' '}
          <Link to="../../new" relative="path">
            add one
          </Link>{' '}
          first.
        </p>
      ) : (
        <MappingForm key={apiId} apiId={apiId} mapping={mapping.data} agents={agents.data.agents} />
      )}
    </section>
  );
}

function MappingForm(props: { apiId: string; mapping: AgentMapping; agents: Agent[] }) {
  const { orgId, envId } = useScope();
  const queries = useQueryClient();
  const mayConfigure = useMay('configure:agents');
  const tools = useTools(orgId, envId, props.apiId);
  const [restricted, setRestricted] = useState(props.mapping.restricted);
  const [rows, setRows] = useState<Record<string, Row>>(() =>
    Object.fromEntries(
      props.agents.map((a) => {
        const mapped = props.mapping.agents.find((m) => m.agentId === a.id);
        return [a.id, { mapped: mapped !== undefined, tools: mapped?.tools.join(', ') ?? '' }];
      }),
    ),
  );
  const setRow = (agentId: string, change: Partial<Row>) => setRows((r) => ({ ...r, [agentId]: { ...r[agentId]!, ...change } }));
  const mapped = props.agents.filter((a) => rows[a.id]?.mapped);

  const save = useMutation({
    mutationFn: () =>
      call<AgentMapping>(
        api.PUT('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/backends/{apiId}/agents', {
          params: { path: { orgId, envId, apiId: props.apiId } },
          body: { restricted, agents: mapped.map((a) => ({ agentId: a.id, tools: toolList(rows[a.id]?.tools ?? '') })) },
        }),
      ),
    // the agents and every mapping (this one included) are read again
    onSuccess: () => queries.invalidateQueries({ queryKey: agentsKey(orgId) }),
  });
  const errors = formErrors(save.error, ['restricted', 'agents']);
  /** The REST error about an agent's row: `agents.<index in the body>…`. */
  const rowError = (agentId: string) => {
    const index = mapped.findIndex((a) => a.id === agentId);
    return index < 0 ? undefined : errors.at(`agents.${index}`);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const known = (tools.data?.tools ?? []).map((t) => t.exposedName ?? t.name);
  // an agent added since the form opened starts unmapped
  const rowOf = (agentId: string) => rows[agentId] ?? { mapped: false, tools: '' };
  const columns: Column<Agent>[] = [
    { header: 'Agent', rowHeader: true, cell: (a) => a.name },
    {
      header: 'Mapped',
      cell: (a) => (
        <input
          type="checkbox"
          aria-label={`Map ${a.name}`}
          checked={rowOf(a.id).mapped}
          onChange={(e) => setRow(a.id, { mapped: e.target.checked })}
        />
      ),
    },
    {
      header: 'Limited to tools',
      cell: (a) => {
        const problem = rowError(a.id);
        return (
          <>
            <input
              aria-label={`Tools for ${a.name}`}
              aria-invalid={problem ? true : undefined}
              placeholder="Every tool"
              disabled={!rowOf(a.id).mapped}
              value={rowOf(a.id).tools}
              onChange={(e) => setRow(a.id, { tools: e.target.value })}
            />
            {problem && <p className="field-error">{problem}</p>}
          </>
        );
      },
    },
  ];

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Agent access">
      <fieldset disabled={!mayConfigure}>
        <legend>Who may use it</legend>
        {!mayConfigure && <p className="hint">You need the Configure Agents permission to change this.</p>}
        <label className="choice">
          <input type="checkbox" checked={restricted} onChange={(e) => setRestricted(e.target.checked)} />
          Only the agents mapped below may use this MCP server
        </label>
        <p className="hint">
          Others, and clients recognised as no agent, get 403 at the gateway. Agents recognised only by their clientInfo name
          state it themselves: for enforcement, recognise them by client id behind an authentication policy.
        </p>
        {errors.at('restricted') && <p className="field-error">{errors.at('restricted')}</p>}
        <DataTable columns={columns} rows={props.agents} rowKey={(a) => a.id} label="Mapped agents" />
        <p className="hint">
          Tools separated by commas; empty: every tool. A limit applies to the requests that name the agent (its client id, or a
          clientInfo name stated on each request).{' '}
          {known.length > 0 ? `Its server lists: ${known.join(', ')}.` : 'No client has listed its tools through a gateway yet.'}
        </p>
      </fieldset>
      <ErrorMessage error={errors.general} />
      {save.isSuccess && <p role="status">Saved: the gateways enforce it with the next push.</p>}
      {mayConfigure && <FormActions busy={save.isPending} submit="Save access" />}
    </form>
  );
}
