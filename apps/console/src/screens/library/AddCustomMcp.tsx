import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { operations } from '../../api/generated/schema';
import type { InstalledBackend } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { formErrors } from '../../components/form-errors';
import { MODE_LABELS, MODES } from './connection-modes';
import { GatewaySelect } from './GatewaySelect';
import { apisKey } from '../apis/queries';

type ProbeVerdict = operations['McpProbeController_probe']['responses'][200]['content']['application/json'];
type CustomBody = operations['McpInstallsController_createCustom']['requestBody']['content']['application/json'];
type CustomMode = NonNullable<CustomBody['connection']>['mode'];

/** The modes a custom MCP takes (no gateway-managed OAuth), simplest first: the default, none, leads. */
const CUSTOM_MODES = MODES.filter((mode): mode is CustomMode => mode !== 'gateway-oauth').reverse();

interface Choices {
  url: string;
  name: string;
  targetId: string;
  instanceLabel: string;
  proxyUri: string;
  mode: CustomMode;
  headerName: string;
  prefix: string;
  value: string;
}

const START: Choices = {
  url: '',
  name: '',
  targetId: '',
  instanceLabel: '',
  proxyUri: '',
  mode: 'none',
  headerName: '',
  prefix: '',
  value: '',
};

const FIELDS = [
  'url',
  'name',
  'targetId',
  'instanceLabel',
  'proxyUri',
  'connection.mode',
  'connection.headerName',
  'connection.prefix',
  'connection.value',
];

function customBody(c: Choices): CustomBody {
  return {
    name: c.name,
    url: c.url,
    targetId: c.targetId,
    ...(c.instanceLabel && { instanceLabel: c.instanceLabel }),
    ...(c.proxyUri && { proxyUri: c.proxyUri }),
    connection:
      c.mode === 'api-key'
        ? {
            mode: c.mode,
            value: c.value,
            ...(c.headerName && { headerName: c.headerName }),
            ...(c.prefix && { prefix: c.prefix }),
          }
        : { mode: c.mode },
  };
}

/** What the probe's proposal means for a custom MCP, which takes no gateway-managed OAuth (clients sign in: passthrough). */
function proposed(verdict: ProbeVerdict): Partial<Choices> {
  const { mode } = verdict.proposal.connection;
  const credential = verdict.proposal.upstreamCredential;
  return {
    mode: mode === 'gateway-oauth' ? 'oauth-passthrough' : mode,
    headerName: credential?.headerName ?? '',
    prefix: credential?.prefix ?? '',
  };
}

function describe(verdict: ProbeVerdict): string {
  switch (verdict.verdict) {
    case 'none':
      return `No authentication: the server answered initialize without credentials (${String(verdict.serverInfo.name ?? 'unnamed')}).`;
    case 'oauth':
      return `OAuth: authorization server ${verdict.authorizationServer ?? 'not named'}${
        verdict.scopes.length ? `, scopes ${verdict.scopes.join(' ')}` : ''
      }. Clients sign in and the gateway passes their tokens through; gateway-managed OAuth can be set on the server's page once it is added.`;
    case 'api-key':
      return `API key or token in the ${verdict.headerName} header${verdict.prefix ? ` (${verdict.prefix} …)` : ''}: ${verdict.evidence}.`;
    case 'unknown':
      return `Could not tell: ${verdict.reason}.`;
  }
}

/**
 * Add a custom MCP (seed 003): its URL, probed for the credentials it wants ("Detect
 * authentication" proposes the auth mode), a name, the gateway and how the gateway
 * authenticates to it. REST errors land at the field they name.
 */
export function AddCustomMcp() {
  const { orgId, envId } = useScope();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [choices, setChoices] = useState<Choices>(START);
  const set = (change: Partial<Choices>) => setChoices((c) => ({ ...c, ...change }));
  const path = { path: { orgId, envId } };

  const probe = useMutation({
    mutationFn: (url: string) =>
      call<ProbeVerdict>(
        api.POST('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/probes', { params: path, body: { url } }),
      ),
    onSuccess: (verdict) => set(proposed(verdict)),
  });
  const create = useMutation({
    mutationFn: (body: CustomBody) =>
      call<InstalledBackend>(
        api.POST('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/backends/custom', { params: path, body }),
      ),
    onSuccess: async (made) => {
      await queries.invalidateQueries({ queryKey: apisKey(orgId, envId) });
      navigate(`/organizations/${orgId}/environments/${envId}/mcp-backends/${made.apiId}`);
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(customBody(choices));
  };
  const errors = formErrors(create.error, FIELDS);
  const probeErrors = formErrors(probe.error, ['url']);
  const error = errors.at;

  return (
    <section aria-labelledby="custom-title" className="wizard">
      <h1 id="custom-title">Add custom MCP</h1>
      <form onSubmit={onSubmit} noValidate>
        <fieldset>
          <legend>MCP server</legend>
          <Field
            label="MCP server URL"
            hint="Its Streamable HTTP endpoint, e.g. https://mcp.example.com/mcp"
            error={probeErrors.at('url') ?? error('url')}
          >
            {(ids) => <input {...ids} type="url" value={choices.url} onChange={(e) => set({ url: e.target.value })} />}
          </Field>
          <button type="button" disabled={probe.isPending || !choices.url} onClick={() => probe.mutate(choices.url)}>
            Detect authentication
          </button>
          <ErrorMessage error={probeErrors.general} />
          {probe.data && <ProbeResult verdict={probe.data} />}
          <Field label="Name" hint="The MCP server's name in Exchange" error={error('name')}>
            {(ids) => <input {...ids} value={choices.name} onChange={(e) => set({ name: e.target.value })} />}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Where</legend>
          <GatewaySelect value={choices.targetId} onChange={(targetId) => set({ targetId })} error={error('targetId')} />
          <Field label="Instance label" hint="Optional; default: the name" error={error('instanceLabel')}>
            {(ids) => <input {...ids} value={choices.instanceLabel} onChange={(e) => set({ instanceLabel: e.target.value })} />}
          </Field>
          <Field
            label="Listener"
            hint="Optional, e.g. http://0.0.0.0:8081/tools; default: port 8081 and a free base path named after the server"
            error={error('proxyUri')}
          >
            {(ids) => <input {...ids} value={choices.proxyUri} onChange={(e) => set({ proxyUri: e.target.value })} />}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Authentication</legend>
          {CUSTOM_MODES.map((mode) => (
            <label key={mode} className="choice">
              <input type="radio" name="mode" checked={choices.mode === mode} onChange={() => set({ mode })} />
              {MODE_LABELS[mode]}
            </label>
          ))}
          {error('connection.mode') && <p className="field-error">{error('connection.mode')}</p>}
          {choices.mode === 'api-key' && (
            <div className="nested">
              <Field label="Header name" hint="Default: Authorization" error={error('connection.headerName')}>
                {(ids) => <input {...ids} value={choices.headerName} onChange={(e) => set({ headerName: e.target.value })} />}
              </Field>
              <Field label="Prefix" hint="Optional, e.g. Bearer" error={error('connection.prefix')}>
                {(ids) => <input {...ids} value={choices.prefix} onChange={(e) => set({ prefix: e.target.value })} />}
              </Field>
              <Field label="Key or token" hint="Sent by the gateway; stored encrypted" error={error('connection.value')}>
                {(ids) => (
                  <input
                    {...ids}
                    type="password"
                    autoComplete="off"
                    value={choices.value}
                    onChange={(e) => set({ value: e.target.value })}
                  />
                )}
              </Field>
            </div>
          )}
          {choices.mode === 'oauth-passthrough' && (
            <p className="hint">Clients&apos; own bearer tokens reach the server unchanged; the server validates them.</p>
          )}
        </fieldset>
        <ErrorMessage error={errors.general} />
        <FormActions cancelTo=".." busy={create.isPending} submit="Add MCP server" />
      </form>
    </section>
  );
}

function ProbeResult({ verdict }: { verdict: ProbeVerdict }) {
  return (
    <div role="status" className="banner" data-testid="probe-verdict">
      <div>
        <p>{describe(verdict)}</p>
        {verdict.warnings.map((w) => (
          <p key={w} className="hint">
            {w}
          </p>
        ))}
        <details>
          <summary>What the probe did ({verdict.steps.length} requests)</summary>
          <ul>
            {verdict.steps.map((s, i) => (
              <li key={i}>
                {s.method} {s.url}: {s.status ?? s.error}
              </li>
            ))}
          </ul>
        </details>
      </div>
    </div>
  );
}
