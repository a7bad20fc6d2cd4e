/**
 * String formats the configuration forms use, each with the reason given when a value does not
 * match. An expression, a regex and a Cedar policy are compiled with what the gateway runs them
 * with (expressions.ts, linear-regex.ts, cedar.ts), so what the control plane accepts the gateway
 * can run.
 */
import { isIP } from 'node:net';
import { cedarProblem } from './cedar.js';
import { expressionProblem } from './expressions.js';
import { regexProblem } from './linear-regex.js';

/** A format: how a value is checked and what the caller is told when it is not. */
export interface StringFormat {
  validate(value: string): boolean;
  message: string;
  /** Why this value in particular does not match, appended to `message`. */
  explain?(value: string): string | undefined;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// A method scope key (policy-engine method-scope.ts): exact, namespace (`tools/*`), verb (`*/list`) or `*`.
const MCP_METHOD = /^(?:\*|\*\/[\w.-]+|[\w.-]+(?:\/[\w.-]+)*(?:\/\*)?)$/;

function isIpOrCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Every format a template may name, by name. */
export const STRING_FORMATS = {
  dataweaveExpression: {
    validate: (v) => /^#\[[\s\S]*\]$/.test(v.trim()) && expressionProblem(v) === undefined,
    message: "must be an expression like #[attributes.headers['client_id']] (CEL inside #[ ])",
    explain: (v) => (/^#\[[\s\S]*\]$/.test(v.trim()) ? expressionProblem(v) : undefined),
  },
  regex: {
    validate: (v) => regexProblem(v) === undefined,
    message: 'must be a regular expression in RE2 syntax (no backreferences or lookaround)',
    explain: regexProblem,
  },
  ipOrCidr: { validate: isIpOrCidr, message: 'must be an IPv4 or IPv6 address, optionally with a /prefix (CIDR)' },
  httpUrl: { validate: isHttpUrl, message: 'must be an http:// or https:// URL' },
  origin: {
    validate: (v) => v === '*' || (isHttpUrl(v) && new URL(v).origin === v.replace(/\/$/, '')),
    message: 'must be * or an origin like https://app.example.com (scheme, host and optional port)',
  },
  httpHeaderName: { validate: (v) => HEADER_NAME.test(v), message: 'must be a valid HTTP header name' },
  /** RFC 6749 §3.3 scope-token. */
  oauthScope: {
    validate: (v) => /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(v),
    message: 'must be an OAuth scope: printable ASCII without spaces, double quotes or backslashes',
  },
  urlPath: {
    validate: (v) => /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(v) && !/(^|\/)\.\.?(\/|$)/.test(v),
    message: 'must be a URL path starting with / (no query, fragment or dot segments), e.g. /mcp',
  },
  mcpMethod: {
    validate: (v) => MCP_METHOD.test(v),
    message: 'must be an MCP method such as tools/call, a namespace such as tools/*, a verb such as */list, or *',
  },
  httpHeaderValue: { validate: (v) => !/[\r\n\0]/.test(v), message: 'must not contain line breaks or NUL characters' },
  /** A header value to inject: a literal, or an expression when it starts with #[. */
  httpHeaderValueOrExpression: {
    validate: (v) => !/[\r\n\0]/.test(v) && (!v.trim().startsWith('#[') || expressionProblem(v) === undefined),
    message: 'must be a literal without line breaks or NUL characters, or an expression like #[uuid()]',
    explain: (v) => (v.trim().startsWith('#[') ? expressionProblem(v) : undefined),
  },
  cedarPolicy: {
    validate: (v) => cedarProblem(v) === undefined,
    message: "must be a Cedar policy such as 'permit(principal, action, resource);'",
    explain: cedarProblem,
  },
} as const satisfies Record<string, StringFormat>;
