/**
 * Where OAuth metadata documents are looked for, in the order the MCP authorization specification
 * (2025-11-25 and 2026-07-28, "Authorization Server Discovery") tells clients to try them.
 */

/**
 * RFC 9728 protected-resource metadata of the MCP endpoint `resource`, when its 401 named none:
 * the path-inserted well-known URI, then the root one (only the root for an endpoint at the root).
 * The query stays (RFC 9728 §3.1 inserts the well-known segment between host and path).
 */
export function protectedResourceMetadataUrls(resource: URL): string[] {
  const root = `${resource.origin}/.well-known/oauth-protected-resource`;
  if (resource.pathname === '/' && resource.search === '') return [root];
  const path = resource.pathname === '/' ? '' : resource.pathname;
  return [`${root}${path}${resource.search}`, root];
}

/**
 * RFC 8414 authorization-server metadata of `issuer`, then OpenID Connect discovery: for an issuer
 * with a path, the OAuth path-inserted URI, the OpenID path-inserted one, then the OpenID
 * path-appended one; for an issuer without, the OAuth URI then the OpenID one. A trailing slash of
 * the issuer's path is dropped (RFC 8414 §3.1).
 */
export function authorizationServerMetadataUrls(issuer: URL): string[] {
  const path = issuer.pathname.replace(/\/+$/, '');
  const origin = issuer.origin;
  if (path === '') {
    return [`${origin}/.well-known/oauth-authorization-server`, `${origin}/.well-known/openid-configuration`];
  }
  return [
    `${origin}/.well-known/oauth-authorization-server${path}`,
    `${origin}/.well-known/openid-configuration${path}`,
    `${origin}${path}/.well-known/openid-configuration`,
  ];
}

/**
 * Whether two issuer identifiers are the same: identical once parsed as URLs (so `https://as.example`
 * and `https://as.example/` are). A metadata document whose `issuer` is another one MUST NOT be
 * used (RFC 8414 §3.3).
 */
export function sameIssuer(a: string, b: string): boolean {
  if (!URL.canParse(a) || !URL.canParse(b)) return false;
  return new URL(a).href === new URL(b).href;
}
