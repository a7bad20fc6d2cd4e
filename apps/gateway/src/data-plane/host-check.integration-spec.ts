/**
 * DNS-rebinding protection over real sockets: Host and Origin must name the API (its own names,
 * the gateway's configured ones, an IP literal or a loopback name); anything else is answered
 * 403 before the API says anything else, and never reaches the upstream.
 */
import { postMcp, rawRequest, startHttpServer, type TestHttpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

describe('Host and Origin checks', () => {
  let upstream: TestHttpServer;
  let gateway: TestGateway;
  let port: number;
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const tools = { jsonrpc: '2.0', id: 4, method: 'tools/list' };

  beforeAll(async () => {
    upstream = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: 4, result: { tools: [] } }));
    });
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        { id: 'mcp', port, basePath: '/mcp-api', upstream: `${upstream.origin}/`, hosts: ['mcp.example.com'] },
        { id: 'http', type: 'http', port, basePath: '/http-api', upstream: `${upstream.origin}/`, hosts: ['api.example.com'] },
        // unavailable (unknown policy type): still refuses a foreign Host before saying so
        { id: 'broken', port, basePath: '/broken', upstream: `${upstream.origin}/`, policies: ['no-such-policy'] },
      ]),
      { hosts: ['gateway.internal', '*.corp.example'] },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it.each([
    ["the API's own name", { host: 'MCP.example.com:8443' }],
    ['a configured gateway name', { host: 'gateway.internal' }],
    ['a configured wildcard name', { host: 'mcp.eu.corp.example' }],
    ['an IPv4 literal', { host: '10.0.0.7:8081' }],
    ['an IPv6 literal', { host: '[::1]:8081' }],
    ['a loopback name', { host: 'localhost:8081' }],
    ['an Origin naming the API', { host: 'mcp.example.com', origin: 'https://mcp.example.com' }],
    ['an Origin on loopback', { host: 'localhost', origin: 'http://localhost:6274' }],
  ])('lets %s through', async (_name, headers) => {
    const res = await postMcp(url('/mcp-api/mcp'), tools, headers);
    expect(res.status).toBe(200);
  });

  it.each([
    [
      'a foreign Host (a rebound DNS name)',
      { host: 'attacker.example:8081' },
      'Host "attacker.example" is not served by this gateway',
    ],
    ['a name of another API', { host: 'api.example.com' }, 'Host "api.example.com" is not served by this gateway'],
    ['the wildcard domain itself', { host: 'corp.example' }, 'Host "corp.example" is not served by this gateway'],
    [
      'a foreign Origin',
      { host: '127.0.0.1', origin: 'https://attacker.example' },
      'Origin "https://attacker.example" is not allowed for this API',
    ],
    ['an opaque Origin', { host: 'localhost', origin: 'null' }, 'Origin "null" is not allowed for this API'],
  ])('refuses %s with 403 and a JSON-RPC error, before the upstream', async (_name, headers, message) => {
    const before = upstream.requests.length;
    const res = await postMcp(url('/mcp-api/mcp'), tools, headers);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message, data: { reason: 'HOST_NOT_ALLOWED' } },
    });
    expect(upstream.requests.length).toBe(before);
  });

  it('checks GET streams and plain HTTP APIs too', async () => {
    const stream = await rawRequest(url('/mcp-api/mcp'), { headers: { host: 'evil.example', accept: 'text/event-stream' } });
    expect(stream.status).toBe(403);
    const plain = await rawRequest(url('/http-api/items'), { headers: { host: 'evil.example' } });
    expect(plain.status).toBe(403);
    expect(JSON.parse(plain.body)).toEqual({
      code: 'HOST_NOT_ALLOWED',
      message: 'Host "evil.example" is not served by this gateway',
    });
    expect((await rawRequest(url('/http-api/items'), { headers: { host: 'api.example.com' } })).status).toBe(200);
  });

  it('refuses a foreign Host to an unavailable API before telling it is unavailable', async () => {
    expect((await postMcp(url('/broken/mcp'), tools, { host: 'evil.example' })).status).toBe(403);
    expect((await postMcp(url('/broken/mcp'), tools)).status).toBe(503);
  });
});
