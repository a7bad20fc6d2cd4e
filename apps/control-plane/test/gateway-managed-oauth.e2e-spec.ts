/**
 * Gateway-managed OAuth to an MCP backend (seed 003's "OAuth" mode) against real processes: a
 * control plane, a registered gateway, the test MCP server (which records the headers it gets), a
 * small real authorization server for the backend, and another as the OpenID provider the agents'
 * own tokens come from (where users sign in).
 *
 * The connection is set over REST (discovery, dynamic registration at both servers); an agent's
 * user without a connection gets the URL-elicitation error with the consent link; the user
 * "opens" it (the test follows the redirects as a browser would, carrying its cookie), signs in,
 * authorizes; a link opened by another user, or finished in another browser, connects nothing;
 * the tokens are stored sealed; the next call
 * reaches the backend with the user's backend token and never the agent's; the control plane
 * refreshes a token that is due and hands a refused one out no more; users revoke their own
 * connection through the gateway, operators any over REST.
 */
import { createHash } from 'node:crypto';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { readRegistration } from '#portico/gateway-registration';
import {
  type GatewayProcess,
  postMcp,
  startAuthorizationServer,
  startGatewayProcess,
  startMcpServer,
  type TestAuthorizationServer,
  type TestMcpServer,
} from '#portico/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js';
import { decodeJwt } from 'jose';
import { credentials, Metadata } from '@grpc/grpc-js';
import { BackendTokenServiceClient, type GetUserTokenResponse } from '#portico/proto-ts';
import { SecretBox } from '../src/common/secret-box.js';
import { ConfigSyncRepository } from '../src/config-sync/config-sync.repository.js';
import { buildSnapshot } from '../src/config-sync/snapshot.js';
import { queryAudit } from './support/audit.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, type TestTenant, uniqueName } from './support/factories.js';
import {
  deployWithPolicies,
  INITIALIZE,
  type McpInstance,
  registerGateway,
  type RegisteredGateway,
  rolledOut,
} from './support/gateways.js';

const JWT = { groupId: POLICY_GROUP_ID, assetId: 'jwt-validation', assetVersion: '0.12.0' };

describe('gateway-managed OAuth', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let upstream: TestMcpServer;
  let as: TestAuthorizationServer;
  let registered: RegisteredGateway;
  let gateway: GatewayProcess;
  let idp: TestAuthorizationServer;
  let sign: (sub: string) => Promise<string>;
  let instance: McpInstance;
  let backend: string;
  let upstreamUrl: string;

  /** What the agent's user gets on `initialize`: the SDK's UrlElicitationRequiredError. */
  const elicitation = async (agentToken: string): Promise<UrlElicitationRequiredError> => {
    const client = new Client({ name: 'agent', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${instance.proxyUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${agentToken}` } },
    });
    const error = await client.connect(transport).then(
      () => undefined,
      (err: unknown) => err,
    );
    await client.close();
    expect(error).toBeInstanceOf(UrlElicitationRequiredError);
    return error as UrlElicitationRequiredError;
  };

  /**
   * The user opens the link in a browser: Portico's consent page, its button (a POST from the
   * page's own origin, which gives the browser the flow's cookie), the sign-in (as `user`), and
   * Portico's sign-in callback (in another browser, without the cookie, with `otherBrowser`): on
   * to the backend's authorization server, or a page refusing.
   */
  const signIn = async (url: string, user: string, options: { otherBrowser?: boolean } = {}) => {
    const consent = await fetch(url);
    const consentPage = await consent.text();
    const go = await fetch(url, { method: 'POST', headers: { origin: new URL(url).origin }, redirect: 'manual' });
    expect(go.status).toBe(303);
    const setCookie = go.headers.get('set-cookie') ?? '';
    const cookie = setCookie.split(';')[0]!;
    const signInUrl = new URL(go.headers.get('location')!);
    signInUrl.searchParams.set('login_hint', user);
    const signedIn = await fetch(signInUrl, { redirect: 'manual' });
    expect(signedIn.status).toBe(302);
    const signInCallbackUrl = signedIn.headers.get('location')!;
    const callback = await fetch(signInCallbackUrl, {
      redirect: 'manual',
      headers: options.otherBrowser ? {} : { cookie },
    });
    return {
      consentPage,
      consentHeaders: consent.headers,
      signInUrl: signInUrl.href,
      signInCallbackUrl,
      status: callback.status,
      html: await callback.text(),
      setCookie,
      cookie,
      authorizationUrl: callback.headers.get('location') ?? '',
    };
  };

  /**
   * The whole flow: signIn, then the backend's authorization server (as `backendUser`, default
   * `user`) and the callback from the same browser (its cookie) unless `otherBrowser`.
   */
  const authorize = async (url: string, user: string, options: { backendUser?: string; otherBrowser?: boolean } = {}) => {
    const signedIn = await signIn(url, user);
    if (signedIn.status !== 303) return { ...signedIn, callbackUrl: '', headers: new Headers() };
    const consent = await fetch(`${signedIn.authorizationUrl}&login_hint=${options.backendUser ?? user}`, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callbackUrl = consent.headers.get('location')!;
    const callback = await fetch(callbackUrl, {
      redirect: 'manual',
      headers: options.otherBrowser ? {} : { cookie: signedIn.cookie },
    });
    return { ...signedIn, callbackUrl, status: callback.status, html: await callback.text(), headers: callback.headers };
  };

  const echo = async (agentToken: string, text: string) => {
    const client = new Client({ name: 'agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${instance.proxyUrl}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${agentToken}` } },
      }),
    );
    try {
      const result = await client.callTool({ name: 'echo', arguments: { text } });
      return (result.content as { text: string }[])[0]!.text;
    } finally {
      await client.close();
    }
  };

  /** jwt-validation of the agents' tokens, issued by `idp`, where users sign in. */
  const agentTokens = () => ({
    ...JWT,
    configurationData: {
      jwtOrigin: 'httpBearerAuthenticationHeader',
      jwtKeyOrigin: 'jwks',
      jwksUrl: idp.jwksUrl,
      signingMethod: 'rsa',
      issuer: idp.issuer,
      skipClientIdValidation: true,
      authorizationServers: [idp.issuer],
    },
  });

  const lastUpstreamAuthorization = () => upstream.requests.at(-1)!.headers.authorization;

  /** BackendTokenService as the registered gateway calls it (mTLS with its certificate). */
  const tokenService = async () => {
    const registration = await readRegistration(registered.dir);
    const client = new BackendTokenServiceClient(
      registration.syncAddress,
      credentials.createSsl(
        Buffer.from(registration.caCertificate),
        Buffer.from(registration.privateKey),
        Buffer.from(registration.certificate),
      ),
    );
    const userToken = (apiId: string, subject: string, refusedAccessTokenSha256 = '') =>
      new Promise<GetUserTokenResponse['result']>((resolve, reject) =>
        client.getUserToken({ apiId, subject, refusedAccessTokenSha256 }, new Metadata(), (err, answer) =>
          err ? reject(err) : resolve(answer.result),
        ),
      );
    return { userToken, close: () => client.close() };
  };
  const accessToken = (result: GetUserTokenResponse['result']) =>
    result?.$case === 'token' ? result.value.accessToken : undefined;

  beforeAll(async () => {
    cp = await startControlPlane({
      PORTICO_GATEWAY_HEARTBEAT_SECONDS: '1',
      PORTICO_SYNC_POLL_SECONDS: '1',
      // the authorization server is on 127.0.0.1; 127.0.0.2 stands for a denied address
      PORTICO_PROBE_DENY: '127.0.0.2',
    });
    tenant = await newTenant(cp);
    upstream = await startMcpServer({ stateful: false });
    as = await startAuthorizationServer();
    idp = await startAuthorizationServer();
    registered = await registerGateway(cp, tenant, uniqueName('oauth'));
    gateway = await startGatewayProcess({ dir: registered.dir });
    await gateway.waitForStatus((s) => s.sync.state === 'connected');
    upstreamUrl = upstream.url.replace(/mcp$/, '');
    instance = await deployWithPolicies(cp, tenant, { upstreamUrl, targetId: registered.gatewayId, prefix: 'gwoauth' }, [
      agentTokens(),
    ]);
    sign = (sub) => idp.mint(sub, `${instance.proxyUrl}/mcp`);
    backend = `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/backends/${instance.apiId}`;
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await as?.close();
    await idp?.close();
    await cp?.close();
    await closeTestPrisma();
  });

  it('registers Portico with the authorization server and applies upstream-oauth after the authentication', async () => {
    const set = await cp.request('PUT', `${backend}/connection`, {
      token: tenant.token,
      json: { mode: 'gateway-oauth', authorizationServer: as.issuer, scopes: ['mcp:tools'] },
    });
    expect(set.status).toBe(200);
    expect(set.body.connection).toEqual({ mode: 'gateway-oauth' });
    const policies = (
      await cp.request('GET', `${instance.apisPath}/${instance.apiId}/policies?fullInfo=false`, { token: tenant.token })
    ).body;
    expect(policies.map((p: { assetId: string }) => p.assetId)).toEqual(['mcp-support', 'jwt-validation', 'upstream-oauth']);
    expect(policies[2].configurationData).toMatchObject({
      issuer: as.issuer,
      authorizationEndpoint: `${as.issuer}/authorize`,
      tokenEndpoint: `${as.issuer}/token`,
      revocationEndpoint: `${as.issuer}/revoke`,
      clientId: expect.stringMatching(/^dcr-/),
      scopes: ['mcp:tools'],
      redirectUri: `${cp.url}/mcpgateway/api/v1/oauth/callback`,
      // Where users sign in: the OpenID provider of the jwt-validation policy, Portico registered there too.
      signInIssuer: idp.issuer,
      signInAuthorizationEndpoint: `${idp.issuer}/authorize`,
      signInTokenEndpoint: `${idp.issuer}/token`,
      signInClientId: expect.stringMatching(/^dcr-/),
    });
    await rolledOut(cp, tenant, instance);
  });

  it("asks a user without a connection to authorize, then calls the backend with the user's token only", async () => {
    const alice = await sign('alice');
    const asked = await elicitation(alice);
    const [pending] = asked.elicitations;
    expect(pending).toMatchObject({ mode: 'url', elicitationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(pending!.url).toMatch(new RegExp(`^${cp.url}/mcpgateway/api/v1/oauth/consents/[A-Za-z0-9_-]{43}$`));
    expect(upstream.requests.some((r) => r.headers.authorization?.includes(alice))).toBe(false);

    // Another site cannot press the button for the user, nor can a script that sends no Origin.
    for (const headers of [{ origin: 'https://evil.example' }, {}] as Record<string, string>[]) {
      const forged = await fetch(pending!.url, { method: 'POST', headers, redirect: 'manual' });
      expect(forged.status).toBe(403);
    }

    const page = await authorize(pending!.url, 'alice');
    // The page says whom the connection is for, before anything happens.
    expect(page.consentPage).toContain('signed in as alice');
    expect(page.consentPage).toContain('<form method="post">');
    // The user signs in first, at the OpenID provider the agents' tokens come from.
    const signIn = new URL(page.signInUrl);
    expect(`${signIn.origin}${signIn.pathname}`).toBe(`${idp.issuer}/authorize`);
    expect(Object.fromEntries(signIn.searchParams)).toMatchObject({
      response_type: 'code',
      scope: 'openid',
      code_challenge_method: 'S256',
      redirect_uri: `${cp.url}/mcpgateway/api/v1/oauth/signin-callback`,
    });
    // The browser that pressed the button owns the flow (a cookie on Portico's OAuth routes only).
    expect(page.setCookie).toMatch(
      /^portico_oauth_[0-9a-f]{16}=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/mcpgateway\/api\/v1\/oauth; HttpOnly; SameSite=Lax$/,
    );
    // The page tells other sites nothing, yet lets its own form POST carry its Origin.
    expect(page.consentHeaders.get('referrer-policy')).toBe('same-origin');
    const url = new URL(page.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${as.issuer}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      code_challenge_method: 'S256',
      resource: upstreamUrl,
      scope: 'mcp:tools',
      redirect_uri: `${cp.url}/mcpgateway/api/v1/oauth/callback`,
    });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Connected');
    expect(page.headers.get('cache-control')).toBe('no-store');

    // Stored sealed: neither token appears in the row.
    const row = await testPrisma().backendOAuthConnection.findUniqueOrThrow({
      where: { apiId_subject: { apiId: instance.apiId, subject: 'alice' } },
    });
    expect(row.accessTokenSealed).toMatch(/^enc:v1:/);
    expect(row.refreshTokenSealed).toMatch(/^enc:v1:/);
    expect(JSON.stringify(row)).not.toMatch(/eyJ/);

    expect(await echo(alice, 'hello')).toBe('hello');
    const sent = lastUpstreamAuthorization()!;
    expect(sent).toMatch(/^Bearer /);
    expect(decodeJwt(sent.slice('Bearer '.length))).toMatchObject({ iss: as.issuer, sub: 'alice', aud: upstreamUrl });
    expect(upstream.requests.some((r) => r.headers.authorization?.includes(alice))).toBe(false);

    // Another user of the same agent has no connection yet; alice's does not count for them.
    const bob = await sign('bob');
    expect((await elicitation(bob)).elicitations[0]!.url).not.toBe(pending!.url);
    // A state is good once.
    const replayed = await fetch(page.callbackUrl);
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain('no longer valid');
    expect((await fetch(pending!.url)).status).toBe(400);
  });

  it("connects nothing when another user opens a user's link, or finishes it in another browser (MCP elicitation, Phishing)", async () => {
    // Alice sends her link to Bob; Bob signs in as himself: refused, and the link is spent.
    const alicesLink = (await elicitation(await sign('alice-2'))).elicitations[0]!.url;
    const bobOpens = await authorize(alicesLink, 'bob-2');
    expect(bobOpens.status).toBe(403);
    expect(bobOpens.html).toContain('This link was made for alice-2, and you signed in as bob-2. Nothing was connected');
    expect((await fetch(alicesLink)).status).toBe(400);
    expect(await testPrisma().backendOAuthConnection.count({ where: { apiId: instance.apiId, subject: 'alice-2' } })).toBe(0);

    // Alice signs in herself, then hands the backend's authorization URL to Bob, who authorizes
    // with his backend account in his own browser: the callback does not come from Alice's browser.
    const forwarded = await authorize((await elicitation(await sign('alice-2'))).elicitations[0]!.url, 'alice-2', {
      backendUser: 'bob-2',
      otherBrowser: true,
    });
    expect(forwarded.status).toBe(403);
    expect(forwarded.html).toContain('is being followed in another browser');
    expect((await fetch(forwarded.callbackUrl)).status).toBe(400);
    expect(await testPrisma().backendOAuthConnection.count({ where: { apiId: instance.apiId, subject: 'alice-2' } })).toBe(0);

    // Alice signs in herself, then hands Portico's sign-in callback URL to Bob: it is taken only
    // from the browser that pressed the button, and the link is spent.
    const link = (await elicitation(await sign('alice-2'))).elicitations[0]!.url;
    const handed = await signIn(link, 'alice-2', { otherBrowser: true });
    expect(handed.status).toBe(403);
    expect(handed.html).toContain('is being followed in another browser');
    expect((await fetch(handed.signInCallbackUrl, { headers: { cookie: handed.cookie } })).status).toBe(400);
    expect(await testPrisma().backendOAuthConsent.count({ where: { apiId: instance.apiId, subject: 'alice-2' } })).toBe(0);

    // Only the first browser to press the button follows the link; it may press again.
    const shared = (await elicitation(await sign('alice-3'))).elicitations[0]!.url;
    const press = (cookie?: string) =>
      fetch(shared, {
        method: 'POST',
        headers: { origin: new URL(shared).origin, ...(cookie ? { cookie } : {}) },
        redirect: 'manual',
      });
    const first = await press();
    expect(first.status).toBe(303);
    const firstCookie = first.headers.get('set-cookie')!.split(';')[0]!;
    expect((await press()).status).toBe(403);
    expect((await press(firstCookie)).status).toBe(303);

    // A sign-in callback is good once, and an error from the sign-in is a page.
    const frankLink = (await elicitation(await sign('frank'))).elicitations[0]!.url;
    const state = frankLink.split('/').pop()!;
    const pressed = await fetch(frankLink, {
      method: 'POST',
      headers: { origin: new URL(frankLink).origin },
      redirect: 'manual',
    });
    const declined = await fetch(`${cp.url}/mcpgateway/api/v1/oauth/signin-callback?state=${state}&error=access_denied`, {
      headers: { cookie: pressed.headers.get('set-cookie')!.split(';')[0]! },
    });
    expect(declined.status).toBe(400);
    expect(await declined.text()).toContain('The sign-in answered access_denied');
    expect((await fetch(`${cp.url}/mcpgateway/api/v1/oauth/signin-callback?state=nope&code=x`)).status).toBe(400);
  });

  it('refreshes a token that is due, and never hands out one the backend refused', async () => {
    const tokens = await tokenService();
    try {
      const before = accessToken(await tokens.userToken(String(instance.apiId), 'alice'));
      expect(before).toEqual(expect.any(String));
      const grants = () => as.issued.filter((t) => t.sub === 'alice' && t.grant === 'refresh_token').length;
      const refreshes = grants();

      await testPrisma().backendOAuthConnection.update({
        where: { apiId_subject: { apiId: instance.apiId, subject: 'alice' } },
        data: { expiresAt: new Date(Date.now() + 5_000) },
      });
      const refreshed = accessToken(await tokens.userToken(String(instance.apiId), 'alice'));
      expect(refreshed).toEqual(expect.any(String));
      expect(refreshed).not.toBe(before);
      expect(grants()).toBe(refreshes + 1);
      // Asked again: the stored (fresh) one, no new grant.
      expect(accessToken(await tokens.userToken(String(instance.apiId), 'alice'))).toBe(refreshed);
      expect(grants()).toBe(refreshes + 1);

      // The backend refused it: the control plane refreshes rather than hand it out again.
      const sha = createHash('sha256').update(refreshed!).digest('hex');
      const next = accessToken(await tokens.userToken(String(instance.apiId), 'alice', sha));
      expect(next).toEqual(expect.any(String));
      expect(next).not.toBe(refreshed);
      expect(grants()).toBe(refreshes + 2);

      // An API this gateway does not serve, and a blank subject, are refused.
      await expect(tokens.userToken('999999999', 'alice')).rejects.toThrow(/not deployed to this gateway/);
      await expect(tokens.userToken(String(instance.apiId), '')).rejects.toThrow(/subject/);
    } finally {
      tokens.close();
    }
  });

  it('refreshes once for concurrent calls, and a revocation during a refresh stays a revocation', async () => {
    const tokens = await tokenService();
    const apiId = String(instance.apiId);
    const where = { apiId_subject: { apiId: instance.apiId, subject: 'alice' } };
    const due = () => testPrisma().backendOAuthConnection.update({ where, data: { expiresAt: new Date(Date.now() + 5_000) } });
    const grants = () => as.issued.filter((t) => t.sub === 'alice' && t.grant === 'refresh_token').length;
    try {
      await due();
      const before = grants();
      as.delayRefresh(500);
      const answers = await Promise.all([1, 2, 3].map(() => tokens.userToken(apiId, 'alice')));
      expect(new Set(answers.map(accessToken)).size).toBe(1);
      expect(accessToken(answers[0])).toEqual(expect.any(String));
      expect(grants()).toBe(before + 1);

      // An operator revokes while the control plane waits for the authorization server.
      await due();
      as.delayRefresh(1_500);
      const revokedBefore = as.revoked.length;
      const refreshing = tokens.userToken(apiId, 'alice');
      let leased: { id: string; refreshingUntil: Date | null } | null = null;
      while (!leased?.refreshingUntil) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        leased = await testPrisma().backendOAuthConnection.findUnique({ where });
      }
      const revoke = await cp.request('DELETE', `${backend}/oauth-connections/${leased.id}`, { token: tenant.token });
      expect(revoke.status).toBe(204);
      const asked = await refreshing;
      expect(asked?.$case).toBe('consent');
      expect(await testPrisma().backendOAuthConnection.count({ where: { apiId: instance.apiId, subject: 'alice' } })).toBe(0);
      // The operator's revocation, then the tokens the refresh brought back: none is left alive.
      expect(as.revoked.length - revokedBefore).toBe(2);
      // alice authorizes again, for the tests that follow.
      as.delayRefresh(0);
      expect((await authorize(asked?.$case === 'consent' ? asked.value.url : '', 'alice')).status).toBe(200);
    } finally {
      as.delayRefresh(0);
      tokens.close();
    }
  });

  it('lets a user see and revoke their own connection through the gateway', async () => {
    const alice = await sign('alice');
    const connectionUrl = `${instance.proxyUrl}/.portico/oauth-connection`;
    const seen = await fetch(connectionUrl, { headers: { authorization: `Bearer ${alice}` } });
    expect(seen.status).toBe(200);
    expect(await seen.json()).toEqual({ connected: true });
    expect((await fetch(connectionUrl)).status).toBe(401);

    const revoked = await fetch(connectionUrl, { method: 'DELETE', headers: { authorization: `Bearer ${alice}` } });
    expect(await revoked.json()).toEqual({ revoked: true });
    expect(as.revoked.length).toBeGreaterThan(0);
    expect(await testPrisma().backendOAuthConnection.count({ where: { apiId: instance.apiId, subject: 'alice' } })).toBe(0);
    const after = await fetch(connectionUrl, { headers: { authorization: `Bearer ${alice}` } });
    expect(await after.json()).toMatchObject({
      connected: false,
      authorizationUrl: expect.stringContaining(`${cp.url}/mcpgateway/api/v1/oauth/consents/`),
    });
    await elicitation(alice);
  });

  it('lets operators list connections without tokens and revoke them, each with its permission', async () => {
    const carol = await sign('carol');
    const page = await authorize((await elicitation(carol)).elicitations[0]!.url, 'carol');
    expect(page.status).toBe(200);
    const listed = await cp.request('GET', `${backend}/oauth-connections`, { token: tenant.token });
    expect(listed.status).toBe(200);
    const connection = listed.body.connections.find((c: { subject: string }) => c.subject === 'carol');
    expect(connection).toMatchObject({ issuer: as.issuer, refreshable: true, scope: null });
    expect(JSON.stringify(listed.body)).not.toMatch(/eyJ|enc:v1/);

    const reader = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
    expect((await cp.request('GET', `${backend}/oauth-connections`, { token: reader.token })).status).toBe(200);
    expect((await cp.request('DELETE', `${backend}/oauth-connections/${connection.id}`, { token: reader.token })).status).toBe(
      403,
    );
    expect((await cp.request('DELETE', `${backend}/oauth-connections/${connection.id}`, { token: tenant.token })).status).toBe(
      204,
    );
    expect((await cp.request('DELETE', `${backend}/oauth-connections/${connection.id}`, { token: tenant.token })).status).toBe(
      404,
    );
    const trail = await queryAudit(cp, tenant.token, tenant.organizationId);
    const revocation = trail.data.find((e) => e.objectType === 'oauth-connection' && e.objectId === connection.id);
    expect(revocation).toMatchObject({ action: 'revoke', objectName: 'carol', payload: { before: { subject: 'carol' } } });
    expect(JSON.stringify(revocation)).not.toMatch(/eyJ|enc:v1/);
    const other = await newTenant(cp);
    const foreign = `/mcpgateway/api/v1/organizations/${other.organizationId}/environments/${other.sandboxId}/backends/${instance.apiId}/oauth-connections`;
    expect((await cp.request('GET', foreign, { token: other.token })).status).toBe(404);
  });

  it('answers an unknown or reused state, and an error from the authorization server, with a page, not a stack', async () => {
    const unknown = await fetch(`${cp.url}/mcpgateway/api/v1/oauth/callback?state=nope&code=x`);
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await unknown.text()).toContain('no longer valid');
    const stray = await fetch(`${cp.url}/mcpgateway/api/v1/oauth/callback?state=nope&foo=1`);
    expect(stray.status).toBe(400);

    // The user signed in, then declined at the authorization server: a page saying so, no connection, the state spent.
    const link = (await elicitation(await sign('dave'))).elicitations[0]!.url;
    const state = link.split('/').pop()!;
    const { cookie } = await signIn(link, 'dave');
    const declined = await fetch(
      `${cp.url}/mcpgateway/api/v1/oauth/callback?state=${state}&error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E`,
      { headers: { cookie } },
    );
    expect(declined.status).toBe(400);
    const text = await declined.text();
    expect(text).toContain('The authorization server answered access_denied: &lt;b&gt;no&lt;/b&gt;');
    expect(text).not.toContain('<b>no</b>');
    expect(await testPrisma().backendOAuthConnection.count({ where: { apiId: instance.apiId, subject: 'dave' } })).toBe(0);
    expect((await fetch(`${cp.url}/mcpgateway/api/v1/oauth/callback?state=${state}&code=x`)).status).toBe(400);
  });

  it('refuses gateway-oauth without an authentication policy, and an unreachable authorization server, changing nothing', async () => {
    const bare = await deployWithPolicies(cp, tenant, { upstreamUrl, targetId: registered.gatewayId, prefix: 'bare' }, []);
    const bareBackend = `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/backends/${bare.apiId}`;
    const refused = await cp.request('PUT', `${bareBackend}/connection`, {
      token: tenant.token,
      json: { mode: 'gateway-oauth', authorizationServer: as.issuer },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(
      `mode: gateway-oauth acts for each user and signs in whoever opens a consent link, to check they are that user, at the OpenID provider the users' tokens come from: apply a jwt-validation policy to API instance ${bare.apiId} that names it in authorizationServers`,
    );
    const jwtOnly = await deployWithPolicies(cp, tenant, { upstreamUrl, targetId: registered.gatewayId, prefix: 'jwtonly' }, [
      {
        ...JWT,
        configurationData: { jwtOrigin: 'httpBearerAuthenticationHeader', jwtKeyOrigin: 'jwks', jwksUrl: idp.jwksUrl },
      },
    ]);
    const noSignIn = await cp.request(
      'PUT',
      `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/backends/${jwtOnly.apiId}/connection`,
      { token: tenant.token, json: { mode: 'gateway-oauth', authorizationServer: as.issuer } },
    );
    expect(noSignIn.status).toBe(409);
    expect(noSignIn.body.message).toMatch(
      new RegExp(`: policy \\d+ \\(jwt-validation\\) of API instance ${jwtOnly.apiId} must name it in authorizationServers$`),
    );
    const down = await cp.request('PUT', `${backend}/connection`, {
      token: tenant.token,
      json: { mode: 'gateway-oauth', authorizationServer: 'http://127.0.0.1:9/' },
    });
    expect(down.status).toBe(502);
    expect(down.body.message).toBe(
      'authorizationServer: cannot read the authorization server metadata of http://127.0.0.1:9/: the server could not be reached',
    );
    const denied = await cp.request('PUT', `${backend}/connection`, {
      token: tenant.token,
      json: { mode: 'gateway-oauth', authorizationServer: 'https://127.0.0.2/' },
    });
    expect(denied.status).toBe(502);
    expect(denied.body.message).toMatch(/its address is not allowed \(PORTICO_PROBE_DENY\)$/);
    const bad = await cp.request('PUT', `${backend}/connection`, { token: tenant.token, json: { mode: 'gateway-oauth' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('authorizationServer');
    const policies = (
      await cp.request('GET', `${instance.apisPath}/${instance.apiId}/policies?fullInfo=false`, { token: tenant.token })
    ).body;
    expect(policies.map((p: { assetId: string }) => p.assetId)).toEqual(['mcp-support', 'jwt-validation', 'upstream-oauth']);

    // api-key replaces upstream-oauth; none removes it.
    const key = await cp.request('PUT', `${bareBackend}/connection`, {
      token: tenant.token,
      json: { mode: 'api-key', headerName: 'X-API-Key', value: 'k-1' },
    });
    expect(key.body.connection).toEqual({ mode: 'api-key' });
    const none = await cp.request('PUT', `${bareBackend}/connection`, { token: tenant.token, json: { mode: 'none' } });
    expect(none.body.connection).toEqual({ mode: 'none' });
    // Passthrough: the backend alone validates the client's token; a policy keeping it refuses.
    const through = await cp.request('PUT', `${bareBackend}/connection`, {
      token: tenant.token,
      json: { mode: 'oauth-passthrough' },
    });
    expect(through.body.connection).toEqual({ mode: 'oauth-passthrough' });
    expect(
      (await cp.request('PUT', `${bareBackend}/connection`, { token: tenant.token, json: { mode: 'none' } })).body.connection,
    ).toEqual({
      mode: 'none',
    });
    const kept = await cp.request('PUT', `${backend}/connection`, { token: tenant.token, json: { mode: 'oauth-passthrough' } });
    expect(kept.status).toBe(409);
    expect(kept.body.message).toMatch(/\(jwt-validation\) of API instance \d+ validates it and keeps it/);
    const updater = await newUser(cp, tenant.organizationId, ['manage:api_policies', 'read:api_configuration']);
    expect((await cp.request('PUT', `${bareBackend}/connection`, { token: updater.token, json: { mode: 'none' } })).status).toBe(
      403,
    );
  });

  it('revokes and forgets every user connection when the backend leaves gateway-oauth', async () => {
    const erin = await sign('erin');
    expect((await authorize((await elicitation(erin)).elicitations[0]!.url, 'erin')).status).toBe(200);
    const held = await testPrisma().backendOAuthConnection.count({ where: { apiId: instance.apiId } });
    expect(held).toBeGreaterThan(0);
    const revokedBefore = as.revoked.length;

    const key = await cp.request('PUT', `${backend}/connection`, {
      token: tenant.token,
      json: { mode: 'api-key', headerName: 'X-API-Key', value: 'k-2' },
    });
    expect(key.status).toBe(200);
    expect(key.body.connection).toEqual({ mode: 'api-key' });
    const policies = (
      await cp.request('GET', `${instance.apisPath}/${instance.apiId}/policies?fullInfo=false`, { token: tenant.token })
    ).body;
    expect(policies.map((p: { assetId: string }) => p.assetId)).toEqual(['mcp-support', 'jwt-validation', 'upstream-credential']);
    expect(await testPrisma().backendOAuthConnection.count({ where: { apiId: instance.apiId } })).toBe(0);
    expect(as.revoked.length - revokedBefore).toBe(held);
    await rolledOut(cp, tenant, instance);
    expect(await echo(erin, 'keyed')).toBe('keyed');
    expect(upstream.requests.at(-1)!.headers['x-api-key']).toBe('k-2');
  });

  it('refuses a request without an identified user', async () => {
    const missing = await postMcp(`${instance.proxyUrl}/mcp`, INITIALIZE);
    expect(missing.status).toBe(401); // jwt-validation, before upstream-oauth
  });

  it('keeps both client secrets to the control plane: sealed, masked in the policy, absent from what gateways get', async () => {
    const given = await deployWithPolicies(cp, tenant, { upstreamUrl, targetId: registered.gatewayId, prefix: 'given' }, [
      agentTokens(),
    ]);
    const set = await cp.request(
      'PUT',
      `/mcpgateway/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/backends/${given.apiId}/connection`,
      {
        token: tenant.token,
        json: {
          mode: 'gateway-oauth',
          authorizationServer: as.issuer,
          clientId: 'backend-client',
          clientSecret: 'backend-s3cret',
          signInClientId: 'sign-in-client',
          signInClientSecret: 'sign-in-s3cret',
        },
      },
    );
    expect(set.status).toBe(200);
    const policies = (
      await cp.request('GET', `${given.apisPath}/${given.apiId}/policies?fullInfo=false`, { token: tenant.token })
    ).body;
    expect(policies[2].configurationData).toMatchObject({ clientId: 'backend-client', signInClientId: 'sign-in-client' });
    expect(JSON.stringify(policies)).not.toContain('s3cret');
    const row = await testPrisma().appliedPolicy.findFirstOrThrow({ where: { apiId: given.apiId, assetId: 'upstream-oauth' } });
    expect(JSON.stringify(row.configurationData)).not.toContain('s3cret');

    const box = cp.app.get(SecretBox);
    const snapshot = buildSnapshot((await cp.app.get(ConfigSyncRepository).loadTarget(registered.gatewayId))!, (sealed) =>
      box.open(sealed),
    );
    const sent = snapshot.config.apis
      .find((a) => a.id === String(given.apiId))!
      .policies.find((p) => p.type === 'upstream-oauth')!;
    const configuration = JSON.parse(sent.configurationJson) as Record<string, unknown>;
    expect(configuration).toMatchObject({
      clientId: 'backend-client',
      signInIssuer: idp.issuer,
      signInClientId: 'sign-in-client',
    });
    expect(configuration).not.toHaveProperty('clientSecret');
    expect(configuration).not.toHaveProperty('signInClientSecret');

    // The instance's authentication changes afterwards: its consent links no longer sign anyone in.
    const validator = policies.find((p: { assetId: string }) => p.assetId === 'jwt-validation');
    const edited = await cp.request('PATCH', `${given.apisPath}/${given.apiId}/policies/${validator.policyId ?? validator.id}`, {
      token: tenant.token,
      json: { configurationData: { ...agentTokens().configurationData, issuer: 'https://elsewhere.example.com' } },
    });
    expect(edited.status).toBe(200);
    const tokens = await tokenService();
    try {
      const asked = await tokens.userToken(String(given.apiId), 'zed');
      const link = asked?.$case === 'consent' ? asked.value.url : '';
      const pressed = await fetch(link, { method: 'POST', headers: { origin: new URL(link).origin }, redirect: 'manual' });
      expect(pressed.status).toBe(409);
      expect(await pressed.text()).toContain('authentication changed since its connection was set up');
    } finally {
      tokens.close();
    }
  });
});
