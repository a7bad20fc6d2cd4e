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
