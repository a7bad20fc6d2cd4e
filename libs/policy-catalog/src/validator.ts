/**
 * Validates `configurationData` against a template's gateway form (ajv, JSON Schema 2019-09).
 * Each form is compiled once, on first use. Valid input comes back with the form's defaults
 * filled in; the caller's object is never modified.
 *
 * Issues name the property and the reason (`configurationData.rateLimits[0].maximumRequests: must
 * be >= 1`). An unknown property that is the generic-form name of a gateway property gets a
 * hint (`credentialsOrigin is not a property of client-id-enforcement; use
 * credentialsOriginHasHttpBasicAuthenticationHeader`): seed 001's most common mistake.
 */
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import { STRING_FORMATS, type StringFormat } from './formats.js';
import type { JsonSchema, PolicyTemplateDefinition } from './policy-template.js';

/** Where an issue is, inside `configurationData`: property names and array indexes. */
export type ConfigurationPath = readonly (string | number)[];

/** One reason a configuration is invalid. */
export interface ConfigurationIssue {
  path: ConfigurationPath;
  /** The JSON Schema keyword that failed (`required`, `minimum`, `additionalProperties`, …). */
  keyword: string;
  message: string;
}

/** The outcome of {@link validateConfiguration}. */
export type ConfigurationResult =
  { valid: true; configuration: Record<string, unknown> } | { valid: false; issues: ConfigurationIssue[] };

const ajv = new Ajv2019({
  allErrors: true,
  useDefaults: true,
  verbose: true,
  strict: true,
  // if/then blocks name and require properties declared by the enclosing schema; that is intended.
  strictTypes: false,
  strictRequired: false,
  formats: Object.fromEntries(
    Object.entries(STRING_FORMATS).map(([name, f]) => [name, { type: 'string', validate: f.validate }]),
  ),
});
ajv.addKeyword({ keyword: 'x-sensitive', schemaType: 'boolean' });

const compiled = new Map<PolicyTemplateDefinition, ValidateFunction>();

function validatorFor(template: PolicyTemplateDefinition): ValidateFunction {
  let validate = compiled.get(template);
  if (!validate) {
    validate = ajv.compile(template.schema);
    compiled.set(template, validate);
  }
  return validate;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks `configuration` against the template's gateway form and fills its defaults. */
export function validateConfiguration(template: PolicyTemplateDefinition, configuration: unknown): ConfigurationResult {
  if (!isPlainObject(configuration)) return { valid: false, issues: [{ path: [], keyword: 'type', message: 'must be object' }] };
  const data = structuredClone(configuration);
  const validate = validatorFor(template);
  if (validate(data)) return { valid: true, configuration: data };
  const seen = new Set<string>();
  const issues: ConfigurationIssue[] = [];
  // `if` only reports that a `then` failed; the `then` errors themselves say why, and come after
  // the errors of the plain form, which are usually the root cause.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  const conditional = (e: ErrorObject) => (e.schemaPath.includes('/then/') ? 1 : 0);
  for (const error of errors.sort((a, b) => conditional(a) - conditional(b))) {
    const issue = toIssue(template, error, data);
    const key = formatConfigurationIssue(issue);
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return { valid: false, issues };
}

/** `configurationData.rateLimits[0].maximumRequests` for `['rateLimits', 0, 'maximumRequests']`. */
export function formatConfigurationPath(path: ConfigurationPath): string {
  return path.reduce<string>((out, segment) => {
    if (typeof segment === 'number') return `${out}[${segment}]`;
    return /^[A-Za-z_$][\w$]*$/.test(segment) ? `${out}.${segment}` : `${out}[${JSON.stringify(segment)}]`;
  }, 'configurationData');
}

/** `<path>: <reason>`, the message callers see. */
export function formatConfigurationIssue(issue: ConfigurationIssue): string {
  return `${formatConfigurationPath(issue.path)}: ${issue.message}`;
}

function toIssue(template: PolicyTemplateDefinition, error: ErrorObject, data: unknown): ConfigurationIssue {
  const path = pointerToPath(error.instancePath, data);
  const { keyword, params } = error;
  switch (keyword) {
    case 'required':
      return { path: [...path, params.missingProperty as string], keyword, message: 'is required' };
    case 'additionalProperties':
      return {
        path,
        keyword,
        message: unknownProperty(template, path, params.additionalProperty as string, error.parentSchema as JsonSchema),
      };
    case 'enum':
      return { path, keyword, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { path, keyword, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'format': {
      const format = (STRING_FORMATS as Record<string, StringFormat | undefined>)[params.format as string];
      if (!format) return { path, keyword, message: `must match format ${params.format as string}` };
      const why = typeof error.data === 'string' ? format.explain?.(error.data) : undefined;
      return { path, keyword, message: why ? `${format.message}: ${why}` : format.message };
    }
    default:
      return { path, keyword, message: error.message ?? 'is invalid' };
  }
}

function unknownProperty(
  template: PolicyTemplateDefinition,
  path: ConfigurationPath,
  property: string,
  schema: JsonSchema,
): string {
  const owner = path.length === 0 ? template.assetId : formatConfigurationPath(path).replace(/^configurationData\.?/, '');
  const known = Object.keys(schema.properties ?? {});
  const fromGeneric =
    path.length === 0 ? Object.entries(template.genericNames).find(([, generic]) => generic === property)?.[0] : undefined;
  const sameButCase = known.find((name) => name.toLowerCase() === property.toLowerCase());
  const hint = fromGeneric ?? sameButCase;
  const base = `${property} is not a property of ${owner}`;
  if (hint) return `${base}; use ${hint}`;
  return known.length ? `${base} (properties: ${known.join(', ')})` : `${base}, which takes no configuration`;
}

/** Turns ajv's JSON pointer into path segments, telling array indexes from property names by the data. */
function pointerToPath(pointer: string, data: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let node: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(segment));
      node = node[Number(segment)];
    } else {
      path.push(segment);
      node = isPlainObject(node) ? node[segment] : undefined;
    }
  }
  return path;
}
