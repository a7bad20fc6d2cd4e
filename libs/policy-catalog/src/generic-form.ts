/**
 * The generic (legacy) form of a template: the `configuration[]` array of Anypoint's
 * `policy-templates` API. It uses generic property names (`credentialsOrigin`) where the gateway
 * form differs (`credentialsOriginHasHttpBasicAuthenticationHeader`), which is why seed 001 warns
 * against applying policies with it; it is derived from the gateway form so the two never drift.
 */
import type { JsonSchema, PolicyTemplateDefinition } from './policy-template.js';

/** Field types of the generic form. */
export type GenericPropertyType = 'string' | 'expression' | 'int' | 'number' | 'boolean' | 'radio' | 'object';

/** One field of the generic form. */
export interface GenericProperty {
  propertyName: string;
  name: string;
  description: string | null;
  type: GenericPropertyType;
  optional: boolean;
  sensitive: boolean;
  defaultValue: unknown;
  allowMultiple: boolean;
  options?: { name: string; value: string | number }[];
  /** Fields of each element, for lists of objects. */
  configuration?: GenericProperty[];
}

/** The generic form of `template`, in the gateway form's property order. */
export function genericForm(template: PolicyTemplateDefinition): GenericProperty[] {
  return fields(template.schema, template.genericNames);
}

function fields(schema: JsonSchema, renames: Readonly<Record<string, string>> = {}): GenericProperty[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const element = property.type === 'array' && property.items ? property.items : property;
    const field: GenericProperty = {
      propertyName: renames[key] ?? key,
      name: property.title ?? key,
      description: property.description ?? null,
      type: fieldType(element),
      optional: !required.has(key),
      sensitive: property['x-sensitive'] === true,
      defaultValue: property.default ?? null,
      allowMultiple: property.type === 'array',
    };
    if (element.enum) field.options = element.enum.map((value) => ({ name: String(value), value }));
    if (element.type === 'object') field.configuration = fields(element);
    return field;
  });
}

function fieldType(schema: JsonSchema): GenericPropertyType {
  if (schema.enum) return 'radio';
  switch (schema.type) {
    case 'integer':
      return 'int';
    case 'number':
    case 'boolean':
    case 'object':
      return schema.type;
    default:
      return schema.format === 'dataweaveExpression' ? 'expression' : 'string';
  }
}
