/**
 * String formats the configuration forms use, each with the reason given when a value does not
 * match. Checks are syntactic only: an expression is evaluated by the gateway when the policy is
 * configured; a regex is checked with the engine the gateway runs it with (linear-regex.ts).
 */
import { isIP } from 'node:net';
import { regexProblem } from './linear-regex.js';

/** A format: how a value is checked and what the caller is told when it is not. */
export interface StringFormat {
  validate(value: string): boolean;
  message: string;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

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
    validate: (v) => /^#\[[\s\S]*\]$/.test(v.trim()),
    message: "must be an expression like #[attributes.headers['client_id']]",
  },
  regex: {
    validate: (v) => regexProblem(v) === undefined,
    message: 'must be a regular expression in RE2 syntax (no backreferences or lookaround)',
  },
  ipOrCidr: { validate: isIpOrCidr, message: 'must be an IPv4 or IPv6 address, optionally with a /prefix (CIDR)' },
  httpUrl: { validate: isHttpUrl, message: 'must be an http:// or https:// URL' },
  origin: {
    validate: (v) => v === '*' || (isHttpUrl(v) && new URL(v).origin === v.replace(/\/$/, '')),
    message: 'must be * or an origin like https://app.example.com (scheme, host and optional port)',
  },
  httpHeaderName: { validate: (v) => HEADER_NAME.test(v), message: 'must be a valid HTTP header name' },
  httpHeaderValue: { validate: (v) => !/[\r\n\0]/.test(v), message: 'must not contain line breaks or NUL characters' },
  cedarPolicy: {
    validate: (v) => /^\s*(permit|forbid)\s*\([\s\S]*\)[\s\S]*;\s*$/.test(v),
    message: 'must be a Cedar policy such as permit(principal, action, resource);',
  },
} as const satisfies Record<string, StringFormat>;
