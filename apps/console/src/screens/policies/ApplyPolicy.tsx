/**
 * Apply a policy from the catalog (exchange-policy-templates for this instance and environment,
 * grouped by category; those already applied say so): select it, fill in the form generated from
 * its configuration schema (none for MCP Support), and apply. Validation errors appear at the
 * fields they name; a template already applied (409) is said at the Policy field, with the choice
 * to apply a second one.
 */
import { useState } from 'react';
import type { PolicyTemplate } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { usePolicies, usePolicyTemplates } from '../apis/queries';
import { LazyPolicyForm } from './LazyPolicyForm';
import { duplicateMessage, placeFailure } from './policy-errors';
import { hasParameters, type JsonSchema } from './policy-schema';
import { applyPolicy, useInstanceWrite } from './policy-writes';
import { BusyButton } from '../../components/BusyButton';

export function ApplyPolicy(props: { apiId: string; preselect?: string | undefined; onDone: () => void }) {
  const { orgId, envId } = useScope();
  const templates = usePolicyTemplates(orgId, envId, props.apiId);
  const applied = new Set((usePolicies(orgId, envId, props.apiId).data ?? []).map((p) => p.assetId));
  const [selected, setSelected] = useState<string | undefined>(props.preselect);
  const template = templates.data?.find((t) => t.assetId === selected);
  const apply = useInstanceWrite(props.apiId, applyPolicy, props.onDone);

  const duplicate = template && duplicateMessage(apply.error, template.name);
  const failure = duplicate ? undefined : apply.error;
  const submit = (configurationData: Record<string, unknown>) => apply.mutate({ template: template!, configurationData });
  const schema = template?.configuration as JsonSchema | undefined;

  return (
    <section className="panel policy-panel" aria-labelledby="apply-policy-title">
      <h2 id="apply-policy-title">Apply policy</h2>
      <ErrorMessage error={templates.error} />
      <Field label="Policy" error={duplicate}>
        {(ids) => (
          <select
            {...ids}
            value={selected ?? ''}
            onChange={(e) => {
              apply.reset();
              setSelected(e.target.value || undefined);
            }}
          >
            <option value="">Select a policy…</option>
            {byCategory(templates.data ?? []).map(([category, list]) => (
              <optgroup key={category} label={category}>
                {list.map((t) => (
                  <option key={t.assetId} value={t.assetId}>
                    {applied.has(t.assetId) ? `${t.name} (applied)` : t.name}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        )}
      </Field>
      {duplicate && (
        <p>
          <BusyButton busy={apply.isPending} onClick={() => apply.mutate({ ...apply.variables!, allowDuplicated: true })}>
            Apply a second one
          </BusyButton>
        </p>
      )}
      {template && <p className="muted">{template.description}</p>}
      {template && !hasParameters(schema) && (
        <>
          <p>There are no parameters to configure for the {template.name} policy.</p>
          <ErrorMessage error={placeFailure(failure).message} />
          <div className="actions">
            <button type="button" onClick={props.onDone}>
              Cancel
            </button>
            <BusyButton className="primary" busy={apply.isPending} onClick={() => submit({})}>
              Apply
            </BusyButton>
          </div>
        </>
      )}
      {template && hasParameters(schema) && (
        <LazyPolicyForm
          key={template.assetId}
          schema={schema!}
          failure={failure}
          busy={apply.isPending}
          submitLabel="Apply"
          onSubmit={submit}
          onCancel={props.onDone}
        />
      )}
    </section>
  );
}

/** Templates by category, in the catalog's order. */
function byCategory(templates: PolicyTemplate[]): [string, PolicyTemplate[]][] {
  const groups = new Map<string, PolicyTemplate[]>();
  for (const t of templates) {
    const category = t.category ?? 'Other';
    groups.set(category, [...(groups.get(category) ?? []), t]);
  }
  return [...groups];
}
