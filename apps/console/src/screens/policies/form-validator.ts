/**
 * The JSON-Schema form's validator. The control plane is the one that validates a policy
 * configuration (its messages come back at the fields they name), so the browser validates
 * nothing: ajv compiles schemas with `new Function`, which the console's content security policy
 * forbids. The form library still asks which branch of a conditional (`if`/`then`/`else`) applies
 * to the data being edited; `matches` answers that for the keywords the catalog's forms use.
 */
import type { RJSFSchema, ValidatorType } from '@rjsf/utils';

type Schema = RJSFSchema | boolean | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

/** Whether `value` satisfies `schema` (type, const, enum, required, properties, items, not, allOf, anyOf, oneOf, if/then/else, size bounds). */
export function matches(schema: Schema, value: unknown): boolean {
  if (schema === undefined || schema === true) return true;
  if (schema === false) return false;
  const s = schema;
  const types = s.type === undefined ? [] : [s.type].flat();
  if (types.length > 0 && !types.some((t) => hasType(String(t), value))) return false;
  if ('const' in s && !same(s.const, value)) return false;
  if (s.enum && !s.enum.some((e) => same(e, value))) return false;
  if (s.not !== undefined && matches(s.not, value)) return false;
  if (s.allOf && !s.allOf.every((sub) => matches(sub, value))) return false;
  if (s.anyOf && !s.anyOf.some((sub) => matches(sub, value))) return false;
  if (s.oneOf && s.oneOf.filter((sub) => matches(sub, value)).length !== 1) return false;
  if (s.if !== undefined && !matches(matches(s.if, value) ? s.then : s.else, value)) return false;
  if (isObject(value)) {
    if (s.required?.some((key) => value[key] === undefined)) return false;
    for (const [key, sub] of Object.entries(s.properties ?? {}))
      if (value[key] !== undefined && !matches(sub as Schema, value[key])) return false;
  }
  if (Array.isArray(value)) {
    if (isObject(s.items) && !value.every((item) => matches(s.items as Schema, item))) return false;
    if (value.length < (s.minItems ?? 0) || value.length > (s.maxItems ?? Infinity)) return false;
  }
  if (typeof value === 'string' && (value.length < (s.minLength ?? 0) || value.length > (s.maxLength ?? Infinity))) return false;
  if (typeof value === 'number' && (value < (s.minimum ?? -Infinity) || value > (s.maximum ?? Infinity))) return false;
  return true;
}

export const formValidator: ValidatorType = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  rawValidation: () => ({ errors: [] }),
  isValid: (schema, formData) => matches(schema, formData),
};
