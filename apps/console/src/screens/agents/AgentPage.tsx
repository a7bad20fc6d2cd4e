import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, call } from '../../api/client';
import type { Agent } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { useScope } from '../../session/useScope';
import { ConfirmButton } from '../../components/ConfirmButton';
import { formErrors } from '../../components/form-errors';
import { useMay } from '../../session/permissions';
import { AGENT_FIELDS, agentBody, type AgentDraft, AgentFields, draftOf } from './AgentFields';
import { agentsKey, useAgent } from './queries';
import { recognition } from './recognition';

/**
 * One agent: the MCP servers of this environment it is mapped to (with the tools it is limited
 * to), and, for holders of Configure Agents, editing its name and recognition rules or deleting
 * it (its mappings go with it).
 */
export function AgentPage() {
  const { orgId, envId } = useScope();
  const agentId = useParams().agentId!;
  const agent = useAgent(orgId, agentId);
  const mayConfigure = useMay('configure:agents');
  if (agent.error) return <ErrorMessage error={agent.error} />;
  if (!agent.data) return <p aria-busy="true">Loading…</p>;
  const a = agent.data;
  const here = a.backends.filter((b) => b.environmentId === envId);
  return (
    <section aria-labelledby="agent-title">
      <h1 id="agent-title">{a.name}</h1>
      <p className="muted">
        {a.predefined ? 'Predefined agent' : 'Custom agent'}, recognised by {recognition(a)}.
      </p>
      <h2>MCP servers mapped here</h2>
      {here.length === 0 ? (
        <p>None in this environment.</p>
      ) : (
        <ul>
          {here.map((b) => (
            <li key={b.apiId}>
              <Link to={`../access/${b.apiId}`} relative="path">
                {b.name}
              </Link>{' '}
              <span className="muted">{b.tools.length > 0 ? `tools ${b.tools.join(', ')}` : 'every tool'}</span>
            </li>
          ))}
        </ul>
      )}
      {mayConfigure && <EditAgent key={a.id} agent={a} />}
    </section>
  );
}

function EditAgent({ agent }: { agent: Agent }) {
  const { orgId } = useScope();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [draft, setDraft] = useState<AgentDraft>(draftOf(agent));
  const set = (change: Partial<AgentDraft>) => setDraft((d) => ({ ...d, ...change }));
  const path = { path: { orgId, agentId: agent.id } };
  const save = useMutation({
    mutationFn: () =>
      call<Agent>(
        api.PATCH('/mcpgateway/api/v1/organizations/{orgId}/agents/{agentId}', { params: path, body: agentBody(draft) }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: agentsKey(orgId) }),
  });
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/mcpgateway/api/v1/organizations/{orgId}/agents/{agentId}', { params: path })),
    onSuccess: async () => {
      // stale, not asked again now: this page's own read would answer 404; the next screen asks
      await queries.invalidateQueries({ queryKey: agentsKey(orgId), refetchType: 'none' });
      navigate('..', { relative: 'path' });
    },
  });
  const errors = formErrors(save.error, AGENT_FIELDS);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <>
      <h2>Edit</h2>
      <form onSubmit={onSubmit} noValidate className="panel" aria-label="Edit agent">
        <AgentFields draft={draft} set={set} errorAt={errors.at} />
        <ErrorMessage error={errors.general} />
        {save.isSuccess && <p role="status">Saved.</p>}
        <FormActions busy={save.isPending} submit="Save" />
      </form>
      <h2>Delete</h2>
      <p className="muted">Its mappings to MCP servers go with it.</p>
      <ConfirmButton label="Delete" what={agent.name} busy={remove.isPending} onConfirm={() => remove.mutate()} />
      <ErrorMessage error={remove.error} />
    </>
  );
}
