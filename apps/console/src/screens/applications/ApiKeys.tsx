/**
 * API keys of an API instance of this environment (the instance in the URL, `?api=<id>`): the
 * list with status and last use (never a secret), Create (name, optional expiry; the key shown
 * once), and Revoke. Says so when the instance does not enforce keys (no API Key Authentication
 * policy). REST validation errors appear at the field they name.
 */
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { ApiKey } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { InstanceOptions } from '../apis/InstanceOptions';
import { useApiInstances, usePolicies } from '../apis/queries';
import { formatTime } from '../../components/format';
import { ConfirmButton } from '../../components/ConfirmButton';
import { formErrors } from '../../components/form-errors';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from './queries';
import { CopyableValue, ShownOnce } from '../../components/ShownOnce';

const API_KEY_POLICY = 'api-key-authentication';

export function ApiKeys() {
  const { orgId, envId } = useScope();
  const [search, setSearch] = useSearchParams();
  const instances = useApiInstances(orgId, envId);
  const apiParam = search.get('api');
  const apiId = apiParam && /^\d+$/.test(apiParam) ? Number(apiParam) : undefined;

  return (
    <section aria-labelledby="api-keys-title">
      <h1 id="api-keys-title">API keys</h1>
      <p className="muted">
        An API key lets an MCP client call an instance that has the API Key Authentication policy, as a bearer token.
      </p>
      <ErrorMessage error={instances.error} />
      <Field label="API instance">
        {(ids) => (
          <select {...ids} value={apiId ?? ''} onChange={(e) => setSearch(e.target.value ? { api: e.target.value } : {})}>
            <InstanceOptions instances={instances.data ?? []} none="Select an API instance…" />
          </select>
        )}
      </Field>
      {apiId !== undefined && <InstanceKeys key={apiId} apiId={apiId} />}
    </section>
  );
}

function InstanceKeys({ apiId }: { apiId: number }) {
  const { orgId, envId } = useScope();
  const keys = useApiKeys(orgId, envId, apiId);
  const policies = usePolicies(orgId, envId, String(apiId));
  const revoke = useRevokeApiKey(orgId, envId, apiId);
  const [created, setCreated] = useState<ApiKey | undefined>();
  const enforced = policies.data?.some((p) => p.assetId === API_KEY_POLICY && !p.disabled);
  const columns: Column<ApiKey>[] = [
    { header: 'Name', cell: (k) => k.name },
    { header: 'Prefix', cell: (k) => <code>{k.prefix}…</code> },
    { header: 'Status', cell: (k) => <span className={k.status === 'active' ? 'badge ok' : 'badge bad'}>{k.status}</span> },
    {
      header: 'Created',
      cell: (k) => (
        <>
          {formatTime(k.createdAt)} <span className="muted">by {k.createdBy}</span>
        </>
      ),
    },
    { header: 'Expires', cell: (k) => formatTime(k.expiresAt) },
    { header: 'Last used', cell: (k) => formatTime(k.lastUsedAt) },
    {
      header: 'Actions',
      cell: (k) =>
        k.status === 'active' && (
          <ConfirmButton
            label="Revoke"
            what={`the API key ${k.name}`}
            busy={revoke.isPending}
            onConfirm={() => revoke.mutate(k.id)}
          />
        ),
    },
  ];

  return (
    <>
      {policies.data && !enforced && (
        <p className="banner" role="status">
          This instance does not check API keys: apply the API Key Authentication policy on{' '}
          <Link to={`/organizations/${orgId}/environments/${envId}/apis/${apiId}`}>its page</Link>.
        </p>
      )}
      {created ? (
        <ShownOnce title={`API key ${created.name}`} onDone={() => setCreated(undefined)}>
          <CopyableValue label="API key" value={created.key ?? ''} />
          <p className="muted">Clients send it as Authorization: Bearer &lt;key&gt;.</p>
        </ShownOnce>
      ) : (
        <CreateApiKey apiId={apiId} onCreated={setCreated} />
      )}
      <h2 id="keys-title">Keys</h2>
      <ErrorMessage error={keys.error ?? revoke.error} />
      <DataTable
        columns={columns}
        rows={keys.data?.apiKeys}
        rowKey={(k) => k.id}
        empty={<p>No API key for this instance yet.</p>}
        labelledBy="keys-title"
      />
    </>
  );
}

function CreateApiKey(props: { apiId: number; onCreated: (key: ApiKey) => void }) {
  const { orgId, envId } = useScope();
  const create = useCreateApiKey(orgId, envId, props.apiId);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [badDate, setBadDate] = useState<string | undefined>();
  const errors = formErrors(create.error, ['name', 'expiresAt']);

  function submit(event: FormEvent) {
    event.preventDefault();
    const expiresAt = expires ? new Date(expires) : undefined;
    const invalid = expiresAt && Number.isNaN(expiresAt.getTime());
    setBadDate(invalid ? 'Enter a date and time' : undefined);
    if (invalid) return;
    create.mutate(
      { name, ...(expiresAt && { expiresAt: expiresAt.toISOString() }) },
      {
        onSuccess: (key) => {
          setName('');
          setExpires('');
          props.onCreated(key);
        },
      },
    );
  }

  return (
    <form className="panel" aria-labelledby="create-key-title" onSubmit={submit} noValidate>
      <h2 id="create-key-title">Create an API key</h2>
      <Field label="Key name" hint="Who or what uses it, e.g. ci agent." error={errors.at('name')}>
        {(ids) => <input {...ids} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field
        label="Expires"
        hint="Optional: your local time. Without it the key works until revoked."
        error={badDate ?? errors.at('expiresAt')}
      >
        {(ids) => <input {...ids} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />}
      </Field>
      <ErrorMessage error={errors.general} />
      <FormActions busy={create.isPending} submit="Create key" />
    </form>
  );
}
