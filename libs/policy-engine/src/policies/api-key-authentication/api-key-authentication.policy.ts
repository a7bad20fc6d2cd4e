/**
 * `api-key-authentication` (Portico's; seed 003's API keys per MCP server): only requests with an
 * active API key of the instance pass.
 *
 * - The key: `Authorization: Bearer <key>`, or the whole value of `headerName` when another
 *   header is configured. None, or one that is unknown, revoked or expired: 401 with
 *   `WWW-Authenticate: Bearer` (or `ApiKey header="<name>"` for another header).
 * - The control plane sends the SHA-256 (hex) of each active key as managed data
 *   `keys: {<sha256>: {id, name, expiresAt?}}`; a key created or revoked reaches the gateways with
 *   the next push. The presented key is hashed once per request and looked up.
 * - The identity left for later policies: principal `api-key:<name>`, properties `{apiKeyId}`.
 *   The key is not sent upstream. The policy reports each key's use (at most once a minute per
 *   key) so the control plane can show when it was last used.
 */
import { hash } from 'node:crypto';
import { IDENTITY_ATTRIBUTE, type ExchangeContext, type HeaderEdit, type Identity } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import type { Verdict } from '../../policy-contract/verdict.js';
import { bearerToken } from '../bearer-tokens.js';

interface ApiKey {
  readonly id: string;
  readonly identity: Identity;
  /** ms since the epoch; Infinity when the key does not expire. */
  readonly expiresAt: number;
}

const REPORT_INTERVAL_MS = 60_000;

/** The active keys of managed data `keys`, by SHA-256. */
function activeKeys(managed: Readonly<Record<string, unknown>>): ReadonlyMap<string, ApiKey> {
  const keys = managed.keys;
  const out = new Map<string, ApiKey>();
  if (typeof keys !== 'object' || keys === null) return out;
  for (const [sha256, entry] of Object.entries(keys as Record<string, { id?: unknown; name?: unknown; expiresAt?: unknown }>)) {
    if (typeof entry?.id !== 'string') continue;
    const name = typeof entry.name === 'string' ? entry.name : entry.id;
    const expiresAt = typeof entry.expiresAt === 'string' ? Date.parse(entry.expiresAt) : Number.POSITIVE_INFINITY;
    out.set(sha256, {
      id: entry.id,
      identity: Object.freeze({ principal: `api-key:${name}`, properties: Object.freeze({ apiKeyId: entry.id }) }),
      expiresAt: Number.isNaN(expiresAt) ? Number.POSITIVE_INFINITY : expiresAt,
    });
  }
  return out;
}

export const apiKeyAuthenticationFactory: PolicyFactory<{ headerName?: string }> = {
  type: 'api-key-authentication',
  compile(config, ctx) {
    const header = (config.headerName ?? 'Authorization').toLowerCase();
    const bearer = header === 'authorization';
    const keys = activeKeys(ctx.managed);
    // Key id -> when its use was last reported (kept across pushes).
    const reported = ctx.state('reported', () => new Map<string, number>());
    const consumed: Verdict<HeaderEdit> = Object.freeze({ kind: 'mutate', message: Object.freeze({ remove: [header] }) });
    const challenge = bearer ? 'Bearer' : `ApiKey header="${config.headerName}"`;
    const { clock } = ctx;

    const refuse = (message: string): Verdict<never> => ({
      kind: 'reject',
      error: { kind: 'unauthorized', message, wwwAuthenticate: challenge },
    });
    const keyOf = (exchange: ExchangeContext): string | undefined => {
      if (bearer) return bearerToken(exchange.headers.authorization);
      const value = exchange.headers[header];
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    };

    return {
      warnings: [],
      policy: {
        name: 'api-key-authentication',
        onHttpRequest({ exchange }) {
          const presented = keyOf(exchange);
          if (presented === undefined) return refuse('An API key is required');
          const key = keys.get(hash('sha256', presented, 'hex'));
          const now = clock.now();
          if (key === undefined || key.expiresAt <= now) return refuse('The API key is not valid');
          if ((reported.get(key.id) ?? Number.NEGATIVE_INFINITY) + REPORT_INTERVAL_MS <= now) {
            reported.set(key.id, now);
            ctx.report({ kind: 'api-key-used', keyId: key.id });
          }
          exchange.attributes.set(IDENTITY_ATTRIBUTE, key.identity);
          return consumed;
        },
      },
    };
  },
};
