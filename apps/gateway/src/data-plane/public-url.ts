/**
 * The public URL of what a client addressed: the identifier the gateway announces as an OAuth
 * protected resource (RFC 9728, MCP authorization) and expects as token audience (RFC 8707).
 *
 * Base, first that applies: the instance's public URL (endpointUri), PORTICO_GATEWAY_PUBLIC_URL
 * followed by the base path, or the request's own scheme and Host followed by the base path.
 * Then the path after the base path (e.g. `/mcp`); never the query. Behind a TLS-terminating
 * proxy, configure one of the first two, or the scheme comes out as http.
 */
import type { CompiledApi } from '../config/compiled-config.js';

export const PROTECTED_RESOURCE_PREFIX = '/.well-known/oauth-protected-resource';

/** `url` without query, fragment and trailing slash; undefined when it is not an http(s) URL. */
export function normalizedBaseUrl(url: string): string | undefined {
  const parsed = URL.parse(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return undefined;
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

export interface PublicUrlSource {
  readonly api: CompiledApi;
  readonly restPath: string;
  readonly overTls: boolean;
  readonly host: string | undefined;
  /** PORTICO_GATEWAY_PUBLIC_URL, normalised. */
  readonly gatewayPublicUrl: string | undefined;
}

export function publicResourceUrl(source: PublicUrlSource): string {
  const { api } = source;
  const basePath = api.basePath === '/' ? '' : api.basePath;
  const base =
    api.publicUrl ??
    (source.gatewayPublicUrl !== undefined
      ? `${source.gatewayPublicUrl}${basePath}`
      : `${source.overTls ? 'https' : 'http'}://${source.host ?? 'localhost'}${basePath}`);
  return `${base}${source.restPath}`;
}
