/**
 * Edit an applied policy's configuration: the template's form prefilled with what the policy has
 * (secrets masked; left as they are, the stored ones are kept), saved with PATCH
 * configurationData. Validation errors appear at the fields they name.
 */
import type { AppliedPolicy } from '../../api/resources';
import { LazyPolicyForm } from './LazyPolicyForm';
import type { JsonSchema } from './policy-schema';
import { updatePolicy, useInstanceWrite } from './policy-writes';

export function EditPolicy(props: {
  apiId: string;
  policy: AppliedPolicy;
  name: string;
  schema: JsonSchema;
  onDone: () => void;
}) {
  const save = useInstanceWrite(props.apiId, updatePolicy, props.onDone);
  const titleId = `edit-policy-${props.policy.id}`;
  return (
    <section className="panel policy-panel" aria-labelledby={titleId}>
      <h3 id={titleId}>Edit {props.name}</h3>
      <LazyPolicyForm
        schema={props.schema}
        initial={props.policy.configurationData}
        failure={save.error}
        busy={save.isPending}
        submitLabel="Save"
        onSubmit={(configurationData) => save.mutate({ id: props.policy.id, changes: { configurationData } })}
        onCancel={props.onDone}
      />
    </section>
  );
}
