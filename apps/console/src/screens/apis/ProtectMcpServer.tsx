import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import { ApiError, messageOf } from '../../api/errors';
import type { ApiInstance } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { RunningBadge } from '../gateways/sync-state';
import { useGatewayTargets, useMcpAssets, useTlsContexts } from './mcp-wizard-queries';
import {
  assetIdOf,
  instanceBody,
  localErrors,
  type McpChoices,
  placeSaveFailure,
  spec,
  type Step,
  STEPS,
} from './protect-mcp-request';
import { apisKey } from './queries';

const START: McpChoices = {
  server: undefined,
  protocol: 'http',
  inboundTls: '',
  port: '8081',
  basePath: '/',
  instanceLabel: '',
  upstreamUrl: '',
  outboundTls: '',
};

/**
 * Seed 000, click by click: select a gateway → select the MCP server from Exchange or register a
 * new one → downstream → upstream → review → Save or Save & Deploy. REST errors land at the step
 * and field they name.
 */
export function ProtectMcpServer() {
  const { orgId, envId } = useScope();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [choices, setChoices] = useState<McpChoices>(START);
  const [step, setStep] = useState<Step>('Gateway');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (change: Partial<McpChoices>) => setChoices((c) => ({ ...c, ...change }));
  const form = useRef<HTMLFormElement>(null);
  const opened = useRef(false);
  // Keyboard and screen-reader users follow the wizard: a new step focuses its heading, and
  // errors (the form's own or the REST API's) focus the first field they name.
  useEffect(() => {
    if (!opened.current) {
      opened.current = true;
      return;
    }
    const root = form.current;
    (
      root?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? root?.querySelector<HTMLElement>('[data-step-heading]')
    )?.focus();
  }, [step, errors]);

  const save = useMutation({
    mutationFn: async (deploy: boolean) => {
      let saving = choices;
      if (saving.server?.kind === 'new') {
        // Published once: should the instance be refused, a retry uses the asset as it now is.
        saving = { ...saving, server: { kind: 'exchange', name: saving.server.name, ...(await publishServer(orgId, saving)) } };
        setChoices(saving);
      }
      return call<ApiInstance>(
        api.POST('/apimanager/xapi/v1/organizations/{orgId}/environments/{envId}/apis', {
          params: { path: { orgId, envId } },
          body: instanceBody(saving, orgId, envId, deploy),
        }),
      );
    },
    onSuccess: async (created) => {
      await queries.invalidateQueries({ queryKey: apisKey(orgId, envId) });
      navigate(`/organizations/${orgId}/environments/${envId}/apis/${created.id}`);
    },
    onError: (error) => {
      const placed = placeSaveFailure(error);
      const first = placed[0];
      if (!first) return;
      setErrors(
        Object.fromEntries(placed.filter((p) => p.place.step === first.place.step).map((p) => [p.place.field, p.message])),
      );
      setStep(first.place.step);
    },
  });

  function next(event: FormEvent) {
    event.preventDefault();
    const found = localErrors(step, choices);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setStep(STEPS[STEPS.indexOf(step) + 1]!);
  }
  const back = () => {
    setErrors({});
    setStep(STEPS[STEPS.indexOf(step) - 1]!);
  };

  return (
    <section aria-labelledby="protect-title" className="wizard">
      <h1 id="protect-title">Protect MCP server</h1>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s) => (
          <li key={s} aria-current={s === step ? 'step' : undefined}>
            {s}
          </li>
        ))}
      </ol>
      <form ref={form} onSubmit={next} noValidate>
        {step === 'Gateway' && <GatewayStep choices={choices} set={set} error={errors.target} />}
        {step === 'MCP server' && <ServerStep choices={choices} set={set} errors={errors} />}
        {step === 'Downstream' && <DownstreamStep choices={choices} set={set} errors={errors} />}
        {step === 'Upstream' && <UpstreamStep choices={choices} set={set} errors={errors} />}
        {step === 'Review' && <Review choices={choices} edit={setStep} orgId={orgId} />}
        {step === 'Review' && !(save.error instanceof ApiError && Object.keys(errors).length > 0) && (
          <ErrorMessage error={save.error} />
        )}
        <div className="actions">
          {step !== 'Gateway' && (
            <button type="button" onClick={back}>
              Back
            </button>
          )}
          <Link to={`/organizations/${orgId}/environments/${envId}/apis`} className="button">
            Cancel
          </Link>
          {step !== 'Review' ? (
            <button type="submit" className="primary">
              Next
            </button>
          ) : (
            <>
              <button type="button" disabled={save.isPending} onClick={() => save.mutate(false)}>
                Save
              </button>
              <button type="button" className="primary" disabled={save.isPending} onClick={() => save.mutate(true)}>
                Save &amp; Deploy
              </button>
            </>
          )}
        </div>
      </form>
    </section>
  );
}

/** A new MCP server is published to Exchange (type mcp) before its instance is created; its coordinates. */
async function publishServer(orgId: string, choices: McpChoices) {
  const coordinates = spec(choices, orgId);
  const { groupId, assetId, version } = coordinates;
  const form = new FormData();
  form.set('name', choices.server!.name);
  form.set('type', 'mcp');
  await call(
    api.POST('/exchange/api/v2/organizations/{orgId}/assets/{groupId}/{assetId}/{version}', {
      params: { path: { orgId, groupId, assetId, version }, header: { 'x-sync-publication': 'true' } },
      body: form as never,
      bodySerializer: (body: unknown) => body as FormData,
    }),
  );
  return coordinates;
}

interface StepProps {
  choices: McpChoices;
  set: (change: Partial<McpChoices>) => void;
  errors: Record<string, string>;
}

function GatewayStep({ choices, set, error }: Omit<StepProps, 'errors'> & { error: string | undefined }) {
  const { orgId, envId } = useScope();
  const targets = useGatewayTargets(orgId, envId);
  const rows = targets.data?.rows ?? [];
  return (
    <fieldset aria-describedby={error ? 'gateway-error' : undefined}>
      <legend tabIndex={-1} data-step-heading>
        Select a gateway
      </legend>
      <ErrorMessage error={targets.error} />
      {targets.data && rows.length === 0 && (
        <p>
          No Flex Gateway is registered in this environment. <Link to="../../gateways">Register one in connected mode</Link>.
        </p>
      )}
      {rows.map((target) => (
        <label key={target.id} className="choice">
          <input
            type="radio"
            name="target"
            value={target.id}
            checked={choices.target?.id === target.id}
            disabled={!target.running}
            onChange={() => set({ target })}
          />
          <span className="choice-name">{target.name}</span>
          <RunningBadge running={target.running} />
          <span className="muted">version {target.version}</span>
        </label>
      ))}
      {rows.some((t) => !t.running) && (
        <p className="hint">
          A gateway that is Not Running cannot be selected: start it in connected mode (see{' '}
          <Link to="../../gateways">Gateways</Link>).
        </p>
      )}
      {error && (
        <p id="gateway-error" className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function ServerStep({ choices, set, errors }: StepProps) {
  const [search, setSearch] = useState('');
  const assets = useMcpAssets(search);
  const mode = choices.server?.kind ?? 'exchange';
  return (
    <fieldset>
      <legend tabIndex={-1} data-step-heading>
        Select an MCP
      </legend>
      <label className="choice">
        <input type="radio" name="mode" checked={mode === 'exchange'} onChange={() => set({ server: undefined })} />
        Select MCP server from Exchange
      </label>
      <label className="choice">
        <input type="radio" name="mode" checked={mode === 'new'} onChange={() => set({ server: { kind: 'new', name: '' } })} />
        Register a new MCP server
      </label>
      {mode === 'exchange' ? (
        <div className="nested">
          <Field label="Search" hint="Part of the server's name">
            {(ids) => <input type="search" {...ids} value={search} onChange={(e) => setSearch(e.target.value)} />}
          </Field>
          <ErrorMessage error={assets.error} />
          <div role="radiogroup" aria-label="Select MCP server" className="list">
            {(assets.data ?? []).map((a) => (
              <label key={`${a.groupId}:${a.assetId}:${a.version}`} className="choice">
                <input
                  type="radio"
                  name="asset"
                  checked={
                    choices.server?.kind === 'exchange' &&
                    choices.server.assetId === a.assetId &&
                    choices.server.groupId === a.groupId &&
                    choices.server.version === a.version
                  }
                  onChange={() => set({ server: { kind: 'exchange', ...a } })}
                />
                <span className="choice-name">{a.name}</span>
                <span className="muted">
                  {a.assetId} {a.version}
                </span>
              </label>
            ))}
            {assets.data?.length === 0 && <p>No MCP server in Exchange matches.</p>}
          </div>
        </div>
      ) : (
        <div className="nested">
          <Field label="MCP server name" hint="Your server is published to Exchange after it is protected." error={errors.name}>
            {(ids) => (
              <input
                {...ids}
                value={choices.server?.kind === 'new' ? choices.server.name : ''}
                onChange={(e) => set({ server: { kind: 'new', name: e.target.value } })}
              />
            )}
          </Field>
          {choices.server?.kind === 'new' && assetIdOf(choices.server.name) && (
            <p className="muted">Asset id: {assetIdOf(choices.server.name)}, version 1.0.0</p>
          )}
        </div>
      )}
      {errors.server && <p className="field-error">{errors.server}</p>}
    </fieldset>
  );
}

/** The environment's TLS contexts to choose from; why there are none when they may not be read. */
function TlsSelect(props: { value: string; onChange: (value: string) => void; ids: object }) {
  const { orgId, envId } = useScope();
  const contexts = useTlsContexts(orgId, envId);
  return (
    <>
      <select {...props.ids} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">None</option>
        {(contexts.data ?? []).map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
      {contexts.error && <p className="hint">{messageOf(contexts.error)}</p>}
    </>
  );
}

function DownstreamStep({ choices, set, errors }: StepProps) {
  return (
    <fieldset>
      <legend tabIndex={-1} data-step-heading>
        Downstream
      </legend>
      <Field label="Protocol">
        {(ids) => (
          <select {...ids} value={choices.protocol} onChange={(e) => set({ protocol: e.target.value as 'http' | 'https' })}>
            <option value="http">HTTP</option>
            <option value="https">HTTPS</option>
          </select>
        )}
      </Field>
      {choices.protocol === 'https' && (
        <Field label="Inbound TLS" error={errors.inboundTls}>
          {(ids) => <TlsSelect ids={ids} value={choices.inboundTls} onChange={(inboundTls) => set({ inboundTls })} />}
        </Field>
      )}
      <Field label="Port" error={errors.port}>
        {(ids) => <input {...ids} inputMode="numeric" value={choices.port} onChange={(e) => set({ port: e.target.value })} />}
      </Field>
      <Field label="Base path" hint="Agents reach the server at this path of the gateway" error={errors.basePath}>
        {(ids) => <input {...ids} value={choices.basePath} onChange={(e) => set({ basePath: e.target.value })} />}
      </Field>
      <Field label="Instance label" hint="Optional; unique in the environment" error={errors.instanceLabel}>
        {(ids) => <input {...ids} value={choices.instanceLabel} onChange={(e) => set({ instanceLabel: e.target.value })} />}
      </Field>
    </fieldset>
  );
}

function UpstreamStep({ choices, set, errors }: StepProps) {
  return (
    <fieldset>
      <legend tabIndex={-1} data-step-heading>
        Upstream
      </legend>
      <Field
        label="MCP server upstream URL"
        hint="URL to access for the MCP server. This must end with a /."
        error={errors.upstreamUrl}
      >
        {(ids) => (
          <input
            {...ids}
            type="url"
            required
            value={choices.upstreamUrl}
            onChange={(e) => set({ upstreamUrl: e.target.value })}
          />
        )}
      </Field>
      <Field
        label="Outbound TLS"
        hint="TLS Context used for the outbound traffic to the upstream service"
        error={errors.outboundTls}
      >
        {(ids) => <TlsSelect ids={ids} value={choices.outboundTls} onChange={(outboundTls) => set({ outboundTls })} />}
      </Field>
    </fieldset>
  );
}

function Review({ choices, edit, orgId }: { choices: McpChoices; edit: (step: Step) => void; orgId: string }) {
  const server = spec(choices, orgId);
  const rows: [Step, string, string][] = [
    ['Gateway', 'Gateway', `${choices.target?.name} (version ${choices.target?.version})`],
    [
      'MCP server',
      'MCP server',
      `${choices.server?.name} — ${server.assetId} ${server.version}${choices.server?.kind === 'new' ? ' (new)' : ''}`,
    ],
    ['Downstream', 'Listener', `${choices.protocol}://0.0.0.0:${choices.port}${choices.basePath}`],
    ['Downstream', 'Instance label', choices.instanceLabel || '—'],
    ['Upstream', 'MCP server upstream URL', choices.upstreamUrl],
    ['Upstream', 'Outbound TLS', choices.outboundTls || 'None'],
  ];
  return (
    <dl className="review" tabIndex={-1} data-step-heading aria-label="Review">
      {rows.map(([step, label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>
            {value}{' '}
            <button type="button" className="link" onClick={() => edit(step)} aria-label={`Edit ${label}`}>
              Edit
            </button>
          </dd>
        </div>
      ))}
    </dl>
  );
}
