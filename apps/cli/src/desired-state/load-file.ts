/**
 * Reads a `portico.yaml` into the desired state (model.ts). The file is YAML (one document; any
 * YAML error or warning, a duplicate key included, refuses it), valid against
 * portico-file.schema.json, with these rules the schema cannot express: instance labels, client
 * application names, assets (assetId@version) and an instance's API key names are unique.
 *
 * What the file may leave out is filled in (empty lists, mode enforce, not disabled, an empty
 * configuration); `upstream: URL` becomes `{uri}` and `asset: id@version` becomes
 * `{assetId, version}`. Inside a policy configuration, an object whose only key is `fromEnv`
 * (an environment variable, set and not empty) or `fromFile` (a path relative to the YAML file's
 * directory; its content less one trailing newline) is replaced by that secret, and the
 * policy's `secretPaths` lists where (JSON pointers into the configuration).
 *
 * A file that is not valid throws a CliError with EXIT.invalidFile whose message has one line
 * per problem, every problem at once (the first 20), in file order: `file:line:col: path what`,
 * the position being the property's key (an item's start for a list item). No message ever
 * holds a secret's value.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import { CliError, EXIT } from '../exit-codes.js';
import type {
  ApiKeySpec,
  AssetSpec,
  ClientApplicationSpec,
  ContractSpec,
  InstanceSpec,
  PolicySpec,
  PorticoFile,
} from './model.js';
import schema from './portico-file.schema.json' with { type: 'json' };

/** The published JSON Schema of the file (the file's format; the loader's result is model.ts). */
export const PORTICO_FILE_SCHEMA = schema;

const MAX_PROBLEMS = 20;

type Segment = string | number;

/** One problem: where (a path into the document, or a source offset) and what, after the path. */
interface Problem {
  at: readonly Segment[] | number;
  text: string;
}

const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
const validateFile = ajv.compile(PORTICO_FILE_SCHEMA);
const validateSecretRef = { fromEnv: definition('envSecretRef'), fromFile: definition('fileSecretRef') };

function definition(name: keyof typeof schema.$defs): ValidateFunction {
  const validate = ajv.getSchema(`${schema.$id}#/$defs/${name}`);
  if (!validate) throw new Error(`portico-file.schema.json has no $defs/${name}`);
  return validate;
}

/** What a failed `pattern` means, by the pattern (ajv would print the regular expression). */
const PATTERN_MEANING = new Map<string, string>([
  [schema.$defs.upstreamUri.pattern, 'must be an http(s) URL ending with "/"'],
  [schema.$defs.httpUrl.pattern, 'must be an http:// or https:// URL'],
  [schema.$defs.assetReference.pattern, 'must be assetId@version (e.g. weather-mcp@1.0.0) or a mapping'],
  [schema.$defs.envVarName.pattern, 'must be an environment variable name (letters, digits and _, not starting with a digit)'],
]);

// RFC 3339 date-time; the day is checked against its month below.
const DATE_TIME =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

function isDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/** Reads and checks `file` (its secret references are resolved from `env` and from files beside it). */
export async function loadPorticoFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<PorticoFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(EXIT.invalidFile, `${file}: cannot read the file: ${readFailure(err)}`);
  }
  return parsePorticoText(text, file, path.dirname(path.resolve(file)), env);
}

/** {@link loadPorticoFile} on text already read: `fileLabel` names it in messages, `baseDir` is where `fromFile` paths start. */
export async function parsePorticoText(
  text: string,
  fileLabel: string,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PorticoFile> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const refuse = (problems: Problem[]) => new CliError(EXIT.invalidFile, report(problems, doc, lineCounter, fileLabel));
  const yamlErrors = [...doc.errors, ...doc.warnings];
  if (yamlErrors.length > 0) throw refuse(yamlErrors.map((e) => ({ at: e.pos[0], text: yamlMessage(e, doc) })));
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    throw refuse([{ at: 0, text: err instanceof Error ? err.message : String(err) }]);
  }
  const problems: Problem[] = [];
  if (!validateFile(data)) problems.push(...schemaProblems(validateFile.errors ?? [], data, doc));
  problems.push(...duplicates(data));
  const resolved = await resolveSecrets(data, doc, baseDir, env, problems);
  if (problems.length > 0) throw refuse(problems);
  return normalize(data as FileData, resolved);
}

// --- the file as written (after validation) -------------------------------------------------

interface PolicyData {
  policy: string;
  version?: string;
  groupId?: string;
  mode?: PolicySpec['mode'];
  disabled?: boolean;
  configuration?: Record<string, unknown>;
}

interface InstanceData extends Omit<InstanceSpec, 'asset' | 'upstream' | 'policies' | 'apiKeys' | 'contracts'> {
  asset: string | InstanceSpec['asset'];
  upstream: string | InstanceSpec['upstream'];
  policies?: PolicyData[];
  apiKeys?: ApiKeySpec[];
  contracts?: ContractSpec[];
}

interface FileData {
  apiVersion: PorticoFile['apiVersion'];
  environment: string;
  assets?: AssetSpec[];
  clientApplications?: ClientApplicationSpec[];
  instances?: InstanceData[];
}

/** A policy configuration with its secret references replaced. */
interface ResolvedConfiguration {
  configuration: Record<string, unknown>;
  secretPaths: string[];
}

function normalize(data: FileData, resolved: Map<string, ResolvedConfiguration>): PorticoFile {
  return {
    apiVersion: data.apiVersion,
    environment: data.environment,
    assets: data.assets ?? [],
    clientApplications: data.clientApplications ?? [],
    instances: (data.instances ?? []).map(
      ({ asset, upstream, policies = [], apiKeys = [], contracts = [], ...instance }, i): InstanceSpec => ({
        ...instance,
        asset: typeof asset === 'string' ? splitAssetReference(asset) : asset,
        upstream: typeof upstream === 'string' ? { uri: upstream } : upstream,
        policies: policies.map(({ mode = 'enforce', disabled = false, configuration: _, ...policy }, j) => ({
          ...policy,
          mode,
          disabled,
          ...(resolved.get(`${i}/${j}`) as ResolvedConfiguration),
        })),
        apiKeys,
        contracts,
      }),
    ),
  };
}

function splitAssetReference(reference: string): InstanceSpec['asset'] {
  const at = reference.indexOf('@');
  return { assetId: reference.slice(0, at), version: reference.slice(at + 1) };
}

// --- rules beyond the schema ----------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of the list `parent[key]`, with their indexes (anything else is the schema's to report). */
function records(parent: unknown, key: string): [number, Record<string, unknown>][] {
  const list = isRecord(parent) ? parent[key] : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, i) => (isRecord(item) ? [[i, item] as [number, Record<string, unknown>]] : []));
}

function duplicates(data: unknown): Problem[] {
  const problems: Problem[] = [];
  /** Reports each item of `list` (at `base`) whose identity an earlier item already has. */
  const unique = (
    base: Segment[],
    list: [number, Record<string, unknown>][],
    identity: (item: Record<string, unknown>) => string | undefined,
    describe: (first: number, duplicate: number, id: string) => Problem,
  ) => {
    const seen = new Map<string, number>();
    for (const [i, item] of list) {
      const id = identity(item);
      if (id === undefined) continue;
      const first = seen.get(id);
      if (first === undefined) seen.set(id, i);
      else problems.push(describe(first, i, id));
    }
  };
  const uniqueName = (base: Segment[], list: [number, Record<string, unknown>][], key: string, rule: string) =>
    unique(
      base,
      list,
      (item) => (typeof item[key] === 'string' ? item[key] : undefined),
      (first, i, id) => ({
        at: [...base, i, key],
        text: `${jsonPath([...base, i, key])} duplicates ${jsonPath([...base, first, key])} (${JSON.stringify(id)}); ${rule}`,
      }),
    );

  const instances = records(data, 'instances');
  uniqueName(['instances'], instances, 'label', 'labels must be unique');
  uniqueName(['clientApplications'], records(data, 'clientApplications'), 'name', 'names must be unique');
  unique(
    ['assets'],
    records(data, 'assets'),
    (asset) =>
      typeof asset.assetId === 'string' && typeof asset.version === 'string' ? `${asset.assetId}@${asset.version}` : undefined,
    (first, i, id) => ({
      at: ['assets', i],
      text: `${jsonPath(['assets', i])} duplicates ${jsonPath(['assets', first])} (${id}); an assetId and version must be unique`,
    }),
  );
  for (const [i, instance] of instances) {
    uniqueName(['instances', i, 'apiKeys'], records(instance, 'apiKeys'), 'name', 'names must be unique within an instance');
  }
  return problems;
}

// --- secret references ----------------------------------------------------------------------

/** `fromEnv` or `fromFile` when `value` is a secret reference: an object with only that key. */
function secretRefKind(value: Record<string, unknown>): keyof typeof validateSecretRef | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  return keys[0] === 'fromEnv' || keys[0] === 'fromFile' ? keys[0] : undefined;
}

/** Resolves the references of every policy configuration; the result is keyed `instance/policy`. */
async function resolveSecrets(
  data: unknown,
  doc: Document,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  problems: Problem[],
): Promise<Map<string, ResolvedConfiguration>> {
  const resolved = new Map<string, ResolvedConfiguration>();
  for (const [i, instance] of records(data, 'instances')) {
    for (const [j, policy] of records(instance, 'policies')) {
      const configuration = policy.configuration ?? {};
      if (!isRecord(configuration)) continue;
      const at = ['instances', i, 'policies', j, 'configuration'];
      if (secretRefKind(configuration)) {
        problems.push({ at, text: `${jsonPath(at)} must be a mapping of the policy's properties, not a secret reference` });
        continue;
      }
      const secretPaths: string[] = [];
      const value = await resolveValue(configuration, { at, pointer: [] }, { doc, baseDir, env, problems, secretPaths });
      resolved.set(`${i}/${j}`, { configuration: value as Record<string, unknown>, secretPaths });
    }
  }
  return resolved;
}

interface ResolveContext {
  doc: Document;
  baseDir: string;
  env: NodeJS.ProcessEnv;
  problems: Problem[];
  secretPaths: string[];
}

/** `at`: the path in the file; `pointer`: the path in the configuration. */
async function resolveValue(
  value: unknown,
  where: { at: Segment[]; pointer: Segment[] },
  context: ResolveContext,
): Promise<unknown> {
  const child = (key: Segment) => ({ at: [...where.at, key], pointer: [...where.pointer, key] });
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const [i, item] of value.entries()) items.push(await resolveValue(item, child(i), context));
    return items;
  }
  if (!isRecord(value)) return value;
  const kind = secretRefKind(value);
  if (kind) {
    context.secretPaths.push(where.pointer.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join(''));
    return resolveSecret(value, kind, where.at, context);
  }
  const entries: [string, unknown][] = [];
  for (const [key, item] of Object.entries(value)) entries.push([key, await resolveValue(item, child(key), context)]);
  return Object.fromEntries(entries);
}

/** The secret's value, or '' after adding a problem (which never holds the value). */
async function resolveSecret(
  ref: Record<string, unknown>,
  kind: keyof typeof validateSecretRef,
  at: Segment[],
  { doc, baseDir, env, problems }: ResolveContext,
): Promise<string> {
  const validate = validateSecretRef[kind];
  if (!validate(ref)) {
    problems.push(...(validate.errors ?? []).map((e) => ajvProblem(e, ref, at, doc)));
    return '';
  }
  const name = ref[kind] as string;
  const subject = jsonPath(at);
  if (kind === 'fromEnv') {
    const secret = env[name];
    if (secret === undefined) problems.push({ at, text: `${subject}: environment variable ${name} is not set` });
    else if (secret === '') problems.push({ at, text: `${subject}: environment variable ${name} is empty` });
    return secret ?? '';
  }
  const file = path.resolve(baseDir, name);
  try {
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    const shown = file === name ? name : `${name} (${file})`;
    problems.push({ at, text: `${subject}: cannot read file ${shown}: ${readFailure(err)}` });
    return '';
  }
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return err instanceof Error ? err.message : String(err);
}

// --- schema errors --------------------------------------------------------------------------

/**
 * The problems ajv found. `upstream` and `asset` are a oneOf of a string and an object: the
 * branch of the other type only adds "must be string/object" and "must match exactly one
 * schema", so those are left out, and a value of neither type gets one line naming both.
 */
function schemaProblems(errors: ErrorObject[], data: unknown, doc: Document): Problem[] {
  const dropped = new Set<ErrorObject>();
  const merged: ErrorObject[] = [];
  for (const union of errors.filter((e) => e.keyword === 'oneOf')) {
    const typeErrors = errors.filter((e) => e.keyword === 'type' && e.instancePath === union.instancePath);
    [union, ...typeErrors].forEach((e) => dropped.add(e));
    if (typeErrors.length === (union.schema as unknown[]).length) {
      merged.push({ ...union, keyword: 'type', params: { type: typeErrors.map((e) => e.params.type as string) } });
    }
  }
  return [...errors.filter((e) => !dropped.has(e)), ...merged].map((e) => ajvProblem(e, data, [], doc));
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
  number: 'a number',
  integer: 'an integer',
  null: 'null',
};

/** One ajv error as a problem; `base` is where `data` is in the file. */
function ajvProblem(error: ErrorObject, data: unknown, base: Segment[], doc: Document): Problem {
  const at = [...base, ...pointerSegments(error.instancePath, data)];
  const subject = (segments: Segment[]) => (segments.length > 0 ? jsonPath(segments) : 'the file');
  const { params } = error;
  switch (error.keyword) {
    case 'required': {
      const missing = [...at, params.missingProperty as string];
      return { at, text: `${subject(missing)} is required` };
    }
    case 'additionalProperties': {
      const unknown = [...at, params.additionalProperty as string];
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      return { at: unknown, text: `${subject(unknown)} is not a known property (known: ${known.join(', ')})` };
    }
    case 'type': {
      const types = ([] as string[]).concat(params.type as string | string[]);
      const expected = types.map((t) => TYPE_NAMES[t] ?? t).join(' or ');
      return {
        at,
        text: `${subject(at)} must be ${expected}${types.length === 1 && types[0] === 'string' ? quoteHint(doc, at) : ''}`,
      };
    }
    case 'enum':
      return { at, text: `${subject(at)} must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { at, text: `${subject(at)} must be ${JSON.stringify(params.allowedValue)}` };
    case 'pattern': {
      const pattern = params.pattern as string;
      return { at, text: `${subject(at)} ${PATTERN_MEANING.get(pattern) ?? `must match the pattern ${pattern}`}` };
    }
    case 'minLength':
      return {
        at,
        text: `${subject(at)} ${params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters`}`,
      };
    case 'maxLength':
      return { at, text: `${subject(at)} must be at most ${params.limit} characters` };
    case 'format':
      return {
        at,
        text: `${subject(at)} must be ${params.format === 'date-time' ? 'a date-time like 2027-01-31T00:00:00Z' : `a ${params.format}`}`,
      };
    default:
      return { at, text: `${subject(at)} ${error.message ?? 'is not valid'}` };
  }
}

/** For a plain YAML scalar that did not come out as a string (`version: 1.0`): how to quote it. */
function quoteHint(doc: Document, at: Segment[]): string {
  const node = doc.getIn(at, true);
  if (!isScalar(node) || typeof node.value === 'string' || node.value === null) return '';
  return ` (quote it: "${node.source ?? String(node.value)}")`;
}

/** An ajv instancePath as segments, array indexes as numbers. */
function pointerSegments(pointer: string, data: unknown): Segment[] {
  const segments: Segment[] = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const segment = Array.isArray(node) ? Number(key) : key;
    segments.push(segment);
    node = isRecord(node) || Array.isArray(node) ? (node as Record<Segment, unknown>)[segment] : undefined;
  }
  return segments;
}

// --- the report -----------------------------------------------------------------------------

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `instances[0].upstream.uri`; a key that is not an identifier is quoted: `configuration["x-key"]`. */
function jsonPath(segments: readonly Segment[]): string {
  return segments
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      if (!IDENTIFIER.test(s)) return `[${JSON.stringify(s)}]`;
      return i === 0 ? s : `.${s}`;
    })
    .join('');
}

function yamlMessage(error: YAMLError, doc: Document): string {
  if (error.code === 'DUPLICATE_KEY') {
    const key = keyAt(doc, error.pos[0]);
    return key === undefined ? 'duplicate key' : `duplicate key ${JSON.stringify(key)}`;
  }
  if (error.code === 'MULTIPLE_DOCS') return 'the file must hold a single YAML document (it has a --- separator)';
  return error.message.split('\n')[0] ?? error.message;
}

/** The text of the map key that starts at `offset`. */
function keyAt(doc: Document, offset: number): string | undefined {
  let key: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        key = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return key;
}

/** Where `segments` is in the source: a property's key, a list item's start; else its nearest ancestor. */
function offsetOf(doc: Document, segments: readonly Segment[]): number {
  let node: unknown = doc.contents;
  let offset = isScalar(node) || isMap(node) || isSeq(node) ? (node.range?.[0] ?? 0) : 0;
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) break;
      offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!isScalar(item) && !isMap(item) && !isSeq(item) && !isAlias(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function report(problems: Problem[], doc: Document, lineCounter: LineCounter, fileLabel: string): string {
  const lines = problems
    .map((p) => ({ offset: typeof p.at === 'number' ? p.at : offsetOf(doc, p.at), text: p.text }))
    .sort((a, b) => a.offset - b.offset)
    .map(({ offset, text }) => {
      const { line, col } = lineCounter.linePos(offset);
      return `${fileLabel}:${line}:${col}: ${text}`;
    })
    .filter((line, i, all) => all.indexOf(line) === i);
  if (lines.length <= MAX_PROBLEMS) return lines.join('\n');
  return [...lines.slice(0, MAX_PROBLEMS), `… and ${lines.length - MAX_PROBLEMS} more problems`].join('\n');
}
