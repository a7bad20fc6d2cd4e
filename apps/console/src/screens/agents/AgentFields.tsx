import type { Agent } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { useApplications } from '../applications/queries';

/** An agent as its form edits it: lists one entry a line. */
export interface AgentDraft {
  name: string;
  description: string;
  clientIds: string;
  clientMetadataUrls: string;
  clientInfoNames: string;
  applicationIds: number[];
}

export const AGENT_FIELDS = ['name', 'description', 'clientIds', 'clientMetadataUrls', 'clientInfoNames', 'applicationIds'];

export const EMPTY_DRAFT: AgentDraft = {
  name: '',
  description: '',
  clientIds: '',
  clientMetadataUrls: '',
  clientInfoNames: '',
  applicationIds: [],
};

export function draftOf(agent: Agent): AgentDraft {
  return {
    name: agent.name,
    description: agent.description ?? '',
    clientIds: agent.clientIds.join('\n'),
    clientMetadataUrls: agent.clientMetadataUrls.join('\n'),
    clientInfoNames: agent.clientInfoNames.join('\n'),
    applicationIds: agent.applicationIds,
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** The create or update body of a draft. */
export function agentBody(draft: AgentDraft) {
  return {
    name: draft.name,
    description: draft.description || null,
    clientIds: lines(draft.clientIds),
    clientMetadataUrls: lines(draft.clientMetadataUrls),
    clientInfoNames: lines(draft.clientInfoNames),
    applicationIds: draft.applicationIds,
  };
}

const RULES: [keyof AgentDraft & ('clientIds' | 'clientMetadataUrls' | 'clientInfoNames'), string, string][] = [
  ['clientIds', 'Client ids', "OAuth client ids an authentication policy establishes (a token's client_id); one a line"],
  ['clientMetadataUrls', 'Client metadata URLs', 'https:// Client ID Metadata Document URLs; one a line'],
  [
    'clientInfoNames',
    'clientInfo names',
    'The name the client states at initialize; one a line. Self-asserted: a restriction resting on it alone is advisory.',
  ],
];

/**
 * The name, description and recognition rules of an agent (at least one rule: client ids, client
 * metadata URLs, client applications or clientInfo names), REST errors at the field they name.
 */
export function AgentFields(props: {
  draft: AgentDraft;
  set: (change: Partial<AgentDraft>) => void;
  errorAt: (field: string) => string | undefined;
}) {
  const { orgId } = useScope();
  const applications = useApplications(orgId);
  const { draft, set } = props;
  return (
    <>
      <Field label="Name" hint="Unique in the business group" error={props.errorAt('name')}>
        {(ids) => <input {...ids} value={draft.name} onChange={(e) => set({ name: e.target.value })} />}
      </Field>
      <Field label="Description" hint="Optional" error={props.errorAt('description')}>
        {(ids) => <input {...ids} value={draft.description} onChange={(e) => set({ description: e.target.value })} />}
      </Field>
      {RULES.map(([field, label, hint]) => (
        <Field key={field} label={label} hint={hint} error={props.errorAt(field)}>
          {(ids) => <textarea {...ids} rows={2} value={draft[field]} onChange={(e) => set({ [field]: e.target.value })} />}
        </Field>
      ))}
      <fieldset>
        <legend>Client applications</legend>
        <p className="hint">Their client ids recognise the agent too.</p>
        <ErrorMessage error={applications.error} />
        {applications.data?.length === 0 && <p className="muted">No client application in this business group.</p>}
        {(applications.data ?? []).map((app) => (
          <label key={app.id} className="choice">
            <input
              type="checkbox"
              checked={draft.applicationIds.includes(app.id)}
              onChange={(e) =>
                set({
                  applicationIds: e.target.checked
                    ? [...draft.applicationIds, app.id]
                    : draft.applicationIds.filter((id) => id !== app.id),
                })
              }
            />
            {app.name} <span className="muted">{app.clientId}</span>
          </label>
        ))}
        {props.errorAt('applicationIds') && <p className="field-error">{props.errorAt('applicationIds')}</p>}
      </fieldset>
    </>
  );
}
