/**
 * A small OAuth 2.1 authorization server for tests, on 127.0.0.1 (node:http): RFC 8414 metadata,
 * dynamic client registration (RFC 7591), an authorization endpoint that consents at once (as the
 * user its `login_hint` names, else `subject`) and redirects with a code, a token endpoint that
 * checks PKCE (S256) and issues RS256 JWTs whose `aud` is the RFC 8707 `resource` the client asked
 * for, with a refresh token (rotated on each refresh grant), RFC 7009 revocation, and the JWKS.
 * It is an OpenID provider too: a code granted with the `openid` scope also gets an ID token
 * (`aud` the client). `mint` signs an access token as if a client had got one, for an agent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface TestAuthorizationServer {
  /** The issuer, e.g. `http://127.0.0.1:41234`. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The claims of every access token issued, oldest first, with the grant that issued it. */
  readonly issued: Record<string, unknown>[];
  /** Every token revoked (RFC 7009), oldest first. */
  readonly revoked: string[];
  /** From now on, refresh grants are answered `ms` after they are granted (0: at once). */
  delayRefresh(ms: number): void;
  /** An access token for `subject` issued for `audience` (an agent's, without the flow). */
  mint(subject: string, audience: string): Promise<string>;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

export async function startAuthorizationServer(
  options: { subject?: string; accessTokenTtlSeconds?: number } = {},
): Promise<TestAuthorizationServer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'as-1', alg: 'RS256', use: 'sig' };
  type Grant = { resource: string | null; scope: string | null; clientId: string; subject: string };
  const codes = new Map<string, Grant & { challenge: string }>();
  const refreshTokens = new Map<string, Grant>();
  const issued: Record<string, unknown>[] = [];
  const revoked: string[] = [];
  const ttl = options.accessTokenTtlSeconds ?? 600;
  let issuer = '';
  let refreshDelayMs = 0;
  const sign = (claims: Record<string, unknown>, subject: string, audience: string | null) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'as-1' })
      .setIssuer(issuer)
      .setSubject(subject)
      .setJti(randomBytes(8).toString('hex'))
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`);
    return (audience ? jwt.setAudience(audience) : jwt).sign(privateKey);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    void (async () => {
      if (
        req.method === 'GET' &&
        (url.pathname === '/.well-known/oauth-authorization-server' || url.pathname === '/.well-known/openid-configuration')
      ) {
        return json(200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          registration_endpoint: `${issuer}/register`,
          revocation_endpoint: `${issuer}/revoke`,
          jwks_uri: `${issuer}/jwks.json`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code', 'refresh_token'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
          id_token_signing_alg_values_supported: ['RS256'],
          subject_types_supported: ['public'],
        });
      }
      if (req.method === 'GET' && url.pathname === '/jwks.json') return json(200, { keys: [jwk] });
      if (req.method === 'POST' && url.pathname === '/register') {
        const metadata = JSON.parse(await body(req)) as Record<string, unknown>;
        return json(201, { ...metadata, client_id: `dcr-${randomBytes(6).toString('hex')}`, token_endpoint_auth_method: 'none' });
      }
      if (req.method === 'GET' && url.pathname === '/authorize') {
        const code = randomBytes(12).toString('hex');
        codes.set(code, {
          challenge: url.searchParams.get('code_challenge') ?? '',
          resource: url.searchParams.get('resource'),
          scope: url.searchParams.get('scope'),
          clientId: url.searchParams.get('client_id') ?? '',
          subject: url.searchParams.get('login_hint') ?? options.subject ?? 'test-user',
        });
        const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
        redirect.searchParams.set('code', code);
        const state = url.searchParams.get('state');
        if (state !== null) redirect.searchParams.set('state', state);
        return res.writeHead(302, { location: redirect.toString() }).end();
      }
      if (req.method === 'POST' && url.pathname === '/revoke') {
        const token = new URLSearchParams(await body(req)).get('token') ?? '';
        revoked.push(token);
        refreshTokens.delete(token);
        return res.writeHead(200).end();
      }
      if (req.method === 'POST' && url.pathname === '/token') {
        const form = new URLSearchParams(await body(req));
        let grant: Grant | undefined;
        if (form.get('grant_type') === 'refresh_token') {
          grant = refreshTokens.get(form.get('refresh_token') ?? '');
          refreshTokens.delete(form.get('refresh_token') ?? '');
          if (!grant) return json(400, { error: 'invalid_grant', error_description: 'unknown refresh token' });
        } else {
          const code = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          if (!code || createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
            return json(400, { error: 'invalid_grant' });
          }
          grant = code;
        }
        const resource = form.get('resource') ?? grant.resource;
        const claims = {
          client_id: grant.clientId,
          ...(grant.scope ? { scope: grant.scope } : {}),
        };
        issued.push({ ...claims, aud: resource, sub: grant.subject, grant: form.get('grant_type') });
        const refreshToken = randomBytes(16).toString('hex');
        refreshTokens.set(refreshToken, { ...grant, resource });
        // A slow refresh is slow after the grant: the tokens exist when a revocation comes meanwhile.
        if (form.get('grant_type') === 'refresh_token' && refreshDelayMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, refreshDelayMs));
        }
        const openid = form.get('grant_type') === 'authorization_code' && grant.scope?.split(' ').includes('openid');
        return json(200, {
          access_token: await sign(claims, grant.subject, resource),
          token_type: 'Bearer',
          expires_in: ttl,
          refresh_token: refreshToken,
          ...(openid ? { id_token: await sign({}, grant.subject, grant.clientId) } : {}),
        });
      }
      json(404, { error: 'not_found' });
    })().catch(() => json(500, { error: 'server_error' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks.json`,
    issued,
    revoked,
    delayRefresh: (ms) => void (refreshDelayMs = ms),
    mint: (subject, audience) => sign({ client_id: 'agent' }, subject, audience),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
