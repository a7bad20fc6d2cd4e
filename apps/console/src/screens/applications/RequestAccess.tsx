/**
 * Request access for an application to an API instance of this environment (a contract): the
 * instance, its SLA tier when it has any (then one is required), and a reason when the instance
 * approves contracts manually. Approved at once otherwise. REST errors appear at their field.
 */
import { type FormEvent, useState } from 'react';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FormActions } from '../../components/FormActions';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { InstanceOptions } from '../apis/InstanceOptions';
import { useApiInstances } from '../apis/queries';
import { formErrors } from '../../components/form-errors';
import { useRequestAccess, useSlaTiers } from './queries';

export function RequestAccess(props: { applicationId: number; onDone: () => void }) {
  const { orgId, envId } = useScope();
  const instances = useApiInstances(orgId, envId);
  const [apiId, setApiId] = useState<number | undefined>();
  const [tierId, setTierId] = useState<number | undefined>();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState<Record<string, string>>({});
  const tiers = useSlaTiers(orgId, envId, apiId);
  const request = useRequestAccess(orgId, envId, props.applicationId);
  const rows = instances.data ?? [];
  const manual = rows.find((a) => a.id === apiId)?.approvalMethod === 'manual';
  const rest = formErrors(request.error, ['requestedTierId', 'requestAccessInfo']);
  const errorAt = (field: string, restField?: string) => missing[field] ?? (restField && rest.at(restField));

  function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (apiId === undefined) found.apiId = 'Select an API instance';
    if (tiers.data?.length && tierId === undefined) found.tier = 'Select an SLA tier';
    setMissing(found);
    if (Object.keys(found).length > 0 || apiId === undefined) return;
    request.mutate(
      { apiId, requestedTierId: tierId ?? null, reason: manual && reason ? reason : undefined },
      { onSuccess: props.onDone },
    );
  }

  return (
    <form className="panel" aria-labelledby="request-access-title" onSubmit={submit} noValidate>
      <h2 id="request-access-title">Request access</h2>
      <ErrorMessage error={instances.error} />
      <Field label="API instance" error={errorAt('apiId')}>
        {(ids) => (
          <select
            {...ids}
            value={apiId ?? ''}
            onChange={(e) => {
              setApiId(e.target.value ? Number(e.target.value) : undefined);
              setTierId(undefined);
            }}
          >
            <InstanceOptions instances={rows} none="Select an API instance…" />
          </select>
        )}
      </Field>
      <ErrorMessage error={tiers.error} />
      {tiers.data && tiers.data.length > 0 && (
        <Field label="SLA tier" error={errorAt('tier', 'requestedTierId')}>
          {(ids) => (
            <select
              {...ids}
              value={tierId ?? ''}
              onChange={(e) => setTierId(e.target.value ? Number(e.target.value) : undefined)}
            >
              <option value="">Select an SLA tier…</option>
              {tiers.data.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                  {t.autoApprove ? '' : ' (needs approval)'}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {manual && (
        <Field
          label="Reason"
          hint="This instance approves each contract: say why the application needs access."
          error={errorAt('reason', 'requestAccessInfo')}
        >
          {(ids) => <textarea {...ids} rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      )}
      <ErrorMessage error={rest.general} />
      <FormActions onCancel={props.onDone} busy={request.isPending} submit="Request access" />
    </form>
  );
}
