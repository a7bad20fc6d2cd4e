/**
 * Identity at the gateway, configured over REST and enforced by a registered gateway in front of
 * the test MCP server (which records the headers it receives): jwt-validation against a JWKS
 * served by the test, its identity read by mcp-acl; the gateway as an OAuth protected resource
 * found and used by the SDK client's own OAuth flow against a small authorization server; client applications with contracts (a revoked
 * contract refused after the next push); client-id enforcement across a secret reset; HTTP Basic
 * with an upstream credential; IP lists.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import {
  type GatewayProcess,
  postMcp,
  startAuthorizationServer,
  startGatewayProcess,
  startIdentityProvider,
  startMcpServer,
  type TestIdentityProvider,
  type TestMcpServer,
} from '#portico/testing';
import { type OAuthClientProvider, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateKeyPair, SignJWT } from 'jose';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant, uniqueName } from './support/factories.js';
import {
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  rolledOut,
  deployWithPolicies,
  eventually,
  type PolicyToApply,
} from './support/gateways.js';

const policy = (assetId: string, assetVersion: string) => ({ groupId: POLICY_GROUP_ID, assetId, assetVersion });
const JWT = policy('jwt-validation', '0.12.0');
const MCP_ACL = policy('mcp-acl', '1.0.0');
const BASIC = policy('http-basic-authentication', '1.3.2');
const UPSTREAM_CREDENTIAL = policy('upstream-credential', '1.0.0');
const IP_ALLOW = policy('ip-allowlist', '1.1.2');
const IP_BLOCK = policy('ip-blocklist', '1.1.2');
const CLIENT_ID = policy('client-id-enforcement', '1.3.3');
const API_KEY = policy('api-key-authentication', '1.0.0');
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** An OAuth client of the SDK whose user consents at once: the test follows the authorization URL itself. */
class TestOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private client: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = '';
  readonly redirectUrl = 'http://127.0.0.1:9/callback';
  readonly clientMetadata = {
    client_name: 'portico-tests',
    redirect_uris: ['http://127.0.0.1:9/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
  clientInformation() {
    return this.client;
  }
  saveClientInformation(client: OAuthClientInformationMixed) {
    this.client = client;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

describe('identity at the gateway', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let upstream: TestMcpServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let idp: TestIdentityProvider;
  let jwksUrl: string;
  let sign: (claims: Record<string, unknown>) => Promise<string>;
  const clients: Client[] = [];
  /** Credentials the tests sent or configured: none may appear in the gateway's log. */
  const secrets: string[] = [];

  const withPolicies = (...policies: PolicyToApply[]): Promise<McpInstance> =>
    deployWithPolicies(
      cp,
      tenant,
      { upstreamUrl: upstream.url.replace(/mcp$/, ''), targetId: registered.gatewayId, prefix: 'id' },
      policies,
    );

  const connect = async (instance: McpInstance, headers: Record<string, string>): Promise<Client> => {
    const client = new Client({ name: 'portico-tests', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${instance.proxyUrl}/mcp`), { requestInit: { headers } }));
    clients.push(client);
    return client;
  };
  const lastUpstreamHeaders = () => upstream.requests.at(-1)!.headers;

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1', PORTICO_SYNC_POLL_SECONDS: '1' });
    tenant = await newTenant(cp);
    upstream = await startMcpServer({ stateful: false });
    idp = await startIdentityProvider({ audience: 'portico-mcp' });
    jwksUrl = idp.jwksUrl;
    sign = (claims) => idp.sign(claims);
    registered = await registerGateway(cp, tenant, uniqueName('id'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await idp?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('validates JWTs from a JWKS, hands the claims to mcp-acl, and follows contracts', async () => {
    const instance = await withPolicies(
      {
        ...JWT,
        configurationData: {
          jwtOrigin: 'httpBearerAuthenticationHeader',
          jwtKeyOrigin: 'jwks',
          jwksUrl,
          signingMethod: 'rsa',
          issuer: 'https://idp.test',
          validateAudClaim: true,
          mandatoryAudClaim: true,
          supportedAudiences: 'portico-mcp',
          claimsToHeaders: ['sub'],
        },
      },
      {
        ...MCP_ACL,
        configurationData: {
          rules: [{ feature: 'tools', methods: ['tools/list', 'tools/call'], condition: "#[vars.claimSet.role == 'ops']" }],
        },
      },
    );
    const app = await cp.request('POST', `/exchange/api/v2/organizations/${tenant.organizationId}/applications`, {
      token: tenant.token,
      json: { name: uniqueName('agent') },
    });
    expect(app.status).toBe(201);
    const clientId = app.body.clientId as string;
    const opsToken = await sign({ sub: 'alice', client_id: clientId, role: 'ops' });
    secrets.push(opsToken);

    // No contract yet: a valid token of an unknown client is refused.
    const noContract = await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE, { authorization: `Bearer ${opsToken}` });
    expect(noContract.status).toBe(401);
    expect(noContract.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="the client has no approved contract"',
    );
    const contracts = `${instance.apisPath}/${instance.apiId}/contracts`;
    const contract = await cp.request('POST', contracts, { token: tenant.token, json: { applicationId: app.body.id } });
    expect(contract.status).toBe(201);
    await rolledOut(cp, tenant, instance);

    const ops = await connect(instance, { authorization: `Bearer ${opsToken}` });
    expect((await ops.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'fail', 'slow']);
    expect(await ops.callTool({ name: 'echo', arguments: { text: 'hi' } })).toMatchObject({ content: [{ text: 'hi' }] });
    // The token stays at the gateway; the claim asked for goes upstream.
    expect(lastUpstreamHeaders().authorization).toBeUndefined();
    expect(lastUpstreamHeaders()['x-jwt-claim-sub']).toBe('alice');

    // Same client, another role: mcp-acl sees the claims and hides everything.
    const dev = await connect(instance, {
      authorization: `Bearer ${await sign({ sub: 'bob', client_id: clientId, role: 'dev' })}`,
    });
    expect((await dev.listTools()).tools).toEqual([]);

    const refused = async (jwt: string) => {
      const response = await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE, { authorization: `Bearer ${jwt}` });
      return [response.status, response.headers['www-authenticate']];
    };
    expect(
      await refused(
        await new SignJWT({ client_id: clientId })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer('https://idp.test')
          .setAudience('other')
          .setExpirationTime('5m')
          .sign((await generateKeyPair('RS256')).privateKey),
      ),
    ).toEqual([401, 'Bearer error="invalid_token", error_description="the signature does not verify"']);
    const missing = await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE);
    expect([missing.status, missing.headers['www-authenticate']]).toEqual([401, 'Bearer']);

    // Revoked: refused once the change is pushed.
    const revoked = await cp.request('POST', `${contracts}/${contract.body.id}/revoke`, { token: tenant.token });
    expect(revoked.status).toBe(201);
    await rolledOut(cp, tenant, instance);
    expect(await refused(opsToken)).toEqual([
      401,
      'Bearer error="invalid_token", error_description="the client has no approved contract"',
    ]);
  });

  it('is an OAuth protected resource: the SDK client discovers it, gets a token for it and calls a tool', async () => {
    const as = await startAuthorizationServer({ subject: 'carol' });
    try {
      const instance = await withPolicies({
        ...JWT,
        configurationData: {
          jwtOrigin: 'httpBearerAuthenticationHeader',
          jwtKeyOrigin: 'jwks',
          jwksUrl: as.jwksUrl,
          signingMethod: 'rsa',
          issuer: as.issuer,
          skipClientIdValidation: true,
          authorizationServers: [as.issuer],
          scopesSupported: ['mcp:tools'],
          scopes: 'mcp:tools',
        },
      });
      const mcpUrl = new URL(`${instance.proxyUrl}/mcp`);
      const metadataUrl = `${mcpUrl.origin}/.well-known/oauth-protected-resource${mcpUrl.pathname}`;

      const challenge = await postMcp(mcpUrl.toString(), INITIALIZE);
      expect(challenge.status).toBe(401);
      expect(challenge.headers['www-authenticate']).toBe(`Bearer resource_metadata="${metadataUrl}", scope="mcp:tools"`);
      const metadata = await fetch(metadataUrl);
      expect(metadata.headers.get('access-control-allow-origin')).toBe('*');
      expect(await metadata.json()).toEqual({
        resource: mcpUrl.toString(),
        authorization_servers: [as.issuer],
        scopes_supported: ['mcp:tools'],
        bearer_methods_supported: ['header'],
        resource_name: expect.any(String),
      });
      expect((await fetch(`${mcpUrl.origin}/.well-known/oauth-protected-resource/nothing-here`)).status).toBe(404);

      // The SDK's own OAuth flow: discovery, registration, authorization (PKCE), token, retry.
      const provider = new TestOAuthProvider();
      const first = new Client({ name: 'portico-tests', version: '1.0.0' });
      await expect(first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }))).rejects.toThrow(
        UnauthorizedError,
      );
      const consent = await fetch(provider.authorizationUrl!, { redirect: 'manual' });
      const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
      const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
      await transport.finishAuth(code);
      const client = new Client({ name: 'portico-tests', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      expect(await client.callTool({ name: 'echo', arguments: { text: 'oauth' } })).toMatchObject({
        content: [{ text: 'oauth' }],
      });
      expect(as.issued.at(-1)).toMatchObject({ aud: mcpUrl.toString(), scope: 'mcp:tools', sub: 'carol' });
      expect(lastUpstreamHeaders().authorization).toBeUndefined();

      // A token the same server issued for another resource is refused (audience).
      const other = await postMcp(mcpUrl.toString(), INITIALIZE, {
        authorization: `Bearer ${await sign({ sub: 'x' })}`,
      });
      expect(other.status).toBe(401);
    } finally {
      await as.close();
    }
  });

  it('enforces client ids and secrets of applications with a contract, following secret resets', async () => {
    const instance = await withPolicies({
      ...CLIENT_ID,
      configurationData: {
        clientIdExpression: "#[attributes.headers['client_id']]",
        clientSecretExpression: "#[attributes.headers['client_secret']]",
      },
    });
    const applications = `/exchange/api/v2/organizations/${tenant.organizationId}/applications`;
    const app = await cp.request('POST', applications, { token: tenant.token, json: { name: uniqueName('cid') } });
    const contract = await cp.request('POST', `${instance.apisPath}/${instance.apiId}/contracts`, {
      token: tenant.token,
      json: { applicationId: app.body.id },
    });
    expect(contract.status).toBe(201);
    await rolledOut(cp, tenant, instance);
    const call = (secret: string) =>
      postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE, { client_id: app.body.clientId, client_secret: secret });
    secrets.push(app.body.clientSecret);

    expect((await call(app.body.clientSecret)).status).toBe(200);
    const wrong = await call('not-the-secret');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toEqual({ code: 'UNAUTHORIZED', message: 'The client credentials are not valid' });

    const reset = await cp.request('POST', `${applications}/${app.body.id}/secret/reset`, { token: tenant.token });
    expect(reset.status).toBeLessThan(300);
    await rolledOut(cp, tenant, instance);
    expect((await call(app.body.clientSecret)).status).toBe(401);
    expect((await call(reset.body.clientSecret)).status).toBe(200);
  });

  it('accepts API keys created over REST, shows them once, records their use and refuses them once revoked', async () => {
    const instance = await withPolicies({ ...API_KEY, configurationData: {} });
    const keys = `${instance.apisPath}/${instance.apiId}/api-keys`;
    const created = await cp.request('POST', keys, { token: tenant.token, json: { name: 'ci agent' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'ci agent', status: 'active', lastUsedAt: null, createdBy: tenant.username });
    const key = created.body.key as string;
    secrets.push(key);
    expect(key).toMatch(/^ptk_[\w-]{43}$/);
    expect(created.body.prefix).toBe(key.slice(0, 12));
    await rolledOut(cp, tenant, instance);

    const client = await connect(instance, { authorization: `Bearer ${key}` });
    expect(await client.callTool({ name: 'echo', arguments: { text: 'k' } })).toMatchObject({ content: [{ text: 'k' }] });
    expect(lastUpstreamHeaders().authorization).toBeUndefined();
    const used = await eventually(async () => {
      const listed = await cp.request('GET', keys, { token: tenant.token });
      return listed.body.apiKeys[0].lastUsedAt ? listed : undefined;
    }, 'the key to be reported used');
    expect(used.text).not.toContain(key);
    expect(used.body).toMatchObject({ total: 1, apiKeys: [{ id: created.body.id, status: 'active' }] });

    const missing = await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE);
    expect([missing.status, missing.headers['www-authenticate']]).toEqual([401, 'Bearer']);
    const invalid = await cp.request('POST', keys, { token: tenant.token, json: { name: '' } });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('name');
    const past = await cp.request('POST', keys, {
      token: tenant.token,
      json: { name: 'old', expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
    expect(past.text).toContain('expiresAt');
    const unknownField = await cp.request('POST', keys, { token: tenant.token, json: { name: 'x', scopes: ['all'] } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.text).toContain('scopes');
    const expiring = await cp.request('POST', keys, {
      token: tenant.token,
      json: { name: 'expiring', expiresAt: '2099-01-01T00:00:00Z' },
    });
    expect(expiring.body).toMatchObject({ status: 'active', expiresAt: '2099-01-01T00:00:00.000Z' });
    const stranger = await newTenant(cp);
    expect((await cp.request('GET', keys, { token: stranger.token })).status).toBe(404);

    expect((await cp.request('DELETE', `${keys}/${created.body.id}`, { token: tenant.token })).status).toBe(204);
    await rolledOut(cp, tenant, instance);
    const revoked = await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE, { authorization: `Bearer ${key}` });
    expect(revoked.status).toBe(401);
    expect(JSON.parse(revoked.body)).toEqual({ code: 'UNAUTHORIZED', message: 'The API key is not valid' });
    expect((await cp.request('DELETE', `${keys}/${created.body.id}`, { token: tenant.token })).status).toBe(404);
  });

  it('authenticates with HTTP Basic and sends the upstream its own credential, never the client one', async () => {
    const instance = await withPolicies(
      { ...BASIC, configurationData: { username: 'agent', password: 'basic-secret' } },
      { ...UPSTREAM_CREDENTIAL, configurationData: { prefix: 'Bearer', value: 'upstream-secret' } },
    );
    const basic = `Basic ${Buffer.from('agent:basic-secret').toString('base64')}`;
    secrets.push('basic-secret', 'upstream-secret', basic.slice(6));
    const client = await connect(instance, { authorization: basic });
    expect(await client.callTool({ name: 'echo', arguments: { text: 'b' } })).toMatchObject({ content: [{ text: 'b' }] });
    expect(lastUpstreamHeaders().authorization).toBe('Bearer upstream-secret');

    const wrong = await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE, {
      authorization: `Basic ${Buffer.from('agent:nope').toString('base64')}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm="/);
    expect(JSON.parse(wrong.body)).toEqual({ code: 'UNAUTHORIZED', message: 'The credentials are not valid' });

    // The secrets are never answered back.
    const listed = await cp.request('GET', `${instance.apisPath}/${instance.apiId}/policies?fullInfo=false`, {
      token: tenant.token,
    });
    expect(listed.text).not.toContain('basic-secret');
    expect(listed.text).not.toContain('upstream-secret');
  });

  it('refuses addresses outside an allowlist or inside a blocklist, whatever X-Forwarded-For says', async () => {
    const allowedOnly = await withPolicies({ ...IP_ALLOW, configurationData: { ips: ['10.0.0.0/8', '2001:db8::/32'] } });
    const spoofed = await postMcp(`${allowedOnly.proxyUrl}/mcp`, INITIALIZE, { 'x-forwarded-for': '10.1.2.3' });
    expect(spoofed.status).toBe(403);
    expect(JSON.parse(spoofed.body)).toEqual({ code: 'FORBIDDEN', message: 'The client address is not allowed' });

    const loopback = await withPolicies({ ...IP_ALLOW, configurationData: { ips: ['127.0.0.0/8', '::1'] } });
    expect((await postMcp(`${loopback.proxyUrl}/mcp`, INITIALIZE)).status).toBe(200);

    const blocked = await withPolicies({ ...IP_BLOCK, configurationData: { ips: ['127.0.0.1'] } });
    expect((await postMcp(`${blocked.proxyUrl}/mcp`, INITIALIZE)).status).toBe(403);
  });

  it("keeps every credential out of the gateway's log and, in clear, out of its files", async () => {
    const log = gateway.output();
    expect(log.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) expect(log).not.toContain(secret);
    // The last good configuration carries the Basic password and the upstream credential: sealed.
    const files = await readdir(registered.dir);
    expect(files).toContain('last-good-config.json');
    for (const file of files) {
      const content = await readFile(path.join(registered.dir, file), 'utf8');
      for (const secret of ['basic-secret', 'upstream-secret']) expect(content).not.toContain(secret);
    }
  });
});
