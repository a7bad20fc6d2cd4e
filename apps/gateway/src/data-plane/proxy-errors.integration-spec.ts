/**
 * What the gateway answers itself, over real sockets: exact status and body for each case.
 */
import { startHttpServer, startMcpServer, type TestHttpServer, type TestMcpServer, postMcp, rawRequest } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

const TOOLS_CALL = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } };

describe('gateway error answers', () => {
  let upstream: TestMcpServer;
  let hanging: TestHttpServer;
  let gateway: TestGateway;
  let port: number;
  let downPort: number;
  const base = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: false, jsonResponse: true });
    hanging = await startHttpServer((req, res) => {
      if (req.url === '/stall-body') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"jsonrpc":');
      }
      // Otherwise never answers: the gateway's response timeout must.
    });
    [port, downPort] = (await freePorts(2)) as [number, number];
    gateway = await startTestGateway(
      gatewayConfig([
        { id: 'mcp', port, basePath: '/mcp-api', upstream: `http://127.0.0.1:${upstream.port}/` },
        { id: 'bare', port, basePath: '/bare', upstream: `http://127.0.0.1:${upstream.port}/`, policies: [] },
        { id: 'down', port, basePath: '/down', upstream: `http://127.0.0.1:${downPort}/` },
        { id: 'slow', port, basePath: '/slow', upstream: `${hanging.origin}/`, responseTimeoutMs: 300 },
        { id: 'web', type: 'http', port, basePath: '/web', upstream: `http://127.0.0.1:${downPort}/` },
      ]),
      { bodyLimitBytes: 1024 },
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([upstream?.close(), hanging?.close()]);
  });

  it('passes a valid call through (control case)', async () => {
    const response = await postMcp(`${base()}/mcp-api/mcp`, TOOLS_CALL);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ id: 1, result: { content: [{ type: 'text', text: 'x' }] } });
  });

  it('answers a body over the limit with 413 and a JSON-RPC error, and closes the connection', async () => {
    const big = JSON.stringify({ ...TOOLS_CALL, params: { name: 'echo', arguments: { text: 'x'.repeat(2000) } } });
    const response = await postMcp(`${base()}/mcp-api/mcp`, big);
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Payload Too Large: the request body exceeds 1024 bytes' },
    });
  });

  it('answers a chunked body over the limit with 413 too', async () => {
    const big = JSON.stringify({ ...TOOLS_CALL, params: { name: 'echo', arguments: { text: 'x'.repeat(2000) } } });
    const response = await rawRequest(`${base()}/mcp-api/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'transfer-encoding': 'chunked',
      },
      body: big,
    });
    expect(response.status).toBe(413);
  });

  it('answers 502 with UPSTREAM_UNAVAILABLE when the upstream is down', async () => {
    const response = await postMcp(`${base()}/down/mcp`, TOOLS_CALL);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32603, message: 'The upstream server is unavailable', data: { reason: 'UPSTREAM_UNAVAILABLE' } },
    });
  });

  it('answers 504 with UPSTREAM_TIMEOUT when the upstream does not answer in time', async () => {
    const response = await postMcp(`${base()}/slow/mcp`, TOOLS_CALL);
    expect(response.status).toBe(504);
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32603, message: 'The upstream server did not respond in time', data: { reason: 'UPSTREAM_TIMEOUT' } },
    });
  });

  it('cuts the connection when a JSON body stalls past the response timeout after its headers', async () => {
    await expect(rawRequest(`${base()}/slow/stall-body`)).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
  });

  it('answers a plain HTTP API with {code, message} bodies', async () => {
    const response = await rawRequest(`${base()}/web/anything`);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body)).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: 'The upstream server is unavailable' });
  });

  it('answers every request of an MCP API without mcp-support with 503 MCP_SUPPORT_REQUIRED', async () => {
    for (const method of ['POST', 'GET', 'DELETE']) {
      const response = await rawRequest(`${base()}/bare/mcp`, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: method === 'POST' ? JSON.stringify(TOOLS_CALL) : undefined,
      });
      expect(response.status).toBe(503);
      expect(JSON.parse(response.body)).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32603,
          message: 'The MCP Support policy is required on this MCP server instance; apply mcp-support',
          data: { reason: 'MCP_SUPPORT_REQUIRED' },
        },
      });
    }
  });

  it('answers a path no API serves with 404: JSON-RPC −32601 for MCP-looking requests, {code, message} otherwise', async () => {
    const mcp = await postMcp(`${base()}/nothing/mcp`, TOOLS_CALL);
    expect(mcp.status).toBe(404);
    expect(JSON.parse(mcp.body)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32601, message: 'No API is served at /nothing/mcp' },
    });
    const plain = await rawRequest(`${base()}/nothing`);
    expect(plain.status).toBe(404);
    expect(JSON.parse(plain.body)).toEqual({ code: 'NOT_FOUND', message: 'No API is served at /nothing' });
  });

  it.each([
    ['not JSON', '{"jsonrpc":', 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }],
    [
      'not JSON-RPC',
      '{"jsonrpc":"2.0","id":5,"method":7}',
      400,
      { jsonrpc: '2.0', id: 5, error: { code: -32600, message: 'Invalid Request: method must be a non-empty string' } },
    ],
    [
      'tools/call without a name',
      '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{}}',
      200,
      { jsonrpc: '2.0', id: 6, error: { code: -32602, message: 'Invalid params: tools/call needs a string params.name' } },
    ],
  ])('answers a body that is %s', async (_name, body, status, expected) => {
    const response = await postMcp(`${base()}/mcp-api/mcp`, body);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual(expected);
  });

  it('answers a batch from a 2025-06-18 client with 400 −32600', async () => {
    const response = await postMcp(`${base()}/mcp-api/mcp`, [TOOLS_CALL], { 'mcp-protocol-version': '2025-06-18' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request: batches are not supported' },
    });
  });

  it('answers a non-JSON Content-Type with 415 and an Accept without JSON or SSE with 406', async () => {
    const media = await rawRequest(`${base()}/mcp-api/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(media.status).toBe(415);
    expect(JSON.parse(media.body)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Unsupported Media Type: Content-Type must be application/json' },
    });
    const accept = await postMcp(`${base()}/mcp-api/mcp`, TOOLS_CALL, { accept: 'text/html' });
    expect(accept.status).toBe(406);
    expect(JSON.parse(accept.body)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Not Acceptable: Accept must allow application/json or text/event-stream' },
    });
  });

  describe('MCP 2026-07-28 mirrored headers', () => {
    const v2026 = { 'mcp-protocol-version': '2026-07-28' };

    it('rejects an Mcp-Method that differs from the body with 400 −32020 naming the header', async () => {
      const response = await postMcp(`${base()}/mcp-api/mcp`, TOOLS_CALL, {
        ...v2026,
        'mcp-method': 'tools/list',
        'mcp-name': 'echo',
      });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: {
          code: -32020,
          message: 'HeaderMismatch: Mcp-Method does not match the body\'s method "tools/call"',
          data: { header: 'Mcp-Method' },
        },
      });
    });

    it('rejects a missing Mcp-Method', async () => {
      const response = await postMcp(`${base()}/mcp-api/mcp`, TOOLS_CALL, v2026);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).error).toEqual({
        code: -32020,
        message: 'HeaderMismatch: Mcp-Method is required',
        data: { header: 'Mcp-Method' },
      });
    });

    it('rejects an Mcp-Name that differs from params.name, also base64-encoded', async () => {
      for (const name of ['other', '=?base64?b3RoZXI=?=']) {
        const response = await postMcp(`${base()}/mcp-api/mcp`, TOOLS_CALL, {
          ...v2026,
          'mcp-method': 'tools/call',
          'mcp-name': name,
        });
        expect(response.status).toBe(400);
        expect(JSON.parse(response.body).error).toEqual({
          code: -32020,
          message: "HeaderMismatch: Mcp-Name does not match the body's params.name",
          data: { header: 'Mcp-Name' },
        });
      }
    });

    it('passes matching headers (base64 form included) on to the upstream', async () => {
      const response = await postMcp(`${base()}/slow/mcp`, TOOLS_CALL, {
        ...v2026,
        'mcp-method': 'tools/call',
        'mcp-name': '=?base64?ZWNobw==?=',
      });
      // The hanging upstream got the request: the gateway's checks passed.
      expect(response.status).toBe(504);
      expect(hanging.requests.at(-1)?.headers['mcp-name']).toBe('=?base64?ZWNobw==?=');
    });

    it('does not check mirrored headers for earlier protocol versions', async () => {
      const response = await postMcp(`${base()}/mcp-api/mcp`, TOOLS_CALL, {
        'mcp-protocol-version': '2025-11-25',
        'mcp-method': 'tools/list',
      });
      expect(response.status).toBe(200);
    });
  });
});
