/**
 * What the bearer-token policies (jwt-validation, oauth2-token-introspection) share: reading the
 * token, the RFC 6750 answers, the clients with an approved contract, and the cache of tokens
 * already accepted.
 */
import type { Verdict } from '../policy-contract/verdict.js';

/** The token of an `Authorization: Bearer` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  return header.slice(7).trim() || undefined;
}

/**
 * 401 for a request without a token (`description` undefined: a bare `Bearer` challenge, RFC 6750
 * §3.1) or with one that is not valid (`invalid_token` and the description, which names the check
 * and never the token). `challenge` adds parameters such as `resource_metadata="…"`.
 */
export function unauthorizedBearer(description: string | undefined, challenge = ''): Verdict<never> {
  const extra = challenge === '' ? '' : description === undefined ? ` ${challenge}` : `, ${challenge}`;
  return {
    kind: 'reject',
    error: {
      kind: 'unauthorized',
      message: description === undefined ? 'A bearer token is required' : `The token is not valid: ${description}`,
      wwwAuthenticate:
        description === undefined
          ? `Bearer${extra}`
          : `Bearer error="invalid_token", error_description="${description.replace(/["\\]/g, '')}"${extra}`,
    },
  };
}

/** The client ids with an approved contract on the instance (managed data `clientIds`). */
export function contractedClients(managed: Readonly<Record<string, unknown>>): ReadonlySet<string> {
  const ids = managed.clientIds;
  return new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []);
}

/** Accepted tokens and what they came to, each until its own time, at most `limit` (oldest evicted). */
export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly limit: number) {}

  get(token: string, now: number): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.value;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, value: T, until: number): void {
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { value, until });
  }
}
