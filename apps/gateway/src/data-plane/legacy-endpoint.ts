/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05): the server's first event, `endpoint`, tells
 * the client where to POST its messages, as a URI relative to the upstream (or absolute). The
 * client must POST to the gateway instead, so the URI is mapped back through the API's base path.
 */
import type { CompiledUpstream } from '../config/compiled-config.js';

/**
 * Maps an `endpoint` event's URI to the gateway path serving it (query kept, e.g. `sessionId`).
 * Undefined when the URI is not under the upstream's URL: the gateway cannot serve it, and the
 * event is passed through unchanged.
 */
export function rewriteEndpoint(
  data: string,
  upstreamRequestUrl: string,
  upstream: CompiledUpstream,
  basePath: string,
): string | undefined {
  let target: URL;
  try {
    target = new URL(data.trim(), upstreamRequestUrl);
  } catch {
    return undefined;
  }
  if (target.origin !== upstream.origin) return undefined;
  const prefix = upstream.pathPrefix;
  if (prefix !== '' && target.pathname !== prefix && !target.pathname.startsWith(`${prefix}/`)) return undefined;
  const path = (basePath === '/' ? '' : basePath) + target.pathname.slice(prefix.length);
  return (path === '' ? '/' : path) + target.search;
}
