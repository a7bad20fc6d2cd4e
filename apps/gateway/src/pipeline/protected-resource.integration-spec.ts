/**
 * RFC 9728 metadata served by the gateway for an API a bearer policy makes a protected resource,
 * named after the public URL (the instance's, PORTICO_GATEWAY_PUBLIC_URL, or the request's), and
 * left to the upstream for an API that is not one.
 */
import { rawRequest, startMcpServer, type TestMcpServer } from '#portico/testing';
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
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: false });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await upstream.close();
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

  it('leaves the well-known path of an API that is not a protected resource to the routes', async () => {
    const { get } = await start();
    const before = upstream.requests.length;
    await get('/.well-known/oauth-protected-resource/public/mcp');
    expect(upstream.requests.slice(before).map((r) => r.url)).toEqual(['/.well-known/oauth-protected-resource/public/mcp']);
  });
});
