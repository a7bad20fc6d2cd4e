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

/**
 * The form's layout hints for `schema`: secrets (`x-sensitive`, at any depth) are password inputs
 * the browser does not fill in; when `editing`, their help says the mask keeps the stored value.
 */
export function uiSchemaOf(schema: JsonSchema, editing: boolean): Record<string, unknown> {
  if (schema['x-sensitive']) {
    return {
      'ui:widget': 'password',
      'ui:autocomplete': 'new-password',
      ...(editing && { 'ui:help': 'Stored encrypted and shown masked. Leave it as it is to keep the stored secret.' }),
    };
  }
  const ui: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childUi = uiSchemaOf(child, editing);
    if (Object.keys(childUi).length > 0) ui[key] = childUi;
  }
  const items = schema.items as JsonSchema | undefined;
  if (items) {
    const itemsUi = uiSchemaOf(items, editing);
    if (Object.keys(itemsUi).length > 0) ui.items = itemsUi;
  }
  return ui;
}
