/**
 * The access policies on the wire shapes the e2e tests (SDK client, SSE answers) do not reach:
 * JSON answers of a stateless upstream, JSON-RPC batches (2025-03-26), and the 2026-07-28 era
 * whose Mcp-Method / Mcp-Name headers mirror the body.
 */
import {
  MCP_POST_HEADERS,
  postMcp,
  startHttpServer,
  startMcpServer,
  type TestHttpServer,
  type TestMcpServer,
} from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

const SCHEMA_VALIDATION = { type: 'mcp-schema-validation', configuration: { validateToolSchema: true } };

const ACL = {
  type: 'mcp-acl',
  configuration: {
    rules: [{ feature: 'tools', methods: ['tools/list', 'tools/call'], namePatternType: 'LITERAL', namePattern: 'echo' }],
  },
};

describe('access policies on JSON answers, batches and the 2026-07-28 era', () => {
  let upstream: TestMcpServer;
  /** Answers tools/list in two pages (tools a-1, b-1, then a-2), by `params.cursor`. */
  let paged: TestHttpServer;
  let gateway: TestGateway;
  let url: string;

  beforeAll(async () => {
    upstream = await startMcpServer({ stateful: false, jsonResponse: true });
    paged = await startHttpServer((_req, res, body) => {
      const request = JSON.parse(body) as { id: number; params?: { cursor?: string } };
      const result =
        request.params?.cursor === 'page-2'
          ? { tools: [{ name: 'a-2', inputSchema: { type: 'object', required: ['x'] } }] }
          : {
              tools: [
                { name: 'a-1', inputSchema: { type: 'object' } },
                { name: 'b-1', inputSchema: { type: 'object' } },
              ],
              nextCursor: 'page-2',
            };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: request.id, result }));
    });
    const [port] = (await freePorts(1)) as [number];
    const upstreamBase = upstream.url.replace(/mcp$/, '');
    gateway = await startTestGateway(
      gatewayConfig([
        { id: 'acl', port, basePath: '/acl', upstream: upstreamBase, policies: ['mcp-support', ACL] },
        { id: 'schema', port, basePath: '/schema', upstream: upstreamBase, policies: ['mcp-support', SCHEMA_VALIDATION] },
        {
          id: 'mapped',
          port,
          basePath: '/mapped',
          upstream: upstreamBase,
          policies: [
            'mcp-support',
            { type: 'mcp-tool-mapping', configuration: { toolMappings: [{ sourceToolName: 'echo', mappedToolName: 'say' }] } },
          ],
        },
        {
          id: 'paged-schema',
          port,
          basePath: '/paged-schema',
          upstream: `${paged.origin}/`,
          policies: ['mcp-support', SCHEMA_VALIDATION],
        },
        {
          id: 'paged',
          port,
          basePath: '/paged',
          upstream: `${paged.origin}/`,
          policies: [
            'mcp-support',
            {
              type: 'mcp-acl',
              configuration: {
                rules: [{ feature: 'tools', methods: ['tools/list'], namePatternType: 'REGEX', namePattern: 'a-.*' }],
              },
            },
          ],
        },
      ]),
    );
    url = `http://127.0.0.1:${port}/acl/mcp`;
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await paged?.close();
  });

  it('filters a JSON tools/list answer', async () => {
    const response = await postMcp(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(response.body).result.tools.map((t: { name: string }) => t.name)).toEqual(['echo']);
  });

  it('judges every element of a batch: a filtered list, an allowed call, a hidden tool answered as missing', async () => {
    const before = upstream.requests.length;
    const response = await postMcp(url, [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'fail', arguments: {} } },
    ]);
    expect(response.status).toBe(200);
    type Answer = { id: number; result?: { tools?: { name: string }[] } };
    const byId = new Map((JSON.parse(response.body) as Answer[]).map((m) => [m.id, m]));
    expect(byId.get(1)?.result?.tools?.map((t) => t.name)).toEqual(['echo']);
    expect(byId.get(2)).toMatchObject({ result: { content: [{ type: 'text', text: 'hi' }] } });
    expect(byId.get(3)).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32602, message: 'Unknown tool: fail' } });
    expect(upstream.requests.length).toBe(before + 1);
  });

  it('answers a hidden tool of the 2026-07-28 era (mirrored headers) as missing, without the upstream', async () => {
    const before = upstream.requests.length;
    const response = await postMcp(
      url,
      JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'fail' } }),
      {
        ...MCP_POST_HEADERS,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'fail',
      },
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32602, message: 'Unknown tool: fail' } });
    expect(upstream.requests.length).toBe(before);
  });

  it('sends a message a policy rewrote with the 2026-07-28 headers that mirror it', async () => {
    const response = await postMcp(
      url.replace('/acl/', '/mapped/'),
      JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'say', arguments: { text: 'hi' } } }),
      { ...MCP_POST_HEADERS, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'say' },
    );
    expect(response.status).toBeLessThan(500);
    const sent = upstream.requests.at(-1)!;
    expect([sent.headers['mcp-method'], sent.headers['mcp-name']]).toEqual(['tools/call', 'echo']);
  });

  it('checks tools/call arguments against the input schema, asking the upstream for the tool list itself', async () => {
    const schemaUrl = url.replace('/acl/', '/schema/');
    const echo = (id: number, args: Record<string, unknown>) =>
      postMcp(schemaUrl, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: args } });
    // No tools/list went through yet: the gateway sends its own, and only that reaches the upstream.
    const first = upstream.requests.length;
    expect(JSON.parse((await echo(1, { text: 1 })).body).error).toEqual({
      code: -32602,
      message: 'Invalid params: arguments.text: must be string',
    });
    expect(upstream.requests.length).toBe(first + 1);
    await postMcp(schemaUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const before = upstream.requests.length;
    expect(JSON.parse((await echo(2, { text: 7 })).body)).toEqual({
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32602, message: 'Invalid params: arguments.text: must be string' },
    });
    expect(upstream.requests.length).toBe(before);
    expect(JSON.parse((await echo(3, { text: 'ok' })).body)).toMatchObject({ result: { content: [{ text: 'ok' }] } });
  });

  it('filters every page of a paginated list and keeps its cursor', async () => {
    const pagedUrl = url.replace('/acl/', '/paged/');
    const page = async (cursor?: string) =>
      (
        JSON.parse(
          (await postMcp(pagedUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: cursor ? { cursor } : {} })).body,
        ) as {
          result: { tools: { name: string }[]; nextCursor?: string };
        }
      ).result;
    const first = await page();
    expect(first.tools.map((t) => t.name)).toEqual(['a-1']);
    expect(first.nextCursor).toBe('page-2');
    const second = await page(first.nextCursor);
    expect(second.tools.map((t) => t.name)).toEqual(['a-2']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('fetches every page of the tool list to find a schema', async () => {
    const response = await postMcp(url.replace('/acl/', '/paged-schema/'), {
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'a-2', arguments: {} },
    });
    expect(JSON.parse(response.body).error).toEqual({
      code: -32602,
      message: "Invalid params: arguments: must have required property 'x'",
    });
    expect(paged.requests.map((r) => (JSON.parse(r.body) as { params?: unknown }).params)).toEqual(
      expect.arrayContaining([undefined, { cursor: 'page-2' }]),
    );
  });
});
