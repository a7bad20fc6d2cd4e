/**
 * Sensitive values: strings whose schema says `x-sensitive: true` (passwords, shared secrets,
 * tokens). The control plane stores them encrypted and answers with {@link SECRET_MASK}; a
 * client that sends the mask back means "keep the stored value".
 */
import type { JsonSchema, PolicyTemplateDefinition } from './policy-template.js';
import type { ConfigurationPath } from './validator.js';

/** What API responses show instead of a sensitive value. */
export const SECRET_MASK = '********';

/** Called for each sensitive value present; returns its replacement. */
export type SensitiveVisitor = (value: string, path: ConfigurationPath) => unknown;

/** A copy of `configuration` with every sensitive string replaced by `visit(value, path)`. */
export function mapSensitive(
  template: PolicyTemplateDefinition,
  configuration: Record<string, unknown>,
  visit: SensitiveVisitor,
): Record<string, unknown> {
  return walk(template.schema, configuration, [], visit) as Record<string, unknown>;
}

function walk(schema: JsonSchema, value: unknown, path: (string | number)[], visit: SensitiveVisitor): unknown {
  if (schema['x-sensitive'] && typeof value === 'string') return visit(value, path);
  if (Array.isArray(value)) {
    const items = schema.items;
    return items ? value.map((item, i) => walk(items, item, [...path, i], visit)) : value;
  }
  if (value && typeof value === 'object' && schema.properties) {
    const properties = schema.properties;
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => {
        const childSchema = properties[key];
        return [key, childSchema ? walk(childSchema, child, [...path, key], visit) : child];
      }),
    );
  }
  return value;
}
