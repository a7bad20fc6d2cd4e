/**
 * mcp-tools-progressive-disclosure with the SDK client through the in-process gateway, in front of
 * server-everything and in front of a federated endpoint (mcp-transcoding-router) over a test
 * server and server-everything: tools/list shows the discovery tools and the hot tools only, and
 * search → describe → invoke ends in a real call of the upstream tool. A policy after it still
 * judges what the discovery calls really do.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { type EverythingServer, startEverythingServer, startMcpServer, type TestMcpServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

const DISCLOSURE = 'mcp-tools-progressive-disclosure';
const DISCOVERY = ['search_tools', 'describe_tool', 'invoke_tool'];

interface Found {
  tools: { name: string; title?: string; description?: string }[];
}

describe('tools progressive disclosure', () => {
  let everything: EverythingServer;
  let alpha: TestMcpServer;
  let gateway: TestGateway;
  let port: number;

  beforeAll(async () => {
    [everything, alpha] = await Promise.all([startEverythingServer(), startMcpServer({ name: 'alpha', jsonResponse: true })]);
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        {
          id: '1',
          port,
          basePath: '/direct',
          upstream: everything.baseUrl,
          policies: [
            'mcp-support',
            { type: DISCLOSURE, configuration: { hotTools: ['echo'] } },
            { type: 'mcp-global-access-policy', configuration: { rules: [{ rule: 'Block', value: 'get-env' }] } },
          ],
        },
        {
          id: '2',
          port,
          basePath: '/hub',
          upstream: [
            { label: 'alpha', url: alpha.url.replace(/mcp$/, '') },
            { label: 'everything', url: everything.baseUrl },
          ],
          policies: [
            'mcp-support',
            { type: 'mcp-transcoding-router', configuration: {} },
            { type: DISCLOSURE, configuration: { hotTools: ['alpha_echo'], searchLimit: 3 } },
          ],
        },
      ]),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([everything?.close(), alpha?.close()]);
  });

  async function connect(basePath: string): Promise<Client> {
    const client = new Client({ name: 'disclosure-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}${basePath}/mcp`)));
    return client;
  }

  const text = (result: Record<string, unknown>) => ((result.content ?? []) as { text?: string }[]).map((c) => c.text).join('\n');

  async function search(client: Client, query: string): Promise<Found> {
    const result = await client.callTool({ name: 'search_tools', arguments: { query } });
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(text(result))).toEqual(result.structuredContent);
    return result.structuredContent as unknown as Found;
  }

  describe('in front of server-everything', () => {
    let client: Client;
    beforeAll(async () => (client = await connect('/direct')));
    afterAll(() => client?.close());

    it('lists the discovery tools and the hot tools only', async () => {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual([...DISCOVERY, 'echo']);
      expect(tools[3]).toMatchObject({ name: 'echo', description: 'Echoes back the input string' });
    });

    it('searches, describes and invokes a tool the list hides, ending in a real call', async () => {
      const found = await search(client, 'sum of two numbers');
      expect(found.tools[0]).toEqual({ name: 'get-sum', title: 'Get Sum Tool', description: 'Returns the sum of two numbers' });
      const described = await client.callTool({ name: 'describe_tool', arguments: { name: 'get-sum' } });
      expect(described.structuredContent).toMatchObject({
        name: 'get-sum',
        inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
      });
      const invoked = await client.callTool({ name: 'invoke_tool', arguments: { name: 'get-sum', arguments: { a: 2, b: 40 } } });
      expect(invoked.isError).toBeFalsy();
      expect(text(invoked)).toContain('42');
    });

    it('keeps progress working through invoke_tool', async () => {
      const progress: Progress[] = [];
      const result = await client.callTool(
        { name: 'invoke_tool', arguments: { name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } } },
        undefined,
        { onprogress: (p) => progress.push(p) },
      );
      expect(text(result)).toContain('Long running operation completed');
      expect(progress.map((p) => p.progress)).toEqual([1, 2]);
    });

    it('answers an unknown tool clearly in describe_tool and invoke_tool', async () => {
      const described = await client.callTool({ name: 'describe_tool', arguments: { name: 'nope' } });
      expect(described).toMatchObject({ isError: true, content: [{ type: 'text', text: 'Unknown tool: nope' }] });
      const invoked = await client.callTool({ name: 'invoke_tool', arguments: { name: 'nope' } });
      expect(invoked.isError).toBe(true);
      expect(text(invoked)).toContain('nope not found');
      await expect(client.callTool({ name: 'invoke_tool', arguments: {} })).rejects.toThrow(
        /Invalid params: arguments.name: must be a tool name/,
      );
    });

    it('leaves the policies after it the judges: a blocked tool is neither found nor invoked', async () => {
      expect((await search(client, 'environment variables')).tools.map((t) => t.name)).not.toContain('get-env');
      const described = await client.callTool({ name: 'describe_tool', arguments: { name: 'get-env' } });
      expect(described.isError).toBe(true);
      await expect(client.callTool({ name: 'invoke_tool', arguments: { name: 'get-env' } })).rejects.toThrow(/get-env/);
    });

    it('lets a tool the list hides be called by its name', async () => {
      const result = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
      expect(text(result)).toContain('3');
    });
  });

  describe('after the transcoding router of a federated endpoint', () => {
    let client: Client;
    beforeAll(async () => (client = await connect('/hub')));
    afterAll(() => client?.close());

    it('lists the discovery tools and the hot tools only, under their federated names', async () => {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([...DISCOVERY, 'alpha_echo']);
    });

    it('finds, describes and invokes a member’s tool, which the member runs', async () => {
      const found = await search(client, 'milliseconds');
      expect(found.tools).toEqual([{ name: 'slow', description: 'Answers after ms milliseconds' }]);
      const described = await client.callTool({ name: 'describe_tool', arguments: { name: 'slow' } });
      expect(described.structuredContent).toMatchObject({
        name: 'slow',
        inputSchema: { type: 'object', properties: { ms: { type: 'integer', minimum: 0 } }, required: ['ms'] },
      });
      const posts = alpha.requests.filter((r) => r.method === 'POST').length;
      const invoked = await client.callTool({ name: 'invoke_tool', arguments: { name: 'slow', arguments: { ms: 5 } } });
      expect(invoked.content).toEqual([{ type: 'text', text: 'slept 5 ms' }]);
      expect(alpha.requests.filter((r) => r.method === 'POST').length).toBeGreaterThan(posts);
    });

    it('searches every member’s tools, the configured number at most', async () => {
      const found = await search(client, 'echo');
      expect(found.tools.map((t) => t.name)).toEqual(['alpha_echo', 'everything_echo']);
      expect((await search(client, 'returns')).tools).toHaveLength(3);
      const echoed = await client.callTool({
        name: 'invoke_tool',
        arguments: { name: 'everything_echo', arguments: { message: 'through the hub' } },
      });
      expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: through the hub' }]);
    });

    it('answers an unknown tool clearly in describe_tool and invoke_tool', async () => {
      const described = await client.callTool({ name: 'describe_tool', arguments: { name: 'nope' } });
      expect(described).toMatchObject({ isError: true, content: [{ type: 'text', text: 'Unknown tool: nope' }] });
      await expect(client.callTool({ name: 'invoke_tool', arguments: { name: 'nope' } })).rejects.toThrow(/Unknown tool: nope/);
    });
  });
});
