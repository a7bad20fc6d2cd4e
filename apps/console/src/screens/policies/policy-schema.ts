/** A policy template's configuration schema (JSON Schema 2019-09), as far as the console reads it. */
export interface JsonSchema {
  $schema?: string;
  type?: string;
  properties?: Record<string, JsonSchema>;
  [keyword: string]: unknown;
}

export function hasParameters(schema: JsonSchema | undefined): boolean {
  return Object.keys(schema?.properties ?? {}).length > 0;
}

/**
 * REST validation messages of `configurationData.<path>` in the shape the form library shows
 * next to each field (`{a: {b: {__errors: [message]}}}`); the rest are returned as `other`.
 */
export function formErrors(fields: Readonly<Record<string, string>>): { tree: Record<string, unknown>; other: string[] } {
  const tree: Record<string, unknown> = {};
  const other: string[] = [];
  for (const [field, message] of Object.entries(fields)) {
    const [root, ...path] = field.split('.');
    if (root !== 'configurationData' || path.length === 0) {
      other.push(`${field}: ${message}`);
      continue;
    }
    let node = tree;
    for (const key of path) node = (node[key] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(message);
  }
  return { tree, other };
}
