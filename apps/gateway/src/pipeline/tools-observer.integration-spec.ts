/**
 * The AI inventory's tool lists on real traffic (tools-observer.ts): the in-process gateway in
 * front of real MCP servers (SSE and JSON answers), a paginating server and a federated API,
 * driven by the SDK client and raw POSTs. A list is reported as the server gave it (before the
 * mapping and access policies), once per change rather than per tools/list; pages are reported
 * as partial; a federation reports each member's whole list under the member's label.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { postMcp, startHttpServer, startMcpServer, type TestHttpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';
import type { ObservedToolList } from './tools-observer.js';

describe('tool lists observed for the AI inventory', () => {
  let sse: TestMcpServer;
  let json: TestMcpServer;
  let alpha: TestMcpServer;
  let beta: TestMcpServer;
  let paginated: TestHttpServer;
  let gateway: TestGateway;
  let base: string;
  const reports: ObservedToolList[] = [];
  const clients: Client[] = [];

  const origin = (server: { url: string }) => server.url.replace(/mcp$/, '');
  const reportsOf = (apiId: string) => reports.filter((r) => r.apiId === apiId);
  const names = (list: ObservedToolList) => list.tools.map((t) => t.name);
  const connect = async (path: string) => {
    const client = new Client({ name: 'inventory-tests', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}${path}`)));
    clients.push(client);
    return client;
  };
  const listTools = (path: string, params?: Record<string, unknown>) =>
    postMcp(`${base}${path}`, { jsonrpc: '2.0', id: 1, method: 'tools/list', ...(params ? { params } : {}) });

  beforeAll(async () => {
    [sse, json, alpha, beta] = await Promise.all([
      startMcpServer({ stateful: false }),
      startMcpServer({ stateful: false, jsonResponse: true }),
      startMcpServer({ name: 'alpha', jsonResponse: true }),
      startMcpServer({ name: 'beta' }),
    ]);
    // Two pages: [first] with nextCursor "p2", then [second].
    paginated = await startHttpServer((_req, res, body) => {
      const { id, params } = JSON.parse(body) as { id: number; params?: { cursor?: string } };
      const result =
        params?.cursor === 'p2'
          ? { tools: [{ name: 'second', description: 'Page two', inputSchema: { type: 'object' } }] }
          : { tools: [{ name: 'first', description: 'Page one', inputSchema: { type: 'object' } }], nextCursor: 'p2' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, result }));
    });
    const [port] = (await freePorts(1)) as [number];
    base = `http://127.0.0.1:${port}`;
    gateway = await startTestGateway(
      gatewayConfig([
        {
          id: '1',
          port,
          basePath: '/mapped',
          upstream: origin(sse),
          policies: [
            'mcp-support',
            { type: 'mcp-global-access-policy', configuration: { rules: [{ rule: 'Block', value: 'fail' }] } },
            {
              type: 'mcp-tool-mapping',
              configuration: {
                toolMappings: [{ sourceToolName: 'echo', mappedToolName: 'repeat', mappedDescription: 'Repeats' }],
              },
            },
          ],
        },
        { id: '2', port, basePath: '/plain', upstream: origin(json) },
        { id: '3', port, basePath: '/pages', upstream: `${paginated.origin}/` },
        {
          id: '4',
          port,
          basePath: '/hub',
          upstream: [
            { label: 'alpha', url: origin(alpha) },
            { label: 'beta', url: origin(beta) },
          ],
          policies: ['mcp-support', 'mcp-transcoding-router'],
        },
      ]),
      { toolsObserved: (list) => reports.push(list) },
    );
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([sse, json, alpha, beta, paginated].map((s) => s?.close()));
  });

  it("reports the server's own list once per change, not per tools/list, whatever the policies show clients", async () => {
    const client = await connect('/mapped/mcp');
    for (let i = 0; i < 3; i++) {
      const shown = await client.listTools();
      expect(shown.tools.map((t) => [t.name, t.description])).toEqual([
        ['repeat', 'Repeats'],
        ['slow', 'Answers after ms milliseconds'],
      ]);
    }
    await client.callTool({ name: 'repeat', arguments: { text: 'hi' } });
    expect(reportsOf('1')).toEqual([
      {
        apiId: '1',
        upstreamName: '',
        complete: true,
        tools: [
          { name: 'echo', description: 'Returns its text', descriptionSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
          { name: 'fail', description: 'Always fails', descriptionSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
          {
            name: 'slow',
            description: 'Answers after ms milliseconds',
            descriptionSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          },
        ],
      },
    ]);

    sse.describeEcho('Returns its text, changed');
    await client.listTools();
    await client.listTools();
    expect(reportsOf('1')).toHaveLength(2);
    expect(reportsOf('1')[1]!.tools[0]).toMatchObject({ name: 'echo', description: 'Returns its text, changed' });
    expect(reportsOf('1')[1]!.tools[0]!.descriptionSha256).not.toBe(reportsOf('1')[0]!.tools[0]!.descriptionSha256);
  });

  it('observes JSON answers of an API without any response policy, and leaves its other answers alone', async () => {
    for (let i = 0; i < 2; i++) {
      const listed = await listTools('/plain/mcp');
      expect(listed.status).toBe(200);
      expect(JSON.parse(listed.body).result.tools.map((t: { name: string }) => t.name)).toEqual(['echo', 'fail', 'slow']);
    }
    const called = await postMcp(`${base}/plain/mcp`, {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' } },
    });
    expect(JSON.parse(called.body).result.content).toEqual([{ type: 'text', text: 'x' }]);
    expect(reportsOf('2').map((r) => [names(r), r.complete])).toEqual([[['echo', 'fail', 'slow'], true]]);
  });

  it('reports the pages of a paginated list as partial lists, each once', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await listTools('/pages/mcp')).status).toBe(200);
      expect((await listTools('/pages/mcp', { cursor: 'p2' })).status).toBe(200);
    }
    expect(reportsOf('3').map((r) => [names(r), r.complete])).toEqual([
      [['first'], false],
      [['second'], false],
    ]);
  });

  it("reports a federated API's lists per member, under the member's label", async () => {
    const client = await connect('/hub/mcp');
    const shown = await client.listTools();
    // Both members list the same tools: clients see them prefixed; the inventory, as each member lists them.
    expect(shown.tools.map((t) => t.name)).toContain('alpha_echo');
    await client.listTools();
    await client.callTool({ name: 'beta_echo', arguments: { text: 'x' } });
    expect(reportsOf('4').map((r) => [r.upstreamName, names(r), r.complete])).toEqual([
      ['alpha', ['echo', 'fail', 'slow'], true],
      ['beta', ['echo', 'fail', 'slow'], true],
    ]);
  });
});
