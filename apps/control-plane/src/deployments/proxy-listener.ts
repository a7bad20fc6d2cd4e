/**
 * Where a Flex API instance listens: `endpoint.proxyUri` = `http(s)://<host>:<port>/<base path>`
 * (e.g. `http://0.0.0.0:8081/mcp`). Gateways route by port + base path, so the base path is
 * normalised (single slashes, no trailing slash, `/` for the root) before it is stored or compared.
 */

export const PROXY_URI_FORMAT = 'must be http(s)://<host>:<port>/<base path>, e.g. http://0.0.0.0:8081/mcp';

export interface ProxyListener {
  port: number;
  basePath: string;
}

const PROXY_URI = /^https?:\/\/([^/:?#\s@[\]]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})(\/[^?#\s]*)?$/;

export function parseProxyUri(uri: string): ProxyListener | undefined {
  const match = PROXY_URI.exec(uri);
  if (!match) return undefined;
  const port = Number(match[2]);
  const basePath = normaliseBasePath(match[3] ?? '/');
  return port >= 1 && port <= 65535 && basePath !== undefined ? { port, basePath } : undefined;
}

/** `/a//b/` → `/a/b`, `` → `/`; undefined for `.`/`..` segments, which clients would resolve away. */
export function normaliseBasePath(path: string): string | undefined {
  const segments = path.split('/').filter(Boolean);
  if (segments.some((s) => s === '.' || s === '..')) return undefined;
  return `/${segments.join('/')}`;
}
