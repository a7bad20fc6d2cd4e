/**
 * The shape of a built-in policy template: its Exchange coordinates, where it can run, and its
 * configuration form as a JSON Schema (draft 2019-09), the form gateways read.
 */

/** Exchange group of every MuleSoft-provided policy template, reused for Portico's built-ins. */
export const POLICY_GROUP_ID = '68ef9520-24e9-4cf2-b2f5-620025690913';

/** `technology` of an API instance, as sent by Anypoint clients. */
export type Technology = 'flexGateway' | 'mule4' | 'mule3' | 'serviceMesh';

/** Categories shown by the Anypoint policy catalog. */
export type PolicyCategory = 'MCP' | 'Security' | 'Quality of service' | 'Transformation' | 'Compliance';

/**
 * The subset of JSON Schema draft 2019-09 the catalog uses. `x-sensitive` marks a string whose
 * value is a secret: stored encrypted and never echoed back by the control plane.
 */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  title?: string;
  description?: string;
  default?: unknown;
  enum?: readonly (string | number)[];
  const?: unknown;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  not?: JsonSchema;
  allOf?: readonly JsonSchema[];
  'x-sensitive'?: boolean;
}

/** A configuration form: always an object that rejects properties it does not declare. */
export interface ConfigurationSchema extends JsonSchema {
  $schema: string;
  $id: string;
  type: 'object';
  title: string;
  properties: Readonly<Record<string, JsonSchema>>;
  required: readonly string[];
  additionalProperties: false;
}

/** One built-in policy template. */
export interface PolicyTemplateDefinition {
  groupId: string;
  assetId: string;
  /** Exchange version of the definition (contract §10.1 defaults for MuleSoft templates). */
  version: string;
  name: string;
  description: string;
  category: PolicyCategory;
  /** Only meaningful in front of an MCP server (endpoint type `mcp`). */
  mcpOnly: boolean;
  /** Technologies whose gateways implement the template. */
  technologies: readonly Technology[];
  /** The gateway form: `configurationData` of an applied policy must validate against it. */
  schema: ConfigurationSchema;
  /**
   * Gateway property name → the name the generic (legacy) form uses for it, where they differ,
   * e.g. `credentialsOriginHasHttpBasicAuthenticationHeader` → `credentialsOrigin`.
   */
  genericNames: Readonly<Record<string, string>>;
}

interface TemplateInput extends Omit<PolicyTemplateDefinition, 'groupId' | 'schema' | 'genericNames' | 'technologies'> {
  properties: Record<string, JsonSchema>;
  required?: string[];
  /** Cross-field rules (if/then) of the form. */
  allOf?: JsonSchema[];
  genericNames?: Record<string, string>;
  technologies?: Technology[];
}

/** Builds a definition in the policy group whose form rejects undeclared properties. */
export function defineTemplate(input: TemplateInput): PolicyTemplateDefinition {
  const { properties, required = [], allOf, genericNames = {}, technologies = ['flexGateway'], ...rest } = input;
  const schema: ConfigurationSchema = {
    $schema: 'https://json-schema.org/draft/2019-09/schema',
    $id: `${input.assetId}/${input.version}`,
    title: input.name,
    type: 'object',
    properties,
    required,
    additionalProperties: false,
    ...(allOf ? { allOf } : {}),
  };
  return deepFreeze({ ...rest, groupId: POLICY_GROUP_ID, technologies, schema, genericNames });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
