/**
 * Client applications of the business group: the list (each opens its contracts), and Create,
 * whose answer's client secret is shown once (ShownOnce) and never again. REST validation
 * errors appear at the field they name.
 */
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import type { ClientApplication, ApplicationWithSecret } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { ClientCredentials } from './ClientCredentials';
import { formErrors } from '../../components/form-errors';
import { useApplications, useCreateApplication } from './queries';

const COLUMNS: Column<ClientApplication>[] = [
  { header: 'Name', cell: (app) => <Link to={String(app.id)}>{app.name}</Link> },
  { header: 'Description', cell: (app) => app.description ?? '—' },
  { header: 'Client id', cell: (app) => <code>{app.clientId}</code> },
];

export function ClientApplications() {
  const { orgId } = useScope();
  const applications = useApplications(orgId);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApplicationWithSecret | undefined>();

  return (
    <section aria-labelledby="applications-title">
      <div className="page-head">
        <h1 id="applications-title">Client applications</h1>
        {!creating && !created && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create application
          </button>
        )}
      </div>
      {creating && (
        <CreateApplication
          onCancel={() => setCreating(false)}
          onCreated={(app) => {
            setCreating(false);
            setCreated(app);
          }}
        />
      )}
      {created && <ClientCredentials application={created} onDone={() => setCreated(undefined)} />}
      <ErrorMessage error={applications.error} />
      <DataTable
        columns={COLUMNS}
        rows={applications.data}
        rowKey={(app) => app.id}
        empty={<p>No client application in this business group yet.</p>}
      />
    </section>
  );
}

function CreateApplication(props: { onCancel: () => void; onCreated: (app: ApplicationWithSecret) => void }) {
  const { orgId } = useScope();
  const create = useCreateApplication(orgId);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const errors = formErrors(create.error, ['name', 'description']);

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name, description: description || null }, { onSuccess: props.onCreated });
  }

  return (
    <form className="panel" aria-labelledby="create-application-title" onSubmit={submit} noValidate>
      <h2 id="create-application-title">Create application</h2>
      <Field label="Name" error={errors.at('name')}>
        {(ids) => <input {...ids} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Description" error={errors.at('description')}>
        {(ids) => <textarea {...ids} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <ErrorMessage error={errors.general} />
      <FormActions onCancel={props.onCancel} busy={create.isPending} submit="Create" />
    </form>
  );
}
