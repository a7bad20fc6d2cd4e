/**
 * An identity provider for tests of the gateway's JWT validation: a JWKS served on 127.0.0.1
 * (node:http) and the signing of RS256 tokens issued by `https://idp.test` with its key.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export const TEST_IDP_ISSUER = 'https://idp.test';

export interface TestIdentityProvider {
  readonly jwksUrl: string;
  /** A token with `claims`, valid 5 minutes (with `audience` when the provider was given one). */
  sign(claims: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

export async function startIdentityProvider(options: { audience?: string } = {}): Promise<TestIdentityProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    sign: (claims) => {
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(TEST_IDP_ISSUER)
        .setExpirationTime('5m');
      return (options.audience ? jwt.setAudience(options.audience) : jwt).sign(privateKey);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
