/**
 * The MCP Registry's `server.json` (modelcontextprotocol/registry,
 * docs/reference/server-json/server.schema.json, 2025-12-11 draft): a faithful subset of its JSON
 * Schema, and the checks a schema cannot express.
 *
 * What Portico reads is validated as the registry does: `name` reverse-DNS with exactly one
 * slash, `description` up to 100 characters, `version` a concrete version (no range), remotes of
 * type `streamable-http` or `sse` whose URL starts with http(s):// or a `{variable}`, headers and
 * variables as the registry's Input/KeyValueInput. Fields Portico does not use (packages'
 * arguments, `_meta`) are kept as sent; unknown top-level fields are allowed, as the registry
 * allows them. On top of the schema: every `{placeholder}` of a remote URL or header value must
 * be declared by its `variables` (otherwise the URL could never resolve), a remote names each
 * header once, a default is one of its choices, and no string holds a lone UTF-16 surrogate
 * (which Postgres cannot store).
 *
 * Issues name the JSON path from the document root (`/remotes/0/url`), so a caller can prefix
 * where the document sits in the request.
 */
import { STRING_FORMATS } from '#portico/policy-catalog';
import { Ajv, type ErrorObject } from 'ajv';

/** An input of a remote (a URL variable, a header's variable): the registry's `Input`. */
export interface ServerInput {
  description?: string;
  isRequired?: boolean;
  isSecret?: boolean;
  default?: string;
  value?: string;
  choices?: string[];
  format?: 'string' | 'number' | 'boolean' | 'filepath';
  placeholder?: string;
}

/** A header of a remote (the registry's `KeyValueInput`): `value` may use `{variables}` of its own. */
export interface ServerHeader extends ServerInput {
  name: string;
  variables?: Record<string, ServerInput>;
}

export interface ServerRemote {
  type: 'streamable-http' | 'sse';
  url: string;
  headers?: ServerHeader[];
  variables?: Record<string, ServerInput>;
}

export interface ServerPackage {
  registryType: string;
  identifier: string;
  version?: string;
  transport: { type: string };
  [field: string]: unknown;
}

/** A validated server.json document. */
export interface ServerJson {
  $schema?: string;
  name: string;
  title?: string;
  description: string;
  version: string;
  websiteUrl?: string;
  repository?: { url: string; source: string; id?: string; subfolder?: string };
  icons?: { src: string; mimeType?: string; sizes?: string[]; theme?: 'light' | 'dark' }[];
  remotes?: ServerRemote[];
  packages?: ServerPackage[];
  _meta?: Record<string, unknown>;
  [field: string]: unknown;
}

/** One reason a document is not a valid server.json: where (JSON pointer from its root) and why. */
export interface ServerJsonIssue {
  path: string;
  message: string;
}

export type ServerJsonResult = { valid: true; server: ServerJson } | { valid: false; issues: ServerJsonIssue[] };

/** `{name}` placeholders, as the registry's URL pattern and input `value` use them. */
export const PLACEHOLDER = /\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g;

/** A version range or tag, which the registry refuses as a server version. */
const VERSION_RANGE = /^\s*([\^~<>=*]|latest$)|(^|\.)[xX*](\.|$)/;

function isHttpUrl(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** String formats of the schema, each with the reason shown when a value does not match. */
const FORMATS: Record<string, { validate: (v: string) => boolean; message: string }> = {
  serverName: {
    validate: (v) => /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/.test(v),
    message: 'must be a reverse-DNS name with exactly one slash, e.g. io.github.owner/server',
  },
  serverVersion: {
    validate: (v) => !VERSION_RANGE.test(v),
    message: 'must be a specific version such as 1.0.2, not a range or tag (^1.2.3, ~1.2.3, >=1.2.3, 1.x, latest)',
  },
  remoteUrl: {
    validate: (v) => /^(https?:\/\/[^\s]+|\{[a-zA-Z_][a-zA-Z0-9_]*\}[^\s]*)$/.test(v),
    message: 'must start with http://, https:// or a {variable} (e.g. {baseUrl}) and contain no spaces',
  },
  webUrl: { validate: (v) => isHttpUrl(v, ['http:', 'https:']), message: 'must be an http(s) URL' },
  httpsUrl: { validate: (v) => isHttpUrl(v, ['https:']), message: 'must be an https URL' },
  headerName: { validate: STRING_FORMATS.httpHeaderName.validate, message: STRING_FORMATS.httpHeaderName.message },
};

const input = {
  type: 'object',
  properties: {
    description: { type: 'string', maxLength: 2000 },
    isRequired: { type: 'boolean' },
    isSecret: { type: 'boolean' },
    format: { enum: ['string', 'number', 'boolean', 'filepath'] },
    value: { type: 'string', maxLength: 8192 },
    default: { type: 'string', maxLength: 8192 },
    placeholder: { type: 'string', maxLength: 2000 },
    choices: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 1024 } },
  },
};

const variables = {
  type: 'object',
  maxProperties: 50,
  propertyNames: { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
  additionalProperties: { $ref: '#/definitions/Input' },
};

/** The JSON Schema (draft-07) of what Portico accepts as server.json. */
export const SERVER_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'server.json (MCP Registry), as Portico validates it',
  definitions: {
    Input: input,
    KeyValueInput: {
      allOf: [
        { $ref: '#/definitions/Input' },
        {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', format: 'headerName' }, variables },
        },
      ],
    },
    Remote: {
      type: 'object',
      required: ['type', 'url'],
      properties: {
        type: { enum: ['streamable-http', 'sse'] },
        url: { type: 'string', maxLength: 2048, format: 'remoteUrl' },
        headers: { type: 'array', maxItems: 50, items: { $ref: '#/definitions/KeyValueInput' } },
        variables,
      },
    },
    Package: {
      type: 'object',
      required: ['registryType', 'identifier', 'transport'],
      properties: {
        registryType: { type: 'string', minLength: 1, maxLength: 64 },
        registryBaseUrl: { type: 'string', format: 'webUrl' },
        identifier: { type: 'string', minLength: 1, maxLength: 2048 },
        version: { type: 'string', minLength: 1, maxLength: 255, format: 'serverVersion' },
        transport: {
          type: 'object',
          required: ['type'],
          properties: { type: { enum: ['stdio', 'streamable-http', 'sse'] }, url: { type: 'string', maxLength: 2048 } },
        },
      },
    },
  },
  type: 'object',
  required: ['name', 'description', 'version'],
  properties: {
    $schema: { type: 'string', format: 'webUrl' },
    name: { type: 'string', minLength: 3, maxLength: 200, format: 'serverName' },
    title: { type: 'string', minLength: 1, maxLength: 100 },
    description: { type: 'string', minLength: 1, maxLength: 100 },
    version: { type: 'string', minLength: 1, maxLength: 255, format: 'serverVersion' },
    websiteUrl: { type: 'string', format: 'webUrl' },
    repository: {
      type: 'object',
      required: ['url', 'source'],
      properties: {
        url: { type: 'string', format: 'webUrl' },
        source: { type: 'string', maxLength: 64 },
        id: { type: 'string', maxLength: 255 },
        subfolder: { type: 'string', maxLength: 1024 },
      },
    },
    icons: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        required: ['src'],
        properties: {
          src: { type: 'string', maxLength: 255, format: 'httpsUrl' },
          mimeType: { enum: ['image/png', 'image/jpeg', 'image/jpg', 'image/svg+xml', 'image/webp'] },
          sizes: { type: 'array', items: { type: 'string', pattern: '^(\\d+x\\d+|any)$' } },
          theme: { enum: ['light', 'dark'] },
        },
      },
    },
    remotes: { type: 'array', maxItems: 20, items: { $ref: '#/definitions/Remote' } },
    packages: { type: 'array', maxItems: 50, items: { $ref: '#/definitions/Package' } },
    _meta: { type: 'object' },
  },
} as const;

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  formats: Object.fromEntries(Object.entries(FORMATS).map(([name, f]) => [name, { type: 'string', validate: f.validate }])),
});
const validateSchema = ajv.compile(SERVER_JSON_SCHEMA);

function messageOf(error: ErrorObject): ServerJsonIssue {
  switch (error.keyword) {
    case 'required':
      return { path: `${error.instancePath}/${String(error.params.missingProperty)}`, message: 'is required' };
    case 'format':
      return {
        path: error.instancePath,
        message: FORMATS[String(error.params.format)]?.message ?? error.message ?? 'is invalid',
      };
    case 'enum':
      return {
        path: error.instancePath,
        message: `must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'pattern':
      return error.propertyName !== undefined
        ? { path: `${error.instancePath}/${error.propertyName}`, message: 'must be a name of letters, digits and _' }
        : { path: error.instancePath, message: `must match ${String(error.params.pattern)}` };
    case 'propertyNames':
      return { path: error.instancePath, message: 'has an invalid variable name' };
    default:
      return { path: error.instancePath, message: error.message ?? 'is invalid' };
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Path of the first string or key holding a lone surrogate, walked without recursion. */
function loneSurrogateAt(value: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return path;
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push({ value: item, path: `${path}/${i}` }));
    } else if (current && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        if (LONE_SURROGATE.test(key)) return path;
        stack.push({ value: item, path: `${path}/${pointerSegment(key)}` });
      }
    }
  }
  return undefined;
}

function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The placeholder names `text` uses, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

function undeclared(text: string, declared: Record<string, unknown> | undefined): string[] {
  return placeholdersOf(text).filter((name) => !declared || !Object.hasOwn(declared, name));
}

function choiceIssues(spec: ServerInput, path: string): ServerJsonIssue[] {
  if (spec.default === undefined || !spec.choices?.length || spec.choices.includes(spec.default)) return [];
  return [{ path: `${path}/default`, message: `must be one of its choices (${spec.choices.join(', ')})` }];
}

function variableIssues(vars: Record<string, ServerInput> | undefined, path: string): ServerJsonIssue[] {
  return Object.entries(vars ?? {}).flatMap(([name, spec]) => choiceIssues(spec, `${path}/variables/${pointerSegment(name)}`));
}

/** What the schema cannot say (see the header). */
function semanticIssues(server: ServerJson): ServerJsonIssue[] {
  const issues: ServerJsonIssue[] = [];
  (server.remotes ?? []).forEach((remote, i) => {
    const at = `/remotes/${i}`;
    const missing = undeclared(remote.url, remote.variables);
    if (missing.length) {
      issues.push({
        path: `${at}/url`,
        message: `uses ${missing.map((m) => `{${m}}`).join(', ')}, which ${at}/variables does not declare`,
      });
    }
    issues.push(...variableIssues(remote.variables, at));
    const seen = new Set<string>();
    (remote.headers ?? []).forEach((header, j) => {
      const where = `${at}/headers/${j}`;
      const key = header.name.toLowerCase();
      if (seen.has(key)) issues.push({ path: `${where}/name`, message: `names header ${header.name} a second time` });
      seen.add(key);
      if (header.value !== undefined) {
        const unknown = undeclared(header.value, header.variables);
        if (unknown.length) {
          issues.push({
            path: `${where}/value`,
            message: `uses ${unknown.map((m) => `{${m}}`).join(', ')}, which ${where}/variables does not declare`,
          });
        }
      }
      issues.push(...choiceIssues(header, where), ...variableIssues(header.variables, where));
    });
  });
  return issues;
}

/** Validates `document` as a server.json (see the header). */
export function validateServerJson(document: unknown): ServerJsonResult {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return { valid: false, issues: [{ path: '', message: 'must be a server.json object' }] };
  }
  const surrogate = loneSurrogateAt(document);
  if (surrogate !== undefined) {
    return { valid: false, issues: [{ path: surrogate, message: 'must be valid Unicode (it holds a lone surrogate)' }] };
  }
  if (!validateSchema(document)) {
    const issues = (validateSchema.errors ?? []).map(messageOf);
    const unique = new Map(issues.map((issue) => [`${issue.path} ${issue.message}`, issue]));
    return { valid: false, issues: [...unique.values()] };
  }
  const server = document as ServerJson;
  const issues = semanticIssues(server);
  return issues.length ? { valid: false, issues } : { valid: true, server };
}

/** The remotes a gateway can front: Streamable HTTP ones, with their index in `remotes`. */
export function installableRemotes(server: ServerJson): { index: number; remote: ServerRemote }[] {
  return (server.remotes ?? []).flatMap((remote, index) => (remote.type === 'streamable-http' ? [{ index, remote }] : []));
}

/** Most servers one document may hold (a registry export page holds at most 100). */
export const MAX_SERVERS_PER_DOCUMENT = 500;

/**
 * Validates a library document: one server.json, or a registry export `{ servers: [...],
 * metadata? }` (the registry API's list answer) whose items are `{ server, _meta? }` or bare
 * server.json documents (the registry's `_meta` beside `server` is not kept). Every server is
 * validated; issues carry their full path (`/servers/2/server/remotes/0/url`). Two servers of one
 * name and version in the document are an issue too.
 */
export function validateLibraryDocument(
  document: unknown,
): { valid: true; servers: ServerJson[] } | { valid: false; issues: ServerJsonIssue[] } {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(document)) {
    return {
      valid: false,
      issues: [{ path: '', message: 'must be a server.json object or a registry export { servers: [...] }' }],
    };
  }
  if (!('servers' in document)) {
    const result = validateServerJson(document);
    return result.valid ? { valid: true, servers: [result.server] } : result;
  }
  const items = document.servers;
  if (!Array.isArray(items)) return { valid: false, issues: [{ path: '/servers', message: 'must be an array' }] };
  if (items.length === 0) return { valid: false, issues: [{ path: '/servers', message: 'must hold at least one server' }] };
  if (items.length > MAX_SERVERS_PER_DOCUMENT) {
    return { valid: false, issues: [{ path: '/servers', message: `must hold at most ${MAX_SERVERS_PER_DOCUMENT} servers` }] };
  }
  const issues: ServerJsonIssue[] = [];
  const servers: ServerJson[] = [];
  const seen = new Map<string, string>();
  items.forEach((item, i) => {
    const wrapped = isObject(item) && isObject(item.server);
    const at = wrapped ? `/servers/${i}/server` : `/servers/${i}`;
    const result = validateServerJson(wrapped ? item.server : item);
    if (!result.valid) {
      issues.push(...result.issues.map((issue) => ({ path: `${at}${issue.path}`, message: issue.message })));
      return;
    }
    const key = `${result.server.name}@${result.server.version}`;
    const first = seen.get(key);
    if (first) issues.push({ path: at, message: `is ${key} again (as ${first})` });
    seen.set(key, at);
    servers.push(result.server);
  });
  return issues.length ? { valid: false, issues } : { valid: true, servers };
}
