/**
 * The challenges of a `WWW-Authenticate` field (RFC 9110 §11.6.1): a comma-separated list of
 * `scheme [ token68 | #auth-param ]`, where the commas separate both challenges and parameters.
 *
 * Written here rather than taken from a package: the MCP SDK's parser (client/auth.js) matches
 * `scope=` anywhere in the field with a regular expression (so inside another challenge or a quoted
 * value too), and the packages that parse the field properly are not dependencies of the project.
 *
 * Contract: never throws. A part that follows no rule of the grammar is skipped up to the next
 * comma, so one server's malformed challenge does not hide a well-formed one beside it. Schemes
 * compare case-insensitively and are returned as sent (a prefix built from one keeps its spelling);
 * parameter names are returned in lower case; a parameter named twice keeps its first value
 * (RFC 9110: each MUST occur once per challenge).
 */

/** One challenge: its scheme, and its parameters or its token68. */
export interface AuthChallenge {
  /** as sent, e.g. `Bearer`; compare it case-insensitively */
  scheme: string;
  /** parameter names in lower case; quoted values unquoted */
  params: Record<string, string>;
  /** the token68 form (`Negotiate abc==`), instead of parameters */
  token68?: string;
}

/** The longest field read; servers do not send kilobytes of challenges. */
const MAX_FIELD_LENGTH = 8192;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*/;
/**
 * `name BWS = BWS value`, value a quoted string or a token; leniently, any run of characters up to
 * a blank or comma (servers send `scope=mcp:read` unquoted, though `:` is no token character).
 */
const PARAM = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*=[ \t]*("(?:[^"\\]|\\[\s\S])*"|[^\s,"]+)/;
/** What may follow a parameter: the end of the element, or (leniently, a missing comma) another parameter. */
const AFTER_PARAM = /^[ \t]*(,|$)|^[ \t]+[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*=/;
const WHITESPACE = /^[ \t]*/;

/** Parses a `WWW-Authenticate` field value (several fields joined with `, ` are one list). */
export function parseWwwAuthenticate(field: string): AuthChallenge[] {
  let rest = field.slice(0, MAX_FIELD_LENGTH);
  const challenges: AuthChallenge[] = [];
  let current: AuthChallenge | undefined;

  const skipWhitespace = () => (rest = rest.replace(WHITESPACE, ''));
  /** Whether the list element that starts at `rest` has ended (a comma or the end follows). */
  const atElementEnd = (after: string) => /^[ \t]*(,|$)/.test(after);
  /** Skips to just after the next comma that is not inside a quoted string (a malformed element). */
  const skipElement = () => {
    const end = /^(?:"(?:[^"\\]|\\[\s\S])*"?|[^,"])*,?/.exec(rest)![0];
    rest = rest.slice(end.length);
  };

  while (rest.length > 0) {
    skipWhitespace();
    if (rest.startsWith(',')) {
      rest = rest.slice(1);
      continue;
    }
    if (rest.length === 0) break;

    // A parameter of the current challenge (`name=value`) or the start of a new one (`scheme`).
    const param = PARAM.exec(rest);
    if (current && param && AFTER_PARAM.test(rest.slice(param[0].length))) {
      const name = param[1]!.toLowerCase();
      if (!Object.hasOwn(current.params, name)) current.params[name] = unquote(param[2]!);
      rest = rest.slice(param[0].length);
      continue;
    }
    const scheme = TOKEN.exec(rest);
    const afterScheme = scheme ? rest.slice(scheme[0].length) : '';
    if (!scheme || !/^([ \t]|,|$)/.test(afterScheme)) {
      skipElement();
      continue;
    }
    current = { scheme: scheme[0], params: Object.create(null) as Record<string, string> };
    challenges.push(current);
    rest = afterScheme;
    skipWhitespace();
    // After the scheme: nothing, a first parameter (handled by the loop), or a token68.
    const firstParam = PARAM.exec(rest);
    if (firstParam && AFTER_PARAM.test(rest.slice(firstParam[0].length))) continue;
    const token68 = TOKEN68.exec(rest);
    if (token68 && atElementEnd(rest.slice(token68[0].length))) {
      current.token68 = token68[0];
      rest = rest.slice(token68[0].length);
      current = undefined; // a token68 challenge has no parameters
    }
  }
  return challenges.map((c) => ({ ...c, params: { ...c.params } }));
}

/** The value of a quoted string, its backslash escapes undone; a token as it is. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  return value.slice(1, -1).replace(/\\([\s\S])/g, '$1');
}
