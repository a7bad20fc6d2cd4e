/**
 * One client application: its client id, Reset secret (the new secret shown once), its contracts
 * with API instances and what may be done with each as API Manager allows it (approve or reject
 * a pending one, revoke an approved one, approve again or delete a revoked or rejected one), and
 * Request access to an instance of this environment (RequestAccess).
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Contract, ApplicationWithSecret } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { instanceName, useApiInstances } from '../apis/queries';
import { ClientCredentials } from './ClientCredentials';
import { ConfirmButton } from '../../components/ConfirmButton';
import { type ContractAction, useApplication, useApplicationContracts, useContractAction, useResetSecret } from './queries';
import { RequestAccess } from './RequestAccess';

const STATUS_TONE: Record<Contract['status'], string> = {
  APPROVED: 'ok',
  PENDING: 'warn',
  REJECTED: 'bad',
  REVOKED: 'bad',
};

export function ApplicationDetail() {
  const { orgId, envId } = useScope();
  const applicationId = Number(useParams().applicationId);
  const application = useApplication(orgId, applicationId);
  const contracts = useApplicationContracts(orgId, applicationId);
  const instances = useApiInstances(orgId, envId);
  const reset = useResetSecret(orgId, applicationId);
  const act = useContractAction(orgId, applicationId);
  const [credentials, setCredentials] = useState<ApplicationWithSecret | undefined>();
  const [requesting, setRequesting] = useState(false);

  if (application.error) return <ErrorMessage error={application.error} />;
  const app = application.data;
  if (!app) return <p aria-busy="true">Loading…</p>;

  const contractInstanceName = (c: Contract) => {
    if (c.environmentId !== envId) return `API instance ${c.apiId} (another environment)`;
    const api = (instances.data ?? []).find((a) => a.id === c.apiId);
    return api ? instanceName(api) : `API instance ${c.apiId}`;
  };
  const button = (contract: Contract, action: ContractAction, label: string) => (
    <button
      type="button"
      aria-label={`${label} the contract with ${contractInstanceName(contract)}`}
      disabled={act.isPending}
      onClick={() => act.mutate({ contract, action })}
    >
      {label}
    </button>
  );
  const columns: Column<Contract>[] = [
    { header: 'API instance', cell: contractInstanceName },
    { header: 'SLA tier', cell: (c) => c.tier?.name ?? (c.requestedTier ? `${c.requestedTier.name} (requested)` : '—') },
    {
      header: 'Status',
      cell: (c) => <span className={`badge ${STATUS_TONE[c.status]}`}>{c.status.toLowerCase()}</span>,
    },
    {
      header: 'Actions',
      className: 'row-actions',
      cell: (c) => (
        <>
          {c.status === 'PENDING' && (
            <>
              {button(c, 'approve', 'Approve')} {button(c, 'reject', 'Reject')}
            </>
          )}
          {c.status === 'APPROVED' && (
            <ConfirmButton
              label="Revoke"
              what={`the contract with ${contractInstanceName(c)}`}
              busy={act.isPending}
              onConfirm={() => act.mutate({ contract: c, action: 'revoke' })}
            />
          )}
          {(c.status === 'REVOKED' || c.status === 'REJECTED') && (
            <>
              {button(c, 'approve', 'Approve')} {button(c, 'delete', 'Delete')}
            </>
          )}
        </>
      ),
    },
  ];

  return (
    <section aria-labelledby="application-title">
      <p>
        <Link to={`/organizations/${orgId}/environments/${envId}/applications`}>Client applications</Link>
      </p>
      <h1 id="application-title">{app.name}</h1>
      <dl className="summary">
        <dt>Description</dt>
        <dd>{app.description ?? '—'}</dd>
        <dt>Client id</dt>
        <dd>
          <code>{app.clientId}</code>
        </dd>
        <dt>Client secret</dt>
        <dd>
          Shown only when created or reset.{' '}
          <ConfirmButton
            label="Reset"
            what="the client secret"
            busy={reset.isPending}
            onConfirm={() => reset.mutate(undefined, { onSuccess: setCredentials })}
          />
          <ErrorMessage error={reset.error} />
        </dd>
      </dl>
      {credentials && <ClientCredentials application={credentials} onDone={() => setCredentials(undefined)} />}

      <div className="page-head">
        <h2 id="contracts-title">Contracts</h2>
        {!requesting && (
          <button type="button" onClick={() => setRequesting(true)}>
            Request access
          </button>
        )}
      </div>
      {requesting && <RequestAccess applicationId={applicationId} onDone={() => setRequesting(false)} />}
      <ErrorMessage error={contracts.error ?? act.error} />
      <DataTable
        columns={columns}
        rows={contracts.data}
        rowKey={(c) => c.id}
        empty={<p>This application has no contract yet: request access to an API instance.</p>}
        labelledBy="contracts-title"
      />
    </section>
  );
}
