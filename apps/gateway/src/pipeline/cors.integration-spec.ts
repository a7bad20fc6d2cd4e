/**
 * CORS on real requests: preflights answered by the gateway before authentication, CORS headers
 * on the upstream's answers and on the gateway's own (a 401 a browser page must be able to read).
 */
import { rawRequest, postMcp, startMcpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const APP = 'https://app.example.com';
const CORS = {
  type: 'cors',
  configuration: {
    publicResource: false,
    supportCredentials: true,
    originGroups: [
      {
        name: 'app',
        origins: [APP],
        accessControlMaxAge: 600,
        allowedMethods: [
          { methodName: 'POST', isAllowed: true },
          { methodName: 'GET', isAllowed: true },
          { methodName: 'DELETE', isAllowed: false },
        ],
        headers: ['content-type', 'authorization', 'mcp-session-id', 'mcp-protocol-version'],
        exposedHeaders: ['x-request-id'],
      },
    ],
  },
};
const BASIC = { type: 'http-basic-authentication', configuration: { username: 'u', password: 'p' } };

describe('cors', () => {
  let upstream: TestMcpServer;
  let gateway: TestGateway;
  let base: string;

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: false });
    const [port] = (await freePorts(1)) as [number];
    const up = upstream.url.replace(/mcp$/, '');
    gateway = await startTestGateway(
      gatewayConfig([
        { id: 'open', port, basePath: '/open', upstream: up, policies: ['mcp-support', { type: 'cors', configuration: {} }] },
        { id: 'app', port, basePath: '/app', upstream: up, policies: ['mcp-support', CORS, BASIC] },
      ]),
    );
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const preflight = (path: string, origin: string) =>
    rawRequest(`${base}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });

  it('answers a preflight from an allowed origin before authentication, and refuses others', async () => {
    const before = upstream.requests.length;
    const allowed = await preflight('/app/mcp', APP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'POST, GET',
      'access-control-allow-headers': 'content-type, authorization, mcp-session-id, mcp-protocol-version',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    });
    expect((await preflight('/app/mcp', 'https://evil.example.com')).status).toBe(403);
    expect(upstream.requests.length).toBe(before);
  });

  it("puts the CORS headers on the gateway's own answers and the upstream's", async () => {
    const unauthorized = await postMcp(`${base}/app/mcp`, INITIALIZE, { origin: APP });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['access-control-allow-origin']).toBe(APP);
    expect(unauthorized.headers['access-control-expose-headers']).toBe(
      'x-request-id, mcp-session-id, mcp-protocol-version, www-authenticate',
    );
    const ok = await postMcp(`${base}/app/mcp`, INITIALIZE, {
      origin: APP,
      authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(APP);
    const foreign = await postMcp(`${base}/app/mcp`, INITIALIZE, { origin: 'https://evil.example.com' });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows any origin on a public resource, with what the preflight asks for', async () => {
    const open = await preflight('/open/mcp', 'https://anyone.example.org');
    expect(open.status).toBe(204);
    expect(open.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, authorization',
    });
    expect(open.headers['access-control-allow-credentials']).toBeUndefined();
    const answer = await postMcp(`${base}/open/mcp`, INITIALIZE, { origin: 'https://anyone.example.org' });
    expect(answer.headers['access-control-allow-origin']).toBe('*');
  });
});
