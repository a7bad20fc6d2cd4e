import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2019 from 'ajv/dist/2019';
import { ApiError } from '../../api/errors';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formErrors, type JsonSchema } from './policy-schema';

/**
 * The catalog's schemas are JSON Schema 2019-09; formats of their own (CEL, Cedar, linear regular
 * expressions) are checked by the control plane, whose messages come back as `fieldErrors`.
 */
const validator = customizeValidator({ AjvClass: Ajv2019, ajvOptionsOverrides: { validateFormats: false, strict: false } });

export default function PolicyForm(props: {
  schema: JsonSchema;
  initial?: Record<string, unknown>;
  fieldErrors: Readonly<Record<string, string>>;
  error: unknown;
  busy: boolean;
  submitLabel?: string;
  onSubmit: (data: Record<string, unknown>) => void;
  onCancel: () => void;
}) {
  const { $schema: _dialect, ...schema } = props.schema;
  const { tree, other } = formErrors(props.fieldErrors);
  const placed = props.error instanceof ApiError && Object.keys(props.fieldErrors).length > 0;
  return (
    <Form
      schema={schema as RJSFSchema}
      validator={validator}
      formData={props.initial}
      extraErrors={tree as ErrorSchema}
      showErrorList={false}
      noHtml5Validate
      onSubmit={({ formData }) => props.onSubmit((formData ?? {}) as Record<string, unknown>)}
    >
      {other.length > 0 && (
        <ul role="alert" className="error">
          {other.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      {!placed && <ErrorMessage error={props.error} />}
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={props.busy}>
          {props.submitLabel ?? 'Apply'}
        </button>
      </div>
    </Form>
  );
}
