import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { operations } from '../../api/generated/schema';
import type { Agent } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { formErrors } from '../../components/form-errors';
import { AGENT_FIELDS, agentBody, type AgentDraft, AgentFields, EMPTY_DRAFT } from './AgentFields';
import { agentsKey, usePredefinedAgents } from './queries';

type PredefinedKey = NonNullable<
  operations['AgentsController_create']['requestBody']['content']['application/json']['predefined']
>;

/**
 * Add an agent: one of the predefined MCP clients Portico ships (recognised as Portico knows
 * them, optionally under another name), or a custom one with its own recognition rules.
 */
export function AddAgent() {
  const { orgId } = useScope();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const predefined = usePredefinedAgents(orgId);
  const [kind, setKind] = useState<'predefined' | 'custom'>('predefined');
  const [key, setKey] = useState('');
  const [draft, setDraft] = useState<AgentDraft>(EMPTY_DRAFT);
  const set = (change: Partial<AgentDraft>) => setDraft((d) => ({ ...d, ...change }));
  const chosen = predefined.data?.agents.find((a) => a.key === key);

  const create = useMutation({
    mutationFn: () =>
      call<Agent>(
        api.POST('/mcpgateway/api/v1/organizations/{orgId}/agents', {
          params: { path: { orgId } },
          body:
            kind === 'predefined'
              ? { predefined: key as PredefinedKey, ...(draft.name && { name: draft.name }) }
              : agentBody(draft),
        }),
      ),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: agentsKey(orgId) });
      navigate('..', { relative: 'path' });
    },
  });
  const errors = formErrors(create.error, ['predefined', ...AGENT_FIELDS]);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <section aria-labelledby="add-agent-title" className="wizard">
      <h1 id="add-agent-title">Add agent</h1>
      <form onSubmit={onSubmit} noValidate>
        <fieldset>
          <legend>Kind</legend>
          <label className="choice">
            <input type="radio" name="kind" checked={kind === 'predefined'} onChange={() => setKind('predefined')} />
            Predefined agent
          </label>
          <label className="choice">
            <input type="radio" name="kind" checked={kind === 'custom'} onChange={() => setKind('custom')} />
            Custom agent
          </label>
        </fieldset>
        <fieldset>
          <legend>{kind === 'predefined' ? 'Predefined agent' : 'Custom agent'}</legend>
          {kind === 'predefined' ? (
            <>
              <ErrorMessage error={predefined.error} />
              <Field label="Agent" error={errors.at('predefined')}>
                {(ids) => (
                  <select {...ids} value={key} onChange={(e) => setKey(e.target.value)}>
                    <option value="">Select an agent…</option>
                    {(predefined.data?.agents ?? []).map((a) => (
                      <option key={a.key} value={a.key}>
                        {a.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {chosen && (
                <p className="muted">
                  {chosen.description} Recognised by{' '}
                  {[...chosen.clientMetadataUrls, ...chosen.clientInfoNames.map((n) => `clientInfo name ${n}`)].join(', ')}.
                </p>
              )}
              <Field label="Name" hint="Optional; default: the agent's own name" error={errors.at('name')}>
                {(ids) => <input {...ids} value={draft.name} onChange={(e) => set({ name: e.target.value })} />}
              </Field>
            </>
          ) : (
            <AgentFields draft={draft} set={set} errorAt={errors.at} />
          )}
        </fieldset>
        <ErrorMessage error={errors.general} />
        <FormActions cancelTo=".." busy={create.isPending} submit="Add agent" />
      </form>
    </section>
  );
}
