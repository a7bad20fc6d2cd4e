/**
 * The public URL of what a client addressed: the identifier the gateway announces as an OAuth
 * protected resource (RFC 9728, MCP authorization) and expects as token audience (RFC 8707).
 *
 * Base, first that applies: the instance's public URL (endpointUri), PORTICO_GATEWAY_PUBLIC_URL
 * followed by the base path, or the request's own scheme and Host followed by the base path.
 * Then the path after the base path (e.g. `/mcp`); never the query. Behind a TLS-terminating
 * proxy, configure one of the first two, or the scheme comes out as http.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { CompiledApi } from '../config/compiled-config.js';
import { headerValue } from './headers.js';

export const PROTECTED_RESOURCE_PREFIX = '/.well-known/oauth-protected-resource';

/** `url` without query, fragment and trailing slash; undefined when it is not an http(s) URL. */
export function normalizedBaseUrl(url: string): string | undefined {
  const parsed = URL.parse(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return undefined;
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

/** The public URL of `restPath` of `api` as `req` addressed it; `gatewayPublicUrl`: PORTICO_GATEWAY_PUBLIC_URL, normalised. */
export function publicResourceUrl(
  api: CompiledApi,
  restPath: string,
  req: IncomingMessage,
  gatewayPublicUrl: string | undefined,
): string {
  const basePath = api.basePath === '/' ? '' : api.basePath;
  const scheme = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  const base =
    api.publicUrl ??
    (gatewayPublicUrl !== undefined
      ? `${gatewayPublicUrl}${basePath}`
      : `${scheme}://${headerValue(req.headers, 'host') ?? 'localhost'}${basePath}`);
  return `${base}${restPath}`;
}
