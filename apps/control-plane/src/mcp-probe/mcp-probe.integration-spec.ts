/**
 * POST …/probes over a real control plane against real servers on 127.0.0.1: an MCP server
 * without auth, one that wants an X-API-Key, one that is an OAuth protected resource with its
 * authorization server, and servers that are no MCP at all. 127.0.0.2 stands for a machine the
 * address policy denies: nothing may reach it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { freePort, startHttpServer, startMcpServer, type TestHttpServer, type TestMcpServer } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, type TestTenant } from '../../test/support/factories.js';
import { useControlPlane } from '../../test/support/harness.js';

const API_KEY = 'probe-test-key';

/** An MCP server (stateless, JSON answers) that answers only requests carrying X-API-Key. */
function keyedMcpServer(): Promise<TestHttpServer> {
  return startHttpServer(async (req, res, body) => {
    if (req.headers['x-api-key'] !== API_KEY) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unauthorized', message: 'Missing or invalid X-API-Key header' }));
      return;
    }
    const server = new McpServer({ name: 'keyed', version: '2.0.0' });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res, JSON.parse(body));
  });
}

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void =>
  void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));

/**
 * An authorization server: RFC 8414 metadata of its root issuer (with dynamic registration and
 * S256) and OpenID configuration of issuer `<origin>/tenant1` (neither).
 */
function authorizationServer(host = '127.0.0.1'): Promise<TestHttpServer> {
  let origin = '';
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/.well-known/oauth-authorization-server') {
      return json(res, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        registration_endpoint: `${origin}/register`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (req.url === '/.well-known/openid-configuration/tenant1') {
      return json(res, 200, {
        issuer: `${origin}/tenant1`,
        authorization_endpoint: `${origin}/tenant1/auth`,
        token_endpoint: `${origin}/tenant1/token`,
      });
    }
    json(res, 404, { error: 'not_found' });
  };
  return startHttpServer(handler, host).then((server) => {
    origin = server.origin;
    return server;
  });
}

/**
 * An OAuth protected resource. `/mcp` challenges with resource_metadata and scope and serves its
 * metadata at the path-inserted well-known URI; `/bare-mcp` challenges with a bare Bearer and the
 * root well-known URI serves its metadata, naming the tenant1 issuer; `/prm-redirect` redirects to
 * the issuer's machine. `issuer` is the authorization server the metadata names, `metadataUrl`
 * where the challenge points.
 */
function protectedResource(options: { issuer: () => string; metadataUrl?: (origin: string) => string }): Promise<TestHttpServer> {
  let origin = '';
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url === '/mcp') {
      const metadata = options.metadataUrl?.(origin) ?? `${origin}/.well-known/oauth-protected-resource/mcp`;
      return json(
        res,
        401,
        { error: 'invalid_token', error_description: 'Missing Authorization header' },
        { 'www-authenticate': `Bearer resource_metadata="${metadata}", scope="mcp:read"` },
      );
    }
    if (req.method === 'POST' && req.url === '/bare-mcp') return json(res, 401, {}, { 'www-authenticate': 'Bearer' });
    if (req.url === '/prm-redirect') {
      return void res.writeHead(302, { location: `${options.issuer()}/.well-known/oauth-protected-resource/mcp` }).end();
    }
    if (req.url === '/.well-known/oauth-protected-resource/mcp') {
      return json(res, 200, {
        resource: `${origin}/mcp`,
        authorization_servers: [options.issuer()],
        scopes_supported: ['mcp:read', 'mcp:write'],
        bearer_methods_supported: ['header'],
      });
    }
    if (req.url === '/.well-known/oauth-protected-resource') {
      return json(res, 200, { resource: `${origin}/bare-mcp`, authorization_servers: [`${options.issuer()}/tenant1`] });
    }
    json(res, 404, { error: 'not found' });
  };
  return startHttpServer(handler).then((server) => {
    origin = server.origin;
    return server;
  });
}

/** Answers that are no MCP: HTML, a server error, a redirect, a bare 403 and a bare 401. */
function oddServer(): Promise<TestHttpServer> {
  return startHttpServer((req, res) => {
    if (req.url === '/html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    if (req.url === '/down') return json(res, 503, { error: 'maintenance' });
    if (req.url === '/moved') return void res.writeHead(307, { location: '/mcp' }).end();
    if (req.url === '/forbidden') return void res.writeHead(403).end('Forbidden');
    if (req.url === '/unauthorized') return void res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
    if (req.url === '/bad-request')
      return json(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: no' } });
    json(res, 404, { error: 'not found' });
  });
}

const probesPath = (t: TestTenant, envId = t.sandboxId, orgId = t.organizationId) =>
  `/mcpgateway/api/v1/organizations/${orgId}/environments/${envId}/probes`;

describe('MCP auth probing', () => {
  const h = useControlPlane({ tenants: 2, overrides: { PORTICO_PROBE_DENY: 'none' } });
  let open: TestMcpServer;
  let stateless: TestMcpServer;
  let keyed: TestHttpServer;
  let as: TestHttpServer;
  let rs: TestHttpServer;
  let odd: TestHttpServer;

  beforeAll(async () => {
    [open, stateless, keyed, as, odd] = await Promise.all([
      startMcpServer({ name: 'open-server' }),
      startMcpServer({ stateful: false, jsonResponse: true, name: 'json-server' }),
      keyedMcpServer(),
      authorizationServer(),
      oddServer(),
    ]);
    rs = await protectedResource({ issuer: () => as.origin });
  });
  afterAll(async () => {
    await Promise.all([open, stateless, keyed, as, rs, odd].map((s) => s?.close()));
  });

  const probe = (url: unknown, t = h.tenant) => h.cp.request('POST', probesPath(t), { token: t.token, json: { url } });

  it('finds no auth on an MCP server that initializes without credentials, and ends the session it opened', async () => {
    const res = await probe(open.url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      verdict: 'none',
      url: open.url,
      serverInfo: { name: 'open-server', version: '1.0.0' },
      protocolVersion: '2025-11-25',
      capabilities: { tools: { listChanged: true } },
      proposal: { connection: { mode: 'none' }, upstreamUri: open.url },
      warnings: [],
      steps: [
        { method: 'POST', url: open.url, status: 200 },
        { method: 'DELETE', url: open.url, status: 200 },
      ],
    });
    const [initialize, end] = open.requests.slice(-2);
    expect(initialize).toMatchObject({
      method: 'POST',
      headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
    });
    expect(initialize!.headers.authorization).toBeUndefined();
    expect(end).toMatchObject({
      method: 'DELETE',
      headers: { 'mcp-session-id': expect.any(String), 'mcp-protocol-version': '2025-11-25' },
    });
  });

  it('reads a JSON answer of a stateless server, with nothing to end', async () => {
    const res = await probe(stateless.url);
    expect(res.body).toMatchObject({
      verdict: 'none',
      serverInfo: { name: 'json-server', version: '1.0.0' },
      steps: [{ method: 'POST', url: stateless.url, status: 200 }],
    });
  });

  it('finds an API key in the header the refusal names', async () => {
    const url = `${keyed.origin}/mcp`;
    const res = await probe(url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      verdict: 'api-key',
      url,
      headerName: 'X-API-Key',
      prefix: '',
      evidence: "the 401 answer's body names X-API-Key",
      proposal: {
        connection: { mode: 'api-key' },
        upstreamUri: url,
        upstreamCredential: { headerName: 'X-API-Key', prefix: '' },
      },
      warnings: [],
      steps: [{ method: 'POST', url, status: 401 }],
    });
    // and the proposal is right: with the key in that header the server initializes
    const withKey = await fetch(url, {
      method: 'POST',
      headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    expect(((await withKey.json()) as { result: { serverInfo: unknown } }).result.serverInfo).toEqual({
      name: 'keyed',
      version: '2.0.0',
    });
  });

  it("finds OAuth through the challenge's resource metadata and its authorization server's RFC 8414 metadata", async () => {
    const url = `${rs.origin}/mcp`;
    const res = await probe(url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      verdict: 'oauth',
      url,
      resource: url,
      resourceMetadataUrl: `${rs.origin}/.well-known/oauth-protected-resource/mcp`,
      authorizationServer: as.origin,
      authorizationEndpoint: `${as.origin}/authorize`,
      tokenEndpoint: `${as.origin}/token`,
      registrationEndpoint: `${as.origin}/register`,
      scopes: ['mcp:read'],
      dynamicClientRegistration: true,
      clientIdMetadataDocuments: false,
      pkceMethods: ['S256'],
      proposal: {
        connection: { mode: 'gateway-oauth' },
        upstreamUri: url,
        oauth: { authorizationServer: as.origin, scopes: ['mcp:read'], registration: 'dynamic' },
      },
      warnings: [],
      steps: [
        { method: 'POST', url, status: 401 },
        { method: 'GET', url: `${rs.origin}/.well-known/oauth-protected-resource/mcp`, status: 200 },
        { method: 'GET', url: `${as.origin}/.well-known/oauth-authorization-server`, status: 200 },
      ],
    });
  });

  it('looks for metadata at the well-known URIs in the specification’s order when the challenge names none', async () => {
    const url = `${rs.origin}/bare-mcp`;
    const issuer = `${as.origin}/tenant1`;
    const res = await probe(url);
    expect(res.body).toEqual({
      verdict: 'oauth',
      url,
      resource: url,
      resourceMetadataUrl: `${rs.origin}/.well-known/oauth-protected-resource`,
      authorizationServer: issuer,
      authorizationEndpoint: `${issuer}/auth`,
      tokenEndpoint: `${issuer}/token`,
      registrationEndpoint: null,
      scopes: [],
      dynamicClientRegistration: false,
      clientIdMetadataDocuments: false,
      pkceMethods: [],
      proposal: {
        connection: { mode: 'gateway-oauth' },
        upstreamUri: url,
        oauth: { authorizationServer: issuer, scopes: [], registration: 'manual' },
      },
      warnings: ['the authorization server does not list S256 in code_challenge_methods_supported: MCP clients must refuse it'],
      steps: [
        { method: 'POST', url, status: 401 },
        { method: 'GET', url: `${rs.origin}/.well-known/oauth-protected-resource/bare-mcp`, status: 404 },
        { method: 'GET', url: `${rs.origin}/.well-known/oauth-protected-resource`, status: 200 },
        { method: 'GET', url: `${as.origin}/.well-known/oauth-authorization-server/tenant1`, status: 404 },
        { method: 'GET', url: `${as.origin}/.well-known/openid-configuration/tenant1`, status: 200 },
      ],
    });
  });

  it('guesses Authorization: Bearer for a bare 401 after looking for OAuth metadata', async () => {
    const url = `${odd.origin}/unauthorized`;
    const res = await probe(url);
    expect(res.body).toEqual({
      verdict: 'api-key',
      url,
      headerName: 'Authorization',
      prefix: 'Bearer',
      evidence: 'the 401 answer has no challenge and no OAuth metadata was found',
      proposal: {
        connection: { mode: 'api-key' },
        upstreamUri: url,
        upstreamCredential: { headerName: 'Authorization', prefix: 'Bearer' },
      },
      warnings: ['the server did not say where the key goes: Authorization with prefix Bearer is a guess'],
      steps: [
        { method: 'POST', url, status: 401 },
        { method: 'GET', url: `${odd.origin}/.well-known/oauth-protected-resource/unauthorized`, status: 404 },
        { method: 'GET', url: `${odd.origin}/.well-known/oauth-protected-resource`, status: 404 },
        { method: 'GET', url: `${odd.origin}/.well-known/oauth-authorization-server`, status: 404 },
      ],
    });
  });

  it.each([
    ['/html', 'answered 200 text/html, not MCP'],
    ['/down', 'answered 503, a server error'],
    ['/bad-request', 'answered 400: Bad Request: no'],
    ['/forbidden', 'answered 403 without a challenge or a hint of the credentials it wants'],
  ])('calls %s unknown: %s', async (path, reason) => {
    const url = `${odd.origin}${path}`;
    const res = await probe(url);
    expect(res.body).toEqual({
      verdict: 'unknown',
      url,
      reason,
      proposal: { connection: { mode: 'none' }, upstreamUri: url },
      warnings: [],
      steps: [{ method: 'POST', url, status: Number(/\d{3}/.exec(reason)![0]) }],
    });
  });

  it('does not follow a redirect of initialize, and names where it went', async () => {
    const url = `${odd.origin}/moved`;
    const before = odd.requests.length;
    const res = await probe(url);
    expect(res.body).toMatchObject({
      verdict: 'unknown',
      reason: `answered 307 redirecting to ${odd.origin}/mcp; the probe does not follow a redirect of initialize: probe that URL if it is the MCP endpoint`,
      steps: [{ method: 'POST', url, status: 307 }],
    });
    expect(odd.requests.slice(before).map((r) => r.url)).toEqual(['/moved']);
  });

  it('calls a port nothing listens on unknown: connection refused', async () => {
    const url = `http://127.0.0.1:${await freePort()}/mcp`;
    const res = await probe(url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      verdict: 'unknown',
      url,
      reason: 'connection refused',
      proposal: { connection: { mode: 'none' }, upstreamUri: url },
      warnings: [],
      steps: [{ method: 'POST', url, status: null, error: 'connection refused' }],
    });
  });

  it.each([
    ['no url', undefined, 'body.url: is required'],
    ['an ftp URL', 'ftp://example.com/mcp', 'body.url: must be an http or https URL'],
    ['a 10,000-character URL', `https://example.com/${'a'.repeat(10_000)}`, 'body.url: must be at most 2048 characters'],
    ['a URL with credentials', 'https://user:secret@example.com/mcp', 'body.url: must not hold credentials (user:password@)'],
    ['a URL with a fragment', 'https://example.com/mcp#x', 'body.url: must not have a fragment (#…)'],
    ['a relative URL', 'example.com/mcp', 'body.url: must be an absolute http or https URL'],
    ['a number', 42, 'body.url: must be a string'],
  ])('refuses %s with a 400 naming url', async (_label, url, message) => {
    const res = await probe(url);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, name: 'BadRequestError', code: 'VALIDATION_FAILED', message });
    expect(res.body.errors[0]).toMatchObject({ path: '/body/url' });
  });

  it('refuses a body that is no object or has other fields', async () => {
    const notObject = await h.cp.request('POST', probesPath(h.tenant), { token: h.tenant.token, json: ['x'] });
    expect(notObject.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'body: must be an object {url}' });
    const extra = await h.cp.request('POST', probesPath(h.tenant), {
      token: h.tenant.token,
      json: { url: open.url, token: 'x' },
    });
    expect(extra.body).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^body: .*"token"/),
    });
  });

  it('needs Create Custom MCP, and nothing else', async () => {
    const without = await newUser(h.cp, h.tenant.organizationId, ['manage:apis', 'install:mcp_library', 'update:mcp_backends']);
    const refused = await h.cp.request('POST', probesPath(h.tenant), { token: without.token, json: { url: stateless.url } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ status: 403, code: 'FORBIDDEN', message: expect.stringContaining('create:custom_mcp') });

    const only = await newUser(h.cp, h.tenant.organizationId, ['create:custom_mcp']);
    const allowed = await h.cp.request('POST', probesPath(h.tenant), { token: only.token, json: { url: stateless.url } });
    expect(allowed.status).toBe(200);
  });

  it("answers another organization's ids with 404, probing nothing", async () => {
    const [a, b] = h.tenants as [TestTenant, TestTenant];
    const before = stateless.requests.length;
    const foreignOrg = await h.cp.request('POST', probesPath(a), { token: b.token, json: { url: stateless.url } });
    expect(foreignOrg.status).toBe(404);
    expect(foreignOrg.body).toMatchObject({ code: 'ORGANIZATION_NOT_FOUND' });
    const foreignEnv = await h.cp.request('POST', probesPath(b, a.sandboxId), { token: b.token, json: { url: stateless.url } });
    expect(foreignEnv.status).toBe(404);
    expect(foreignEnv.body).toMatchObject({ code: 'ENVIRONMENT_NOT_FOUND' });
    expect(stateless.requests.length).toBe(before);
  });
});

describe('MCP auth probing under the default PORTICO_PROBE_DENY', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let open: TestMcpServer;

  beforeAll(async () => {
    [cp, open] = await Promise.all([startControlPlane(), startMcpServer()]);
    tenant = await newTenant(cp);
  });
  afterAll(async () => {
    await Promise.all([cp?.close(), open?.close()]);
    await closeTestPrisma();
  });

  it.each([
    ['127.0.0.1', 'body.url: 127.0.0.1 is an address probes may not reach (PORTICO_PROBE_DENY: loopback)'],
    ['[::ffff:7f00:1]', 'body.url: [::ffff:7f00:1] is an address probes may not reach (PORTICO_PROBE_DENY: loopback)'],
    ['localhost', 'body.url: localhost has no address probes may reach (PORTICO_PROBE_DENY: loopback)'],
  ])('refuses a URL on %s with a 400 naming the rule, sending nothing', async (host, message) => {
    const before = open.requests.length;
    const res = await cp.request('POST', probesPath(tenant), {
      token: tenant.token,
      json: { url: `http://${host}:${open.port}/mcp` },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      status: 400,
      name: 'BadRequestError',
      code: 'MCP_PROBE_ADDRESS_DENIED',
      message,
      errors: [{ path: '/body/url', message: message.slice('body.url: '.length), errorCode: 'MCP_PROBE_ADDRESS_DENIED' }],
    });
    expect(open.requests.length).toBe(before);
  });

  it.each([
    ['169.254.169.254', 'metadata'],
    ['10.1.2.3', 'private'],
    ['[fe80::1]', 'link-local'],
  ])('refuses %s by %s without connecting', async (host, rule) => {
    const res = await cp.request('POST', probesPath(tenant), { token: tenant.token, json: { url: `http://${host}/mcp` } });
    expect(res.body).toMatchObject({
      status: 400,
      code: 'MCP_PROBE_ADDRESS_DENIED',
      message: `body.url: ${host} is an address probes may not reach (PORTICO_PROBE_DENY: ${rule})`,
    });
  });
});

describe('MCP auth probing with metadata on a denied address', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let deniedAs: TestHttpServer;
  let rs: TestHttpServer;
  let redirecting: TestHttpServer;

  beforeAll(async () => {
    // 127.0.0.1 allowed, 127.0.0.2 (the authorization server's machine) denied
    [cp, deniedAs] = await Promise.all([
      startControlPlane({ PORTICO_PROBE_DENY: '127.0.0.2' }),
      authorizationServer('127.0.0.2'),
    ]);
    tenant = await newTenant(cp);
    rs = await protectedResource({ issuer: () => deniedAs.origin });
    // its challenge points at a URL that redirects to the denied machine
    redirecting = await protectedResource({ issuer: () => deniedAs.origin, metadataUrl: (origin) => `${origin}/prm-redirect` });
  });
  afterAll(async () => {
    await Promise.all([cp?.close(), deniedAs?.close(), rs?.close(), redirecting?.close()]);
    await closeTestPrisma();
  });

  const probe = (url: string) => cp.request('POST', probesPath(tenant), { token: tenant.token, json: { url } });

  it('reports an authorization server on a denied address without fetching its metadata', async () => {
    const url = `${rs.origin}/mcp`;
    const res = await probe(url);
    const metadataUrl = `${deniedAs.origin}/.well-known/oauth-authorization-server`;
    expect(res.body).toEqual({
      verdict: 'oauth',
      url,
      resource: url,
      resourceMetadataUrl: `${rs.origin}/.well-known/oauth-protected-resource/mcp`,
      authorizationServer: deniedAs.origin,
      authorizationEndpoint: null,
      tokenEndpoint: null,
      registrationEndpoint: null,
      scopes: ['mcp:read'],
      dynamicClientRegistration: false,
      clientIdMetadataDocuments: false,
      pkceMethods: [],
      proposal: { connection: { mode: 'oauth-passthrough' }, upstreamUri: url },
      warnings: [
        `authorization server metadata ${metadataUrl} was not fetched: its address is denied by 127.0.0.2 (PORTICO_PROBE_DENY)`,
        `no metadata of authorization server ${deniedAs.origin} could be read: clients must bring their own tokens`,
      ],
      steps: [
        { method: 'POST', url, status: 401 },
        { method: 'GET', url: `${rs.origin}/.well-known/oauth-protected-resource/mcp`, status: 200 },
        {
          method: 'GET',
          url: metadataUrl,
          status: null,
          error: 'not sent: its address is denied by 127.0.0.2 (PORTICO_PROBE_DENY)',
        },
      ],
    });
    expect(deniedAs.requests).toEqual([]);
  });

  it('checks every redirect of a metadata URL against the policy', async () => {
    const res = await probe(`${redirecting.origin}/mcp`);
    expect(res.body).toMatchObject({
      verdict: 'oauth',
      resourceMetadataUrl: `${redirecting.origin}/prm-redirect`,
      authorizationServer: null,
      proposal: { connection: { mode: 'oauth-passthrough' } },
      steps: [
        { method: 'POST', url: `${redirecting.origin}/mcp`, status: 401 },
        { method: 'GET', url: `${redirecting.origin}/prm-redirect`, status: 302 },
        {
          method: 'GET',
          url: `${deniedAs.origin}/.well-known/oauth-protected-resource/mcp`,
          status: null,
          error: 'not sent: its address is denied by 127.0.0.2 (PORTICO_PROBE_DENY)',
        },
      ],
    });
    expect(deniedAs.requests).toEqual([]);
  });

  it('refuses a probed URL on the denied address with a 400 naming the rule', async () => {
    const res = await probe(`${deniedAs.origin}/mcp`);
    expect(res.body).toMatchObject({
      status: 400,
      code: 'MCP_PROBE_ADDRESS_DENIED',
      message: 'body.url: 127.0.0.2 is an address probes may not reach (PORTICO_PROBE_DENY: 127.0.0.2)',
    });
    expect(deniedAs.requests).toEqual([]);
  });
});
