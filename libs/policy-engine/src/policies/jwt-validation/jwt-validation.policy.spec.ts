/**
 * jwt-validation against real keys: HMAC and RSA text keys, and a JWKS served by a small HTTP
 * server on 127.0.0.1 that rotates its key.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT, UnsecuredJWT } from 'jose';
import { IDENTITY_ATTRIBUTE, type ExchangeContext } from '../../policy-contract/context.js';
import type { HeaderEdit } from '../../policy-contract/context.js';
import type { Verdict } from '../../policy-contract/verdict.js';
import { PolicyStates } from '../../policy-states.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { type JwtValidationConfig, jwtValidationFactory } from './jwt-validation.policy.js';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const NOW = 1_800_000_000_000;
const clock = { now: () => NOW };
const hmacKey = new TextEncoder().encode(SECRET);

const token = (claims: Record<string, unknown> = {}, options: { exp?: number; nbf?: number; alg?: string } = {}) => {
  const jwt = new SignJWT({ client_id: 'agent-1', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject('alice')
    .setIssuedAt(NOW / 1000)
    .setExpirationTime(options.exp ?? NOW / 1000 + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(hmacKey);
};

function setup(
  config: Partial<JwtValidationConfig>,
  managed: Record<string, unknown> = { clientIds: ['agent-1'] },
  states = new PolicyStates(),
) {
  const { policy } = jwtValidationFactory.compile(
    { jwtOrigin: 'httpBearerAuthenticationHeader', signingMethod: 'hmac', textKey: SECRET, ...config },
    testCompileContext('jwt', states, clock, managed),
  );
  return async (authorization?: string, headers: Record<string, string> = {}) => {
    const exchange: ExchangeContext = testExchange(authorization === undefined ? headers : { ...headers, authorization });
    const verdict = await policy.onHttpRequest!({ exchange });
    return { verdict, identity: exchange.attributes.get(IDENTITY_ATTRIBUTE) };
  };
}

const invalid = (description: string): Verdict<HeaderEdit> => ({
  kind: 'reject',
  error: {
    kind: 'unauthorized',
    message: `The token is not valid: ${description}`,
    wwwAuthenticate: `Bearer error="invalid_token", error_description="${description}"`,
  },
});

describe('jwt-validation policy', () => {
  it('admits a valid token: the identity for later policies, the token kept from the upstream', async () => {
    const check = setup({ claimsToHeaders: ['sub', 'roles'] });
    const { verdict, identity } = await check(`Bearer ${await token({ roles: ['a', 'b'] })}`);
    expect(verdict).toEqual({
      kind: 'mutate',
      message: { set: { 'x-jwt-claim-sub': 'alice', 'x-jwt-claim-roles': '["a","b"]' }, remove: ['authorization'] },
    });
    expect(identity).toMatchObject({ principal: 'alice', clientId: 'agent-1', claims: { sub: 'alice', roles: ['a', 'b'] } });
  });

  it('answers a token without the required scopes 403 insufficient_scope, naming them', async () => {
    const check = setup({ scopes: 'tools:call' });
    expect((await check(`Bearer ${await token({ scope: 'tools:read tools:call' })}`)).verdict).toMatchObject({ kind: 'mutate' });
    expect((await check(`Bearer ${await token({ scp: ['tools:call'] })}`)).verdict).toMatchObject({ kind: 'mutate' });
    expect((await check(`Bearer ${await token({ scope: 'tools:read' })}`)).verdict).toEqual({
      kind: 'reject',
      error: {
        kind: 'forbidden',
        message: 'The token lacks the required scope (all of: tools:call)',
        wwwAuthenticate: 'Bearer error="insufficient_scope", scope="tools:call"',
      },
    });
  });

  it('forwards the token upstream only when told to', async () => {
    const { verdict } = await setup({ forwardToken: true })(`Bearer ${await token()}`);
    expect(verdict).toEqual({ kind: 'mutate', message: { set: {} } });
  });

  it('asks for a token with a bare Bearer challenge when there is none', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer ']) {
      expect((await setup({})(authorization)).verdict).toEqual({
        kind: 'reject',
        error: { kind: 'unauthorized', message: 'A bearer token is required', wwwAuthenticate: 'Bearer' },
      });
    }
  });

  it('refuses bad signatures, other algorithms, unsigned tokens and garbage', async () => {
    const check = setup({});
    const forged = await new SignJWT({ client_id: 'agent-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-of-32-bytes-or-more!!'));
    expect((await check(`Bearer ${forged}`)).verdict).toEqual(invalid('the signature does not verify'));
    expect((await check(`Bearer ${await token({}, { alg: 'HS384' })}`)).verdict).toEqual(
      invalid('the signing algorithm is not accepted'),
    );
    const unsigned = new UnsecuredJWT({ client_id: 'agent-1', sub: 'alice' }).encode();
    expect((await check(`Bearer ${unsigned}`)).verdict).toEqual(invalid('the signing algorithm is not accepted'));
    expect((await check('Bearer not.a.jwt')).verdict).toEqual(invalid('the token cannot be read'));
  });

  it('checks exp and nbf with the configured skew, and the issuer', async () => {
    const expired = await token({}, { exp: NOW / 1000 - 10 });
    expect((await setup({})(`Bearer ${expired}`)).verdict).toEqual(invalid('the token has expired'));
    expect((await setup({ clockSkewSeconds: 30 })(`Bearer ${expired}`)).verdict).toMatchObject({ kind: 'mutate' });
    const early = await token({}, { nbf: NOW / 1000 + 60 });
    expect((await setup({})(`Bearer ${early}`)).verdict).toEqual(invalid('the token is not valid yet'));
    const withIssuer = setup({ issuer: 'https://idp.example.com, https://idp2.example.com' });
    expect((await withIssuer(`Bearer ${await token({ iss: 'https://idp2.example.com' })}`)).verdict).toMatchObject({
      kind: 'mutate',
    });
    expect((await withIssuer(`Bearer ${await token({ iss: 'https://evil.example.com' })}`)).verdict).toEqual(
      invalid('the issuer is not accepted'),
    );
    expect((await setup({ mandatoryNbfClaim: true })(`Bearer ${await token()}`)).verdict).toEqual(
      invalid('the nbf claim is missing'),
    );
  });

  it('checks the audience and custom claims, literal or CEL', async () => {
    const audience = setup({ validateAudClaim: true, supportedAudiences: 'https://gw.example.com/mcp, other' });
    expect((await audience(`Bearer ${await token({ aud: ['x', 'other'] })}`)).verdict).toMatchObject({ kind: 'mutate' });
    expect((await audience(`Bearer ${await token({ aud: 'https://evil.example.com' })}`)).verdict).toEqual(
      invalid('the audience is not accepted'),
    );
    expect((await audience(`Bearer ${await token()}`)).verdict).toMatchObject({ kind: 'mutate' });
    const mandatoryAud = setup({ validateAudClaim: true, mandatoryAudClaim: true, supportedAudiences: 'other' });
    expect((await mandatoryAud(`Bearer ${await token()}`)).verdict).toEqual(invalid('the aud claim is missing'));

    const claims = setup({
      validateCustomClaim: true,
      mandatoryCustomClaims: [
        { key: 'tenant', value: 'acme' },
        { key: 'level', value: '#[vars.claimSet.level >= 3]' },
      ],
      nonMandatoryCustomClaims: [{ key: 'groups', value: 'ops' }],
    });
    expect((await claims(`Bearer ${await token({ tenant: 'acme', level: 3 })}`)).verdict).toMatchObject({ kind: 'mutate' });
    expect((await claims(`Bearer ${await token({ tenant: 'acme', level: 3, groups: ['dev', 'ops'] })}`)).verdict).toMatchObject({
      kind: 'mutate',
    });
    expect((await claims(`Bearer ${await token({ tenant: 'acme', level: 2 })}`)).verdict).toEqual(
      invalid('the level claim is not accepted'),
    );
    expect((await claims(`Bearer ${await token({ level: 3 })}`)).verdict).toEqual(invalid('the tenant claim is missing'));
    expect((await claims(`Bearer ${await token({ tenant: 'acme', level: 5, groups: 'dev' })}`)).verdict).toEqual(
      invalid('the groups claim is not accepted'),
    );
  });

  it('admits only clients with an approved contract unless told to skip the check', async () => {
    expect((await setup({}, { clientIds: ['agent-2'] })(`Bearer ${await token()}`)).verdict).toEqual(
      invalid('the client has no approved contract'),
    );
    expect((await setup({}, {})(`Bearer ${await token({ client_id: undefined })}`)).verdict).toEqual(
      invalid('the token names no client'),
    );
    expect((await setup({ skipClientIdValidation: true }, {})(`Bearer ${await token()}`)).verdict).toMatchObject({
      kind: 'mutate',
    });
    const byAzp = setup({ clientIdExpression: '#[vars.claimSet.azp]' }, { clientIds: ['web'] });
    expect((await byAzp(`Bearer ${await token({ azp: 'web' })}`)).identity).toMatchObject({ clientId: 'web' });
  });

  it('takes the token from an expression, and answers a known token without a promise', async () => {
    const fromHeader = setup({ jwtOrigin: 'customExpression', jwtExpression: "#[attributes.headers['x-jwt']]" });
    const jwt = await token();
    expect((await fromHeader(undefined, { 'x-jwt': jwt })).verdict).toEqual({ kind: 'mutate', message: { set: {} } });

    const { policy } = jwtValidationFactory.compile(
      { jwtOrigin: 'httpBearerAuthenticationHeader', signingMethod: 'hmac', textKey: SECRET, skipClientIdValidation: true },
      testCompileContext('jwt', new PolicyStates(), clock),
    );
    const exchange = () => testExchange({ authorization: `Bearer ${jwt}` });
    expect(policy.onHttpRequest!({ exchange: exchange() })).toBeInstanceOf(Promise);
    await policy.onHttpRequest!({ exchange: exchange() });
    expect(policy.onHttpRequest!({ exchange: exchange() })).toMatchObject({ kind: 'mutate' });
  });

  it('verifies RS256 with a PEM text key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const check = setup({ signingMethod: 'rsa', textKey: await exportSPKI(publicKey), skipClientIdValidation: true });
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('bob')
      .setExpirationTime(NOW / 1000 + 60)
      .sign(privateKey);
    expect((await check(`Bearer ${jwt}`)).identity).toMatchObject({ principal: 'bob' });
    expect(() => setup({ signingMethod: 'rsa', textKey: 'not a pem' })).toThrow(/^textKey is not a PEM public key for RS256/);
  });

  describe('with a JWKS', () => {
    let server: Server;
    let keys: JWK[] = [];
    let fetches = 0;
    let url: string;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        fetches++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    const signer = async (kid: string) => {
      const pair = await generateKeyPair('RS256');
      const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
      return {
        jwk,
        sign: (sub: string) =>
          new SignJWT({})
            .setProtectedHeader({ alg: 'RS256', kid })
            .setSubject(sub)
            .setExpirationTime(Math.floor(Date.now() / 1000) + 60)
            .sign(pair.privateKey),
      };
    };

    it('fetches the keys once, and again when a token names a new key (rotation)', async () => {
      const first = await signer('k1');
      keys = [first.jwk];
      const states = new PolicyStates();
      const config = { signingMethod: 'rsa' as const, jwtKeyOrigin: 'jwks' as const, jwksUrl: url, skipClientIdValidation: true };
      const real = { now: () => Date.now() };
      const compile = () =>
        jwtValidationFactory.compile(
          { jwtOrigin: 'httpBearerAuthenticationHeader', ...config },
          testCompileContext('jwt', states, real),
        ).policy;
      const run = async (policy: ReturnType<typeof compile>, jwt: string) =>
        policy.onHttpRequest!({ exchange: testExchange({ authorization: `Bearer ${jwt}` }) });

      expect(await run(compile(), await first.sign('u1'))).toMatchObject({ kind: 'mutate' });
      // A configuration push keeps the key set it fetched.
      expect(await run(compile(), await first.sign('u2'))).toMatchObject({ kind: 'mutate' });
      expect(fetches).toBe(1);

      const second = await signer('k2');
      keys = [first.jwk, second.jwk];
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      expect(await run(compile(), await second.sign('u3'))).toMatchObject({ kind: 'mutate' });
      expect(fetches).toBe(2);

      const stranger = await signer('k3');
      expect(await run(compile(), await stranger.sign('u4'))).toEqual(invalid('no key of the issuer matches the token'));
    });
  });
});
