/** oauth2-token-introspection against a small RFC 7662 endpoint on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IDENTITY_ATTRIBUTE } from '../../policy-contract/context.js';
import { PolicyStates } from '../../policy-states.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { oauth2TokenIntrospectionFactory } from './oauth2-token-introspection.policy.js';

const NOW = Date.now();
const TOKENS: Record<string, Record<string, unknown>> = {
  good: { active: true, client_id: 'agent-1', username: 'alice', scope: 'tools:read tools:call', exp: NOW / 1000 + 600 },
  narrow: { active: true, client_id: 'agent-1', scope: 'tools:read', exp: NOW / 1000 + 600 },
  stranger: { active: true, client_id: 'agent-9', scope: 'tools:read tools:call' },
  expired: { active: true, client_id: 'agent-1', exp: NOW / 1000 - 1 },
  revoked: { active: false },
};

describe('oauth2-token-introspection policy', () => {
  let server: Server;
  let url: string;
  const seen: { authorization?: string; body: string }[] = [];
  let broken = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ authorization: req.headers.authorization, body });
        if (broken) return void res.writeHead(503).end();
        const token = new URLSearchParams(body).get('token') ?? '';
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(TOKENS[token] ?? { active: false }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const setup = (config: Record<string, unknown> = {}) => {
    const { policy } = oauth2TokenIntrospectionFactory.compile(
      { introspectionURL: url, authorizationValue: 'Basic Z3c6c2VjcmV0', ...config },
      testCompileContext('intro', new PolicyStates(), { now: () => NOW }, { clientIds: ['agent-1'] }),
    );
    /** `restPath`: where, below the instance's base path (http://127.0.0.1:8081/demo), the request goes. */
    return async (token?: string, restPath = '/mcp') => {
      const exchange = {
        ...testExchange(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        restPath,
        resourceUrl: `http://127.0.0.1:8081/demo${restPath}`,
      };
      const verdict = await policy.onHttpRequest!({ exchange });
      return { verdict, identity: exchange.attributes.get(IDENTITY_ATTRIBUTE) };
    };
  };
  const invalid = (description: string, challenge = '') => ({
    kind: 'reject',
    error: {
      kind: 'unauthorized',
      message: `The token is not valid: ${description}`,
      wwwAuthenticate: `Bearer error="invalid_token", error_description="${description}"${challenge}`,
    },
  });

  it('admits an active token of a contracted client once, then from its cache', async () => {
    const check = setup({ scopes: 'tools:call', consumerBy: 'username', exposeHeaders: true });
    const before = seen.length;
    const first = await check('good');
    expect(first.verdict).toEqual({
      kind: 'mutate',
      message: {
        set: {
          'x-introspection-client-id': 'agent-1',
          'x-introspection-username': 'alice',
          'x-introspection-scope': 'tools:read tools:call',
          'x-introspection-exp': String(NOW / 1000 + 600),
        },
        remove: ['authorization'],
      },
    });
    expect(first.identity).toMatchObject({ principal: 'alice', clientId: 'agent-1', claims: { scope: 'tools:read tools:call' } });
    await check('good');
    expect(seen.length - before).toBe(1);
    expect(seen.at(-1)).toEqual({ authorization: 'Basic Z3c6c2VjcmV0', body: 'token=good&token_type_hint=access_token' });
  });

  it('refuses inactive, expired and uncontracted tokens with 401, missing scopes with 403', async () => {
    const check = setup({ scopes: 'tools:read tools:call' });
    // Challenges name the scopes the resource needs (RFC 6750 §3).
    const scope = ', scope="tools:read tools:call"';
    expect((await check('revoked')).verdict).toEqual(invalid('the token is not active', scope));
    expect((await check('expired')).verdict).toEqual(invalid('the token is not active', scope));
    expect((await check('stranger')).verdict).toEqual(invalid('the client has no approved contract', scope));
    expect((await check()).verdict).toEqual({
      kind: 'reject',
      error: {
        kind: 'unauthorized',
        message: 'A bearer token is required',
        wwwAuthenticate: 'Bearer scope="tools:read tools:call"',
      },
    });
    expect((await check('narrow')).verdict).toEqual({
      kind: 'reject',
      error: {
        kind: 'forbidden',
        message: 'The token lacks the required scope (all of: tools:read tools:call)',
        wwwAuthenticate: 'Bearer error="insufficient_scope", scope="tools:read tools:call"',
      },
    });
    expect((await setup({ scopes: 'tools:read tools:call', scopeValidationCriteria: 'OR' })('narrow')).verdict).toMatchObject({
      kind: 'mutate',
    });
    expect((await setup({ skipClientIdValidation: true })('stranger')).identity).toMatchObject({ principal: 'agent-9' });
  });

  it('as a protected resource, points challenges at its metadata and requires tokens issued for it', async () => {
    TOKENS.bound = { active: true, client_id: 'agent-1', aud: 'http://127.0.0.1:8081/demo/mcp', scope: 'mcp' };
    TOKENS.elsewhere = { active: true, client_id: 'agent-1', aud: ['https://other.example.com/mcp'], scope: 'mcp' };
    const check = setup({ authorizationServers: ['https://as.example.com'], scopesSupported: ['mcp'] });
    const challenge = ', resource_metadata="http://127.0.0.1:8081/.well-known/oauth-protected-resource/demo/mcp", scope="mcp"';
    expect((await check('bound')).verdict).toMatchObject({ kind: 'mutate' });
    expect((await check('elsewhere')).verdict).toEqual(invalid('the token was not issued for this resource', challenge));
    // Another resource of the instance needs its own token; the route Portico answers itself takes any of its tokens.
    expect((await check('bound', '/other')).verdict).toMatchObject({ kind: 'reject' });
    expect((await check('bound', '/.portico/other')).verdict).toMatchObject({ kind: 'reject' });
    expect((await check('bound', '/.portico/oauth-connection')).verdict).toMatchObject({ kind: 'mutate' });
    expect((await check('elsewhere', '/.portico/oauth-connection')).verdict).toMatchObject({ kind: 'reject' });
    TOKENS.sibling = { active: true, client_id: 'agent-1', aud: 'http://127.0.0.1:8081/demonic/mcp', scope: 'mcp' };
    expect((await check('sibling', '/.portico/oauth-connection')).verdict).toMatchObject({ kind: 'reject' });
    expect((await check()).verdict).toMatchObject({
      error: { wwwAuthenticate: `Bearer ${challenge.slice(2)}` },
    });
  });

  it('shares one introspection among concurrent requests, and fails when the endpoint does', async () => {
    const check = setup();
    const before = seen.length;
    await Promise.all([check('narrow'), check('narrow'), check('narrow')]);
    expect(seen.length - before).toBe(1);
    broken = true;
    try {
      await expect(setup()('good')).rejects.toThrow('the introspection endpoint answered 503');
    } finally {
      broken = false;
    }
  });
});
