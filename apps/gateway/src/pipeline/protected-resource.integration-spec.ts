/**
 * RFC 9728 metadata served by the gateway for an API a bearer policy makes a protected resource,
 * named after the public URL (the instance's, PORTICO_GATEWAY_PUBLIC_URL, or the request's); and
 * an upstream that is its own protected resource relayed, every URL rewritten to the gateway's.
 */
import { postMcp, rawRequest, startHttpServer, startMcpServer, type TestHttpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

const JWT = {
  type: 'jwt-validation',
  configuration: {
    jwtOrigin: 'httpBearerAuthenticationHeader',
    signingMethod: 'hmac',
    textKey: 'a-shared-secret-of-at-least-32-bytes!',
    skipClientIdValidation: true,
    authorizationServers: ['https://as.example.com'],
    scopesSupported: ['mcp:tools'],
  },
};

describe('protected-resource metadata', () => {
  let upstream: TestMcpServer;
  /** An MCP upstream secured by its own authorization server: metadata, and 401 to every POST. */
  let secured: TestHttpServer;
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: false });
    secured = await startHttpServer((req, res) => {
      if (req.method === 'GET' && req.url === '/.well-known/oauth-protected-resource/mcp') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({ resource: `${secured.origin}/mcp`, authorization_servers: ['https://as.upstream.example'] }),
        );
      }
      res.writeHead(401, {
        'www-authenticate': `Bearer error="invalid_token", resource_metadata="${secured.origin}/.well-known/oauth-protected-resource/mcp", scope="up:read"`,
      });
      res.end();
    });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await upstream.close();
    await secured.close();
  });

  const start = async (publicUrl?: string) => {
    const [port] = (await freePorts(1)) as [number];
    const base = upstream.url.replace(/mcp$/, '');
    gateways.push(
      await startTestGateway(
        gatewayConfig([
          { id: 'secured', port, basePath: '/secured', upstream: base, policies: ['mcp-support', JWT] },
          { id: 'public', port, basePath: '/public', upstream: base, policies: ['mcp-support'] },
          {
            id: 'named',
            port,
            basePath: '/named',
            upstream: base,
            policies: ['mcp-support', JWT],
            publicUrl: 'https://mcp.example.com/tools/',
          },
          { id: 'root', port, basePath: '/', upstream: base, policies: ['mcp-support'] },
          { id: 'relayed', port, basePath: '/relayed', upstream: `${secured.origin}/`, policies: ['mcp-support'] },
        ]),
        { publicUrl, hosts: ['mcp.example.com'] },
      ),
    );
    const get = (path: string, host?: string) =>
      rawRequest(`http://127.0.0.1:${port}${path}`, host === undefined ? {} : { headers: { host } });
    return { get, port };
  };

  it('describes a protected API by the URL the client addressed', async () => {
    const { get, port } = await start();
    const found = await get('/.well-known/oauth-protected-resource/secured/mcp');
    expect(found.status).toBe(200);
    expect(found.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(found.body)).toEqual({
      resource: `http://127.0.0.1:${port}/secured/mcp`,
      authorization_servers: ['https://as.example.com'],
      scopes_supported: ['mcp:tools'],
      bearer_methods_supported: ['header'],
      resource_name: 'api-secured',
    });
    expect(JSON.parse((await get('/.well-known/oauth-protected-resource/secured/mcp', 'mcp.example.com')).body).resource).toBe(
      'http://mcp.example.com/secured/mcp',
    );
    // A foreign Host is refused like on any route.
    expect((await get('/.well-known/oauth-protected-resource/secured/mcp', 'evil.example.com')).status).toBe(403);
  });

  it('names the resource after the instance public URL, else PORTICO_GATEWAY_PUBLIC_URL', async () => {
    const { get } = await start('https://gw.example.com');
    expect(JSON.parse((await get('/.well-known/oauth-protected-resource/named/mcp')).body).resource).toBe(
      'https://mcp.example.com/tools/mcp',
    );
    expect(JSON.parse((await get('/.well-known/oauth-protected-resource/secured/mcp')).body).resource).toBe(
      'https://gw.example.com/secured/mcp',
    );
  });

  it("relays an upstream's own metadata and challenges, every URL rewritten to the gateway's", async () => {
    const { get, port } = await start();
    const relayed = await get('/.well-known/oauth-protected-resource/relayed/mcp');
    expect(relayed.status).toBe(200);
    expect(JSON.parse(relayed.body)).toEqual({
      resource: `http://127.0.0.1:${port}/relayed/mcp`,
      authorization_servers: ['https://as.upstream.example'],
    });
    const challenged = await postMcp(`http://127.0.0.1:${port}/relayed/mcp`, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(challenged.status).toBe(401);
    expect(challenged.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/relayed/mcp", scope="up:read"`,
    );
    // An upstream without metadata: 404, as for a path that describes nothing.
    expect((await get('/.well-known/oauth-protected-resource/public/mcp')).status).toBe(404);
    expect((await get('/.well-known/oauth-protected-resource/nothing/here')).status).toBe(404);
  });
});
