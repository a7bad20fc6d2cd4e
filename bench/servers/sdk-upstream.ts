/**
 * A real MCP server as upstream: the SDK's McpServer behind StreamableHTTPServerTransport in
 * stateless JSON mode (no sessions, `enableJsonResponse`), one server and transport per request
 * as the SDK's stateless example does — a shared stateless transport would mix up concurrent
 * requests that carry the same JSON-RPC id, which every wrk request does. Tool `get_weather`
 * answers with a 180-character text, like the fixed upstream. Run as its own process; prints
 * `listening on port <n>` once it listens on 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

const text = 'x'.repeat(180);

function buildServer(): McpServer {
  const server = new McpServer({ name: 'bench-upstream', version: '1.0.0' });
  server.registerTool(
    'get_weather',
    {
      description: 'A fixed forecast',
      inputSchema: { city: z.string(), units: z.string().optional(), detail: z.string().optional(), days: z.number().optional() },
    },
    () => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

const server = createServer((req, res) => {
  const mcp = buildServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void mcp.close();
  });
  mcp
    .connect(transport)
    .then(() => transport.handleRequest(req, res))
    .catch((err: Error) => {
      if (!res.headersSent)
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message }));
      else res.destroy();
    });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on port ${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
