/**
 * What the authentication policies share about credentials and challenges: the RFC 7617 Basic
 * header, the realm challenge, quoting a challenge parameter, and the header edit that keeps a
 * consumed `Authorization` from the upstream.
 */
import type { ExchangeContext, HeaderEdit } from '../policy-contract/context.js';
import type { Verdict } from '../policy-contract/verdict.js';

/** `value` fit for a quoted challenge parameter: the characters that would end it removed. */
export function quoted(value: string): string {
  return value.replace(/["\\]/g, '');
}

/** The user and password of an `Authorization: Basic` header (split at the first colon), or undefined. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined || header.length < 7 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `<scheme> realm="<API name>"`, the challenge of a 401. */
export function realmChallenge(scheme: string, exchange: ExchangeContext): string {
  return `${scheme} realm="${quoted(exchange.api.name)}"`;
}

/** The credentials were the gateway's: the upstream does not get the `Authorization` header. */
export const AUTHORIZATION_CONSUMED: Verdict<HeaderEdit> = Object.freeze({
  kind: 'mutate',
  message: Object.freeze({ remove: ['authorization'] }),
});
