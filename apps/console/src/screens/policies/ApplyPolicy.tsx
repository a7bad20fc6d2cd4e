import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { policiesKey, usePolicyTemplates } from '../apis/queries';
import { hasParameters, type JsonSchema } from './policy-schema';

/** The JSON-Schema form library is loaded only when a policy with parameters is configured. */
const PolicyForm = lazy(() => import('./PolicyForm'));

/**
 * Apply a policy from the catalog (exchange-policy-templates, for this instance and environment):
 * select it, fill in the form generated from its configuration schema (none for MCP Support), and
 * apply. REST validation errors appear at the field they name.
 */
export function ApplyPolicy(props: { apiId: string; preselect?: string | undefined; onDone: () => void }) {
  const { orgId, envId } = useScope();
  const queries = useQueryClient();
  const templates = usePolicyTemplates(orgId, envId, props.apiId);
  const [selected, setSelected] = useState<string | undefined>(props.preselect);
  const template = templates.data?.find((t) => t.assetId === selected);

  const apply = useMutation({
    mutationFn: (configurationData: Record<string, unknown>) =>
      call(
        api.POST('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/policies', {
          params: { path: { orgId, envId, apiId: Number(props.apiId) } },
          body: {
            groupId: template!.groupId,
            assetId: template!.assetId,
            assetVersion: template!.assetVersion,
            configurationData,
          } as never,
        }),
      ),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: policiesKey(orgId, envId, props.apiId) });
      props.onDone();
    },
  });
  const fieldErrors = apply.error instanceof ApiError ? apply.error.fields : {};

  return (
    <section className="panel" aria-labelledby="apply-policy-title">
      <h2 id="apply-policy-title">Apply policy</h2>
      <ErrorMessage error={templates.error} />
      <Field label="Policy">
        {(ids) => (
          <select {...ids} value={selected ?? ''} onChange={(e) => setSelected(e.target.value || undefined)}>
            <option value="">Select a policy…</option>
            {(templates.data ?? []).map((t) => (
              <option key={t.assetId} value={t.assetId}>
                {t.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {template && <p className="muted">{template.description}</p>}
      {template && !hasParameters(template.configuration as JsonSchema) && (
        <>
          <p>There are no parameters to configure for the {template.name} policy.</p>
          {!(apply.error instanceof ApiError && Object.keys(fieldErrors).length > 0) && <ErrorMessage error={apply.error} />}
          <div className="actions">
            <button type="button" onClick={props.onDone}>
              Cancel
            </button>
            <button type="button" className="primary" disabled={apply.isPending} onClick={() => apply.mutate({})}>
              Apply
            </button>
          </div>
        </>
      )}
      {template && hasParameters(template.configuration as JsonSchema) && (
        <Suspense fallback={<p aria-busy="true">Loading the form…</p>}>
          <PolicyForm
            key={template.assetId}
            schema={template.configuration as JsonSchema}
            fieldErrors={fieldErrors}
            error={apply.error}
            busy={apply.isPending}
            onSubmit={(data) => apply.mutate(data)}
            onCancel={props.onDone}
          />
        </Suspense>
      )}
    </section>
  );
}
