import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../api/client';
import type { operations } from '../../api/generated/schema';
import type { ConnectionMode, McpBackend } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { formErrors } from '../../components/form-errors';
import { MODE_LABELS, MODES } from './connection-modes';
import { apisKey } from '../apis/queries';

type ConnectionBody = operations['McpBackendsController_setConnection']['requestBody']['content']['application/json'];

const HINTS: Record<ConnectionMode, string> = {
  'gateway-oauth':
    "Portico holds each user's own token for the server (the instance needs a JWT Validation policy naming the users' OpenID provider).",
  'oauth-passthrough': "The client's bearer token, once validated by an authentication policy, is forwarded to the server.",
  'api-key': 'The gateway sends one key or token of yours; stored encrypted, never shown again.',
  none: 'The server needs no credentials.',
};

/** Text fields of the modes that take some, by body field: [label, hint, secret]. */
const FIELDS: Partial<Record<ConnectionMode, [string, string, string, boolean][]>> = {
  'api-key': [
    ['headerName', 'Header name', 'Default: Authorization', false],
    ['prefix', 'Prefix', 'Optional, e.g. Bearer', false],
    ['value', 'Key or token', 'Required', true],
  ],
  'gateway-oauth': [
    ['authorizationServer', 'Authorization server', "The issuer of the server's authorization server", false],
    ['scopes', 'Scopes', 'Separated by spaces', false],
    ['clientId', 'Client id', 'Optional; default: dynamic client registration', false],
    ['clientSecret', 'Client secret', 'Optional', true],
    ['resource', 'Resource', 'Optional; default: the upstream URL', false],
    ['signInClientId', 'Sign-in client id', "Optional: Portico's client at the users' OpenID provider", false],
    ['signInClientSecret', 'Sign-in client secret', 'Optional', true],
  ],
};

/** The body of `mode` from the fields filled in (empty ones left to the REST API's defaults). */
function connectionBody(mode: ConnectionMode, values: Record<string, string>): ConnectionBody {
  const given = Object.fromEntries(
    (FIELDS[mode] ?? []).filter(([field]) => values[field]).map(([field]) => [field, values[field]!]),
  );
  if (mode === 'gateway-oauth') {
    const scopes = (values.scopes ?? '').split(/\s+/).filter(Boolean);
    return { ...given, mode, authorizationServer: values.authorizationServer ?? '', scopes };
  }
  if (mode === 'api-key') return { ...given, mode, value: values.value ?? '' };
  return { mode };
}

/**
 * How the gateway authenticates to the MCP server (seed 003's auth modes: OAuth, OAuth
 * passthrough, API key or token, no auth). Secrets are write-only: choosing the current mode again
 * needs them again. Holders of Update MCP Backends change it; others read it.
 */
export function ConnectionForm({ backend, mayUpdate }: { backend: McpBackend; mayUpdate: boolean }) {
  const { orgId, envId } = useScope();
  const queries = useQueryClient();
  const [mode, setMode] = useState<ConnectionMode>(backend.connection.mode);
  const [values, setValues] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: (body: ConnectionBody) =>
      call<McpBackend>(
        api.PUT('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/backends/{apiId}/connection', {
          params: { path: { orgId, envId, apiId: String(backend.apiId) } },
          body,
        }),
      ),
    onSuccess: async () => {
      setValues({});
      await queries.invalidateQueries({ queryKey: apisKey(orgId, envId) });
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(connectionBody(mode, values));
  };
  const fields = FIELDS[mode] ?? [];
  const errors = formErrors(save.error, ['mode', ...fields.map(([field]) => field)]);

  if (!mayUpdate)
    return (
      <p>
        {MODE_LABELS[backend.connection.mode]}: {HINTS[backend.connection.mode]}
      </p>
    );
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Authentication" className="connection-form">
      <fieldset>
        <legend>How the gateway authenticates to the server</legend>
        {MODES.map((m) => (
          <label key={m} className="choice">
            <input
              type="radio"
              name="connection-mode"
              checked={mode === m}
              onChange={() => {
                save.reset();
                setMode(m);
              }}
            />
            <span className="choice-name">{MODE_LABELS[m]}</span>
            {m === backend.connection.mode && <span className="badge ok">Current</span>}
          </label>
        ))}
        <p className="hint">{HINTS[mode]}</p>
        {fields.map(([field, label, hint, secret]) => (
          <Field key={field} label={label} hint={hint} error={errors.at(field)}>
            {(ids) => (
              <input
                {...ids}
                type={secret ? 'password' : 'text'}
                autoComplete="off"
                value={values[field] ?? ''}
                onChange={(e) => setValues({ ...values, [field]: e.target.value })}
              />
            )}
          </Field>
        ))}
      </fieldset>
      <ErrorMessage error={errors.general} />
      {save.isSuccess && <p role="status">Saved: {MODE_LABELS[mode]}.</p>}
      <FormActions busy={save.isPending} submit="Save authentication" />
    </form>
  );
}
