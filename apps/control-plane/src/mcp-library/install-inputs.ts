/**
 * What installing a library entry asks for, and how the answers become the upstream URL and the
 * headers the gateway sends. Pure: the services turn its issues into errors.
 *
 * The inputs of a remote are its URL `variables`, its `headers` and each header's own
 * `variables` (used by a header `value` such as `Bearer {token}`). A caller gives variables by
 * name (one namespace: a name declared in several places is one input, required and secret if
 * any declaration says so) and headers by name (case-insensitive). Only what the entry marks as
 * required must be given, plus any variable the URL uses that has no default (the URL could not
 * resolve otherwise). A header with a fixed `value` cannot be given; its variables can. A value
 * must be one of the input's `choices` when it has some, a number or `true`/`false` for those
 * formats, and never holds a line break.
 *
 * A header is secret when the entry marks it `isSecret` or its value uses a secret variable: the
 * gateway sends it with an upstream-credential policy (stored encrypted); other headers with a
 * value go through header-injection, which reads a value starting with `#[` as an expression, so
 * such a literal is refused.
 */
import {
  installableRemotes,
  placeholdersOf,
  type ServerHeader,
  type ServerInput,
  type ServerJson,
  type ServerRemote,
} from './server-json.js';

/** What a caller gives for an install (the body of an install or an install request). */
export interface InstallInputs {
  /** index in `remotes`; default: the first streamable-http remote */
  remote?: number;
  variables?: Record<string, string>;
  headers?: Record<string, string>;
}

/** Why an input is refused: where (`variables.tenant`, `headers.Authorization`, `remote`) and why. */
export interface InputIssue {
  path: string;
  message: string;
}

export interface UpstreamHeader {
  name: string;
  value: string;
  /** the input it came from, for messages */
  source: string;
}

export interface ResolvedRemote {
  index: number;
  /** the remote URL with its variables substituted */
  url: string;
  secretHeaders: UpstreamHeader[];
  plainHeaders: UpstreamHeader[];
}

export type Resolution =
  | { kind: 'not-installable'; message: string }
  | { kind: 'invalid'; issues: InputIssue[] }
  | {
      kind: 'resolved';
      index: number;
      /** undefined only when secrets are missing (allowMissingSecrets) */
      remote?: ResolvedRemote;
      /** the secret inputs still to be given (`headers.Authorization`, `variables.token`) */
      missingSecrets: string[];
    };

/** One input of a remote as an install form shows it. */
export interface InputDescription {
  in: 'variable' | 'header';
  name: string;
  description: string | null;
  /** must be given: required (or used by the URL) and without a default */
  isRequired: boolean;
  isSecret: boolean;
  default: string | null;
  choices: string[] | null;
}

interface Variable {
  spec: ServerInput;
  secret: boolean;
  /** marked isRequired by one of its declarations */
  marked: boolean;
  /** marked, or used by the URL without a default */
  required: boolean;
}

const LINE_BREAK = /[\r\n\0]/;

/** The variables of `remote`: its own and its headers', one entry per name (see the header). */
function variablesOf(remote: ServerRemote): Map<string, Variable> {
  const vars = new Map<string, Variable>();
  const add = (name: string, spec: ServerInput, usedByUrl: boolean) => {
    const known = vars.get(name);
    const marked = (known?.marked ?? false) || (spec.isRequired ?? false);
    vars.set(name, {
      spec: known ? { ...spec, ...known.spec } : spec,
      secret: (known?.secret ?? false) || (spec.isSecret ?? false),
      marked,
      required: (known?.required ?? false) || marked || (usedByUrl && spec.default === undefined),
    });
  };
  const inUrl = new Set(placeholdersOf(remote.url));
  for (const [name, spec] of Object.entries(remote.variables ?? {})) add(name, spec, inUrl.has(name));
  for (const header of remote.headers ?? []) {
    for (const [name, spec] of Object.entries(header.variables ?? {})) add(name, spec, false);
  }
  return vars;
}

function headerSecret(header: ServerHeader, vars: Map<string, Variable>): boolean {
  return (header.isSecret ?? false) || placeholdersOf(header.value ?? '').some((name) => vars.get(name)?.secret);
}

/** The inputs an install of `remote` takes, variables first. */
export function describeInputs(remote: ServerRemote): InputDescription[] {
  const vars = variablesOf(remote);
  const describe = (where: 'variable' | 'header', name: string, spec: ServerInput, required: boolean, secret: boolean) => ({
    in: where,
    name,
    description: spec.description ?? null,
    isRequired: required && spec.default === undefined,
    isSecret: secret,
    default: spec.default ?? null,
    choices: spec.choices ?? null,
  });
  return [
    ...[...vars].map(([name, v]) => describe('variable', name, v.spec, v.required, v.secret)),
    ...(remote.headers ?? [])
      .filter((h) => h.value === undefined)
      .map((h) => describe('header', h.name, h, h.isRequired ?? false, headerSecret(h, vars))),
  ];
}

/** The remote an install uses: `index`, or the first streamable-http one. */
function pickRemote(server: ServerJson, index: number | undefined): Resolution | { index: number; remote: ServerRemote } {
  const installable = installableRemotes(server);
  if (!installable.length) {
    const local = (server.packages ?? []).map((p) => `${p.registryType} ${p.identifier}`);
    return {
      kind: 'not-installable',
      message: `${server.name} has no streamable-http remote, so a gateway cannot front it${
        local.length ? ` (its packages run locally: ${local.join(', ')})` : ''
      }`,
    };
  }
  if (index === undefined) return installable[0]!;
  const remote = server.remotes?.[index];
  if (!remote) {
    return invalid('remote', `must be the index of one of the ${server.remotes?.length ?? 0} remotes of ${server.name}`);
  }
  if (remote.type !== 'streamable-http') {
    return invalid(
      'remote',
      `remote ${index} of ${server.name} is ${remote.type}; only streamable-http remotes can be installed (remote ${installable[0]!.index} is one)`,
    );
  }
  return { index, remote };
}

function invalid(path: string, message: string): Resolution {
  return { kind: 'invalid', issues: [{ path, message }] };
}

function listOf(names: string[]): string {
  return names.length ? `its ${names.join(', ')}` : 'it has none';
}

/** Problems of a given value: choices, format, line breaks. */
function valueProblem(spec: ServerInput, value: string): string | undefined {
  if (LINE_BREAK.test(value)) return 'must not contain line breaks or NUL characters';
  if (spec.choices?.length && !spec.choices.includes(value)) return `must be one of ${spec.choices.join(', ')}`;
  if (spec.format === 'number' && (value.trim() === '' || !Number.isFinite(Number(value)))) return 'must be a number';
  if (spec.format === 'boolean' && value !== 'true' && value !== 'false') return 'must be true or false';
  return undefined;
}

function substitute(template: string, value: (name: string) => string | undefined): string {
  return template.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (whole, name: string) => value(name) ?? whole);
}

/**
 * Resolves `inputs` against `server` (see the header). With `allowMissingSecrets`, a missing
 * secret input is listed in `missingSecrets` instead of being an issue (an install request:
 * the approver may give it).
 */
export function resolveInstall(
  server: ServerJson,
  inputs: InstallInputs,
  options: { allowMissingSecrets?: boolean } = {},
): Resolution {
  const picked = pickRemote(server, inputs.remote);
  if ('kind' in picked) return picked;
  const { index, remote } = picked;
  const vars = variablesOf(remote);
  const headers = remote.headers ?? [];
  const issues = new Map<string, string>();
  const issue = (path: string, message: string) => {
    if (!issues.has(path)) issues.set(path, message);
  };
  const missingSecrets = new Set<string>();
  const missing = (path: string, secret: boolean, why = '') => {
    if (secret && options.allowMissingSecrets) missingSecrets.add(path);
    else issue(path, `is required by ${server.name}${why}`);
  };

  const givenVars = inputs.variables ?? {};
  for (const [name, value] of Object.entries(givenVars)) {
    const declared = vars.get(name);
    if (!declared) issue(`variables.${name}`, `is not a variable of ${server.name} (${listOf([...vars.keys()])})`);
    else {
      const problem = valueProblem(declared.spec, value);
      if (problem) issue(`variables.${name}`, problem);
    }
  }
  const givenHeaders = new Map<string, string>();
  for (const [name, value] of Object.entries(inputs.headers ?? {})) {
    const header = headers.find((h) => h.name.toLowerCase() === name.toLowerCase());
    if (!header) {
      issue(`headers.${name}`, `is not a header of ${server.name} (${listOf(headers.map((h) => h.name))})`);
    } else if (header.value !== undefined) {
      const fromVars = placeholdersOf(header.value);
      issue(
        `headers.${name}`,
        `is set by ${server.name}${fromVars.length ? ` from its variables ${fromVars.join(', ')}; give those instead` : ''}`,
      );
    } else if (givenHeaders.has(header.name)) {
      issue(`headers.${name}`, `is given twice (header names are case-insensitive)`);
    } else {
      givenHeaders.set(header.name, value);
      const problem = valueProblem(header, value);
      if (problem) issue(`headers.${name}`, problem);
    }
  }

  const valueOf = (name: string): string | undefined =>
    (Object.hasOwn(givenVars, name) ? givenVars[name] : undefined) ?? vars.get(name)?.spec.default;
  for (const [name, v] of vars) {
    if (v.marked && valueOf(name) === undefined) missing(`variables.${name}`, v.secret);
  }
  for (const name of placeholdersOf(remote.url)) {
    if (valueOf(name) === undefined) missing(`variables.${name}`, vars.get(name)?.secret ?? false, ' (its remote URL uses it)');
  }

  const secretHeaders: UpstreamHeader[] = [];
  const plainHeaders: UpstreamHeader[] = [];
  for (const header of headers) {
    const secret = headerSecret(header, vars);
    let value: string | undefined;
    let source = `headers.${header.name}`;
    if (header.value !== undefined) {
      const unset = placeholdersOf(header.value).filter((name) => valueOf(name) === undefined);
      if (unset.length) {
        // a required header needs its variables; an optional one is left out
        if (header.isRequired) {
          for (const name of unset)
            missing(`variables.${name}`, vars.get(name)?.secret ?? false, ` (header ${header.name} uses it)`);
        }
        continue;
      }
      value = substitute(header.value, valueOf);
      source = placeholdersOf(header.value).map((name) => `variables.${name}`)[0] ?? source;
    } else {
      value = givenHeaders.get(header.name) ?? header.default;
      if (value === undefined) {
        if (header.isRequired) missing(`headers.${header.name}`, secret);
        continue;
      }
    }
    if (LINE_BREAK.test(value)) issue(source, `makes header ${header.name} hold a line break or NUL character`);
    else if (!secret && value.trim().startsWith('#[')) {
      issue(source, `makes header ${header.name} start with #[, which the gateway would read as an expression`);
    }
    (secret ? secretHeaders : plainHeaders).push({ name: header.name, value, source });
  }

  if (issues.size) return { kind: 'invalid', issues: [...issues].map(([path, message]) => ({ path, message })) };
  if (missingSecrets.size) return { kind: 'resolved', index, missingSecrets: [...missingSecrets] };
  return {
    kind: 'resolved',
    index,
    missingSecrets: [],
    remote: { index, url: substitute(remote.url, valueOf), secretHeaders, plainHeaders },
  };
}

/** `inputs` split into what is secret (sealed in an install request) and what is not. */
export function splitSecretInputs(
  server: ServerJson,
  index: number,
  inputs: InstallInputs,
): {
  plain: Required<Pick<InstallInputs, 'variables' | 'headers'>>;
  secret: Required<Pick<InstallInputs, 'variables' | 'headers'>>;
} {
  const remote = server.remotes?.[index];
  const vars = remote ? variablesOf(remote) : new Map<string, Variable>();
  const headers = remote?.headers ?? [];
  const variables = Object.entries(inputs.variables ?? {});
  const isSecretVariable = ([name]: [string, string]) => vars.get(name)?.secret ?? false;
  const given = Object.entries(inputs.headers ?? {});
  const isSecretHeader = ([name]: [string, string]) => {
    const header = headers.find((h) => h.name.toLowerCase() === name.toLowerCase());
    return header !== undefined && headerSecret(header, vars);
  };
  const part = (secret: boolean) => ({
    variables: Object.fromEntries(variables.filter((v) => isSecretVariable(v) === secret)),
    headers: Object.fromEntries(given.filter((h) => isSecretHeader(h) === secret)),
  });
  return { plain: part(false), secret: part(true) };
}

/** `over` merged onto `base`: a variable by name, a header by name case-insensitively. */
export function mergeInputs(base: InstallInputs, over: InstallInputs): InstallInputs {
  const headers = new Map<string, [string, string]>();
  for (const [name, value] of [...Object.entries(base.headers ?? {}), ...Object.entries(over.headers ?? {})]) {
    headers.set(name.toLowerCase(), [name, value]);
  }
  return {
    ...(base.remote !== undefined || over.remote !== undefined ? { remote: over.remote ?? base.remote } : {}),
    variables: { ...base.variables, ...over.variables },
    headers: Object.fromEntries(headers.values()),
  };
}

/**
 * An MCP endpoint URL as an instance's upstream: the URL up to its last `/` (MCP upstreams end
 * with one; the gateway forwards `<base path>/<rest>` to `<upstream><rest>`) and the rest, which
 * clients put after the instance's base path. A URL with credentials, a query or a fragment
 * cannot be an upstream.
 */
export function splitRemoteUrl(url: string): { upstream: string; rest: string } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `${url} is not a URL` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { problem: `${url} must be an http(s) URL` };
  if (parsed.username || parsed.password) return { problem: `${url} must not hold credentials; send them in a header` };
  if (parsed.search || parsed.hash)
    return { problem: `${url} must not have a query or fragment, which an upstream cannot carry` };
  const cut = parsed.pathname.lastIndexOf('/') + 1;
  return { upstream: `${parsed.origin}${parsed.pathname.slice(0, cut)}`, rest: parsed.pathname.slice(cut) };
}
