/**
 * The SDK client through the in-process gateway to a real @modelcontextprotocol/server-everything:
 * every feature works as if connected directly (issue 3 outcome).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { startEverythingServer, type EverythingServer } from '#portico/testing';
import { freePorts, gatewayConfig, startTestGateway, type TestGateway } from '../../test/support/in-process-gateway.js';

describe('gateway in front of server-everything', () => {
  let everything: EverythingServer;
  let legacy: EverythingServer;
  let gateway: TestGateway;
  let port: number;

  beforeAll(async () => {
    [everything, legacy] = await Promise.all([startEverythingServer('streamableHttp'), startEverythingServer('sse')]);
    [port] = (await freePorts(1)) as [number];
    gateway = await startTestGateway(
      gatewayConfig([
        { id: '1', port, basePath: '/demo', upstream: everything.baseUrl },
        { id: '2', port, basePath: '/legacy', upstream: legacy.baseUrl },
      ]),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([everything?.close(), legacy?.close()]);
  });

  const connect = async (capabilities = {}) => {
    const client = new Client({ name: 'gateway-test', version: '1.0.0' }, { capabilities });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/demo/mcp`));
    await client.connect(transport);
    return { client, transport };
  };

  it('initializes a session through the gateway and passes Mcp-Session-Id through', async () => {
    const { client, transport } = await connect();
    expect(client.getServerVersion()?.name).toBe('mcp-servers/everything');
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(transport.protocolVersion).toBe('2025-11-25');
    await client.close();
  });

  it('lists and calls tools, with progress notifications streamed over SSE', async () => {
    const { client } = await connect();
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));
    const echo = await client.callTool({ name: 'echo', arguments: { message: 'through the gateway' } });
    expect(echo.content).toEqual([{ type: 'text', text: 'Echo: through the gateway' }]);
    const progress: Progress[] = [];
    const result = await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    );
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(JSON.stringify(result.content)).toContain('Long running operation completed');
    await client.close();
  });

  it('lists, reads and subscribes to resources, receiving updates on the GET stream', async () => {
    const { client } = await connect();
    const resources = await client.listResources();
    expect(resources.resources.length).toBeGreaterThan(0);
    const uri = resources.resources[0]!.uri;
    const read = await client.readResource({ uri });
    expect(read.contents[0]?.uri).toBe(uri);
    const updated = new Promise<string>((resolve) =>
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)),
    );
    await client.subscribeResource({ uri });
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await expect(updated).resolves.toBe(uri);
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await client.close();
  });

  it('lists and gets prompts', async () => {
    const { client } = await connect();
    const prompts = await client.listPrompts();
    expect(prompts.prompts.map((p) => p.name)).toContain('simple-prompt');
    const prompt = await client.getPrompt({ name: 'simple-prompt' });
    expect(prompt.messages.length).toBeGreaterThan(0);
    await client.close();
  });

  it('ends the session with DELETE; the upstream then refuses the session id', async () => {
    const { client, transport } = await connect();
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
    const after = await fetch(`http://127.0.0.1:${port}/demo/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(after.status).toBe(400);
    await client.close();
  });

  it('serves the legacy HTTP+SSE transport with the endpoint event rewritten to the gateway path', async () => {
    const client = new Client({ name: 'legacy-test', version: '1.0.0' });
    const transport = new SSEClientTransport(new URL(`http://127.0.0.1:${port}/legacy/sse`));
    await client.connect(transport);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('echo');
    const echo = await client.callTool({ name: 'echo', arguments: { message: 'legacy' } });
    expect(echo.content).toEqual([{ type: 'text', text: 'Echo: legacy' }]);
    await client.close();
  });

  it('sends the legacy endpoint event with the gateway path and the sessionId query', async () => {
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/legacy/sse`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = response.body!.getReader();
    let text = '';
    while (!/\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toMatch(/^event: endpoint\ndata: \/legacy\/message\?sessionId=[0-9a-f-]{36}\n\n/);
  });
});
