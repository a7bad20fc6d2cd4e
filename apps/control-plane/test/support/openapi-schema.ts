/** The part of the served OpenAPI document's JSON schemas that the bad-input and fuzz specs read. */

/** A JSON schema of the OpenAPI document, as far as the specs read it. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  maximum?: number;
}

/** Every alternative a schema allows (anyOf/oneOf/allOf flattened), the schema itself first. */
export function alternatives(schema: JsonSchema): JsonSchema[] {
  const nested = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  return [schema, ...nested.flatMap(alternatives)];
}
