/**
 * The configuration form of a policy template, generated from its JSON Schema (2019-09) by
 * @rjsf/core: objects as fieldsets, arrays with add, remove and move buttons, enums as selects
 * (checkboxes for a set of enum values), secrets (`x-sensitive`) as password inputs. The control
 * plane validates (form-validator.ts): its messages, which `failure` carries, show at the fields
 * they name. `initial` prefills it (an applied policy, secrets masked: sending the mask back keeps
 * the stored secret).
 */
import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema } from '@rjsf/utils';
import { useMemo } from 'react';
import { FormActions } from '../../components/FormActions';
import { templates } from './form-templates';
import { formValidator } from './form-validator';
import { placeFailure } from './policy-errors';
import { type JsonSchema, uiSchemaOf } from './policy-schema';

export interface PolicyFormProps {
  schema: JsonSchema;
  initial?: Record<string, unknown>;
  /** The last failed write (shown at its fields, or as one message). */
  failure: unknown;
  busy: boolean;
  submitLabel: string;
  onSubmit: (data: Record<string, unknown>) => void;
  onCancel: () => void;
}

export default function PolicyForm(props: PolicyFormProps) {
  const editing = props.initial !== undefined;
  const uiSchema = useMemo(() => uiSchemaOf(props.schema, editing), [props.schema, editing]);
  const { tree, other, message } = placeFailure(props.failure);
  return (
    <Form
      className="policy-form"
      schema={props.schema as RJSFSchema}
      uiSchema={uiSchema}
      validator={formValidator}
      templates={templates}
      formData={props.initial}
      extraErrors={tree as ErrorSchema}
      showErrorList={false}
      noHtml5Validate
      onSubmit={({ formData }) => props.onSubmit((formData ?? {}) as Record<string, unknown>)}
    >
      {(other.length > 0 || message) && (
        <ul role="alert" className="error">
          {other.map((m) => (
            <li key={m}>{m}</li>
          ))}
          {message && <li>{message}</li>}
        </ul>
      )}
      <FormActions submit={props.submitLabel} busy={props.busy} onCancel={props.onCancel} />
    </Form>
  );
}
