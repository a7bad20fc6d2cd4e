/**
 * Where gateway-managed OAuth signs users in, read from an instance's policy chain: the first
 * authorization server of its first enabled jwt-validation policy, whose tokens' `sub` is the user
 * the gateway asks backend tokens for. That policy must accept tokens of that issuer only (so
 * every user it lets through can sign in there) and come before upstream-oauth (so the user is
 * known when tokens are asked for). Other authentications (introspection's client id or
 * username, API keys, basic) name no subject an OpenID sign-in proves.
 */
const JWT_VALIDATION = 'jwt-validation';
const UPSTREAM_OAUTH = 'upstream-oauth';

export interface ChainPolicy {
  id: number;
  assetId: string;
  disabled: boolean;
  order: number;
  configurationData: unknown;
}

const trimmed = (url: string) => url.replace(/\/+$/, '');

/** Whether two issuer URLs name the same issuer (a trailing slash aside). */
export const sameIssuer = (a: string, b: string) => trimmed(a) === trimmed(b);

/** The sign-in issuer of API instance `apiId`'s `chain`, or why it has none (a sentence's end). */
export function signInIssuer(apiId: number, chain: readonly ChainPolicy[]): { issuer: string } | { problem: string } {
  const ordered = [...chain].sort((a, b) => a.order - b.order);
  const validator = ordered.find((p) => !p.disabled && p.assetId === JWT_VALIDATION);
  if (!validator)
    return { problem: `apply a jwt-validation policy to API instance ${apiId} that names it in authorizationServers` };
  const config = (validator.configurationData ?? {}) as { authorizationServers?: string[]; issuer?: string };
  const named = `policy ${validator.id} (jwt-validation) of API instance ${apiId}`;
  const issuer = config.authorizationServers?.[0];
  if (!issuer) return { problem: `${named} must name it in authorizationServers` };
  const accepted = (config.issuer ?? '')
    .split(',')
    .map((i) => i.trim())
    .filter(Boolean);
  if (accepted.length !== 1 || !sameIssuer(accepted[0]!, issuer)) {
    return { problem: `${named} must accept tokens of ${issuer} only: set its issuer to ${issuer}` };
  }
  const upstream = ordered.find((p) => !p.disabled && p.assetId === UPSTREAM_OAUTH);
  if (upstream && upstream.order < validator.order) {
    return { problem: `${named} must come before policy ${upstream.id} (upstream-oauth)` };
  }
  return { issuer };
}
