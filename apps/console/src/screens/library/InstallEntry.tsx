import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, call } from '../../api/client';
import type { InstallRequest, InstalledBackend, LibraryEntry, LibraryInput } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { formErrors } from '../../components/form-errors';
import { GatewaySelect } from './GatewaySelect';
import { useMay } from '../../session/permissions';
import { useMe } from '../../session/queries';
import { requestsKey, useLibraryEntry } from './queries';
import { apisKey } from '../apis/queries';

/** An input's key in the install body and in REST errors: `variables.baseUrl`, `headers.Authorization`. */
const keyOf = (input: LibraryInput) => `${input.in}s.${input.name}`;

interface Choices {
  targetId: string;
  instanceLabel: string;
  proxyUri: string;
  reason: string;
  inputs: Record<string, string>;
}

/** The install body: what was filled in, nothing empty (the REST API applies its defaults). */
function installBody(entry: LibraryEntry, choices: Choices) {
  const given = (where: LibraryInput['in']) =>
    Object.fromEntries(
      entry.inputs.filter((i) => i.in === where && choices.inputs[keyOf(i)]).map((i) => [i.name, choices.inputs[keyOf(i)]!]),
    );
  return {
    entryId: entry.id,
    targetId: choices.targetId,
    ...(choices.instanceLabel && { instanceLabel: choices.instanceLabel }),
    ...(choices.proxyUri && { proxyUri: choices.proxyUri }),
    variables: given('variable'),
    headers: given('header'),
  };
}

/**
 * Install a library entry, or, without Install Library MCP, request its install: the gateway,
 * the entry's inputs (secrets never shown again), an optional label and listener, and for a
 * request the reason the approver reads. REST errors land at the field they name.
 */
export function InstallEntry() {
  const { orgId, envId } = useScope();
  const entryId = useParams().entryId!;
  const entry = useLibraryEntry(orgId, entryId);
  const me = useMe();
  const mayInstall = useMay('install:mcp_library');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [choices, setChoices] = useState<Choices>({ targetId: '', instanceLabel: '', proxyUri: '', reason: '', inputs: {} });
  const set = (change: Partial<Choices>) => setChoices((c) => ({ ...c, ...change }));
  const environment = `/organizations/${orgId}/environments/${envId}`;

  const submit = useMutation({
    mutationFn: async (body: ReturnType<typeof installBody>) => {
      const path = { path: { orgId, envId } };
      if (mayInstall) {
        const made = await call<InstalledBackend>(
          api.POST('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/installs', { params: path, body }),
        );
        return `${environment}/mcp-backends/${made.apiId}`;
      }
      await call<InstallRequest>(
        api.POST('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/install-requests', {
          params: path,
          body: { ...body, reason: choices.reason },
        }),
      );
      return `${environment}/library/requests`;
    },
    onSuccess: async (next) => {
      await queries.invalidateQueries({ queryKey: mayInstall ? apisKey(orgId, envId) : requestsKey(orgId, envId) });
      navigate(next);
    },
  });

  if (entry.error) return <ErrorMessage error={entry.error} />;
  // until /me answers, whether this installs or requests is not known
  if (!entry.data || !me.data) return <p aria-busy="true">Loading…</p>;
  const server = entry.data;
  const title = server.title ?? server.name;
  const errors = formErrors(submit.error, ['targetId', 'instanceLabel', 'proxyUri', 'reason', ...server.inputs.map(keyOf)]);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate(installBody(server, choices));
  };

  return (
    <section aria-labelledby="install-title" className="wizard">
      <h1 id="install-title">{mayInstall ? `Install ${title}` : `Request install of ${title}`}</h1>
      <p className="muted">
        {server.description} ({server.name} {server.version})
      </p>
      {!mayInstall && (
        <p>You do not have the Install Library MCP permission here: an approver installs it for you, or says why not.</p>
      )}
      <form onSubmit={onSubmit} noValidate>
        <fieldset>
          <legend>Where</legend>
          <GatewaySelect value={choices.targetId} onChange={(targetId) => set({ targetId })} error={errors.at('targetId')} />
          <Field label="Instance label" hint="Optional; default: the server's title" error={errors.at('instanceLabel')}>
            {(ids) => <input {...ids} value={choices.instanceLabel} onChange={(e) => set({ instanceLabel: e.target.value })} />}
          </Field>
          <Field
            label="Listener"
            hint="Optional, e.g. http://0.0.0.0:8081/github; default: port 8081 and a free base path named after the server"
            error={errors.at('proxyUri')}
          >
            {(ids) => <input {...ids} value={choices.proxyUri} onChange={(e) => set({ proxyUri: e.target.value })} />}
          </Field>
        </fieldset>
        {server.inputs.length > 0 && (
          <fieldset>
            <legend>Settings of {title}</legend>
            {server.inputs.map((input) => (
              <InputField
                key={keyOf(input)}
                input={input}
                forRequest={!mayInstall}
                value={choices.inputs[keyOf(input)] ?? ''}
                onChange={(value) => set({ inputs: { ...choices.inputs, [keyOf(input)]: value } })}
                error={errors.at(keyOf(input))}
              />
            ))}
          </fieldset>
        )}
        {!mayInstall && (
          <Field label="Reason" hint="Why you need this MCP server, for the approver" error={errors.at('reason')}>
            {(ids) => <textarea {...ids} rows={3} value={choices.reason} onChange={(e) => set({ reason: e.target.value })} />}
          </Field>
        )}
        <ErrorMessage error={errors.general} />
        <FormActions
          cancelTo={`${environment}/library`}
          busy={submit.isPending}
          submit={mayInstall ? 'Install' : 'Request install'}
        />
      </form>
    </section>
  );
}

/** One input of the entry: a variable or header, a choice list when it has one, masked when secret. */
function InputField(props: {
  input: LibraryInput;
  forRequest: boolean;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  const { input } = props;
  const label = `${input.name}${input.in === 'header' ? ' header' : ''}${input.isRequired ? ' (required)' : ''}`;
  const hint = [
    input.description,
    input.default !== null && `Default: ${input.default}.`,
    input.isSecret && 'Secret: stored encrypted, never shown again.',
    input.isSecret && props.forRequest && 'You may leave it for the approver.',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <Field label={label} hint={hint || undefined} error={props.error}>
      {(ids) =>
        input.choices ? (
          <select {...ids} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
            <option value="">{input.default === null ? 'Not set' : `Default (${input.default})`}</option>
            {input.choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...ids}
            type={input.isSecret ? 'password' : 'text'}
            autoComplete="off"
            aria-required={input.isRequired}
            value={props.value}
            onChange={(e) => props.onChange(e.target.value)}
          />
        )
      }
    </Field>
  );
}
