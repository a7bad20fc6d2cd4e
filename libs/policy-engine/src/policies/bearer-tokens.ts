/**
 * What the bearer-token policies (jwt-validation, oauth2-token-introspection) share: reading the
 * token, the RFC 6750 answers, the clients with an approved contract, the cache of tokens already
 * accepted, and the OAuth resource-server duties (RFC 9728 metadata, audience, scopes).
 */
import type { ExchangeContext } from '../policy-contract/context.js';
import { quoted } from './credentials.js';
import type { ProtectedResource } from '../policy-contract/policy.js';
import type { Verdict } from '../policy-contract/verdict.js';

/** A user's own view of their gateway-managed OAuth connection (upstream-oauth), after an instance's base path. */
export const OAUTH_CONNECTION_PATH = '/.portico/oauth-connection';

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
          : `Bearer error="invalid_token", error_description="${quoted(description)}"${extra}`,
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

/** The configuration that makes a bearer-token policy an OAuth protected resource (RFC 9728). */
export interface ResourceServerConfig {
  authorizationServers?: string[];
  scopesSupported?: string[];
  scopes?: string;
  scopeValidationCriteria?: 'AND' | 'OR';
  /** Send the client's token upstream as well (off: the gateway consumes it). */
  forwardToken?: boolean;
}

/**
 * A bearer-token policy's resource-server side: with `authorizationServers`, the metadata the
 * gateway serves, the `resource_metadata` and `scope` of every challenge, and the audience a token
 * must carry (the URL the client addressed, RFC 8707); the required scopes either way.
 */
export class ResourceServer {
  readonly protectedResource: ProtectedResource | undefined;
  private readonly required: readonly string[];
  private readonly any: boolean;
  private readonly scopeParameter: string;

  constructor(config: ResourceServerConfig) {
    const servers = config.authorizationServers ?? [];
    const supported = config.scopesSupported ?? [];
    this.protectedResource =
      servers.length > 0
        ? Object.freeze({ authorizationServers: Object.freeze([...servers]), scopesSupported: Object.freeze([...supported]) })
        : undefined;
    this.required = (config.scopes ?? '').split(/\s+/).filter(Boolean);
    this.any = config.scopeValidationCriteria === 'OR';
    const announced = this.required.length > 0 ? this.required : supported;
    this.scopeParameter = announced.length > 0 ? `scope="${quoted(announced.join(' '))}"` : '';
  }

  /** Challenge parameters: `resource_metadata` (protected resources) and `scope`. */
  challenge(exchange: ExchangeContext): string {
    const parts: string[] = [];
    if (this.protectedResource) parts.push(`resource_metadata="${quoted(resourceMetadataUrl(exchange.resourceUrl))}"`);
    if (this.scopeParameter !== '') parts.push(this.scopeParameter);
    return parts.join(', ');
  }

  /** 401 for a missing or invalid token, pointing at the metadata. */
  unauthorized(exchange: ExchangeContext, description: string | undefined): Verdict<never> {
    return unauthorizedBearer(description, this.challenge(exchange));
  }

  /**
   * Whether `aud` (a claim or introspection field) names the resource; true when not a protected
   * resource. The route Portico answers itself on an instance (a user's OAuth connection, which
   * never reaches the upstream) is the instance's: a token for any resource at or below its base
   * URL will do.
   */
  audienceAccepted(aud: unknown, exchange: ExchangeContext): boolean {
    if (!this.protectedResource) return true;
    const resource = exchange.resourceUrl.replace(/\/+$/, '');
    const base =
      exchange.restPath === OAUTH_CONNECTION_PATH
        ? exchange.resourceUrl.slice(0, -exchange.restPath.length).replace(/\/+$/, '')
        : undefined;
    const audiences = Array.isArray(aud) ? aud : [aud];
    return audiences.some((a) => {
      if (typeof a !== 'string') return false;
      const audience = a.replace(/\/+$/, '');
      return audience === resource || (base !== undefined && (audience === base || audience.startsWith(`${base}/`)));
    });
  }

  /** Whether `granted` (a space-separated string or an array) has the required scopes (cached with the token). */
  hasScopes(granted: unknown): boolean {
    if (this.required.length === 0) return true;
    const scopes = new Set(
      typeof granted === 'string' ? granted.split(/\s+/) : Array.isArray(granted) ? granted.map(String) : [],
    );
    return this.any ? this.required.some((s) => scopes.has(s)) : this.required.every((s) => scopes.has(s));
  }

  /** 403 insufficient_scope, for a token without the required scopes. */
  insufficientScope(exchange: ExchangeContext): Verdict<never> {
    return {
      kind: 'reject',
      error: {
        kind: 'forbidden',
        message: `The token lacks the required scope (${this.any ? 'one of' : 'all of'}: ${this.required.join(' ')})`,
        wwwAuthenticate: `Bearer error="insufficient_scope", ${this.challenge(exchange)}`,
      },
    };
  }
}

/** RFC 9728 §3.1: the metadata URL of `resource`, the well-known path inserted before its path. */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}/.well-known/oauth-protected-resource${url.pathname === '/' ? '' : url.pathname}`;
}
