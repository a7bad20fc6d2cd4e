/**
 * A stateful MCP upstream for the soak and fault benches: the SDK's McpServer behind
 * StreamableHTTPServerTransport, one transport per session (`Mcp-Session-Id`), on two endpoints:
 * `/json/mcp` answers every POST with JSON (`enableJsonResponse`), `/sse/mcp` with an event
 * stream. A request naming a session it does not know (e.g. after a restart) gets 404, as the
 * specification says, so clients start a new session. Tools:
 * - `echo {text}` returns the text;
 * - `progress {steps, stepMs, text}` sends a notifications/progress every `stepMs` (when the call
 *   has a progressToken), then returns the text; a cancelled call stops;
 * - `delete_records {}` — the tool the benches' access control list denies.
 * Listens on 127.0.0.1:`PORT` (0 or unset: a free port; a restarted upstream passes its old
 * port) and prints `listening on port <n>`. Run as its own process.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

function buildServer(): McpServer {
  const server = new McpServer({ name: 'bench-mcp-upstream', version: '1.0.0' });
  server.registerTool('echo', { description: 'Returns its text', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool(
    'progress',
    {
      description: 'Reports progress every stepMs for steps steps, then returns its text',
      inputSchema: { steps: z.number().int().min(1).max(1000), stepMs: z.number().int().min(0).max(60_000), text: z.string() },
    },
    async ({ steps, stepMs, text }, extra) => {
      const progressToken = extra._meta?.progressToken;
      for (let step = 1; step <= steps; step++) {
        await sleep(stepMs, undefined, { signal: extra.signal });
        if (progressToken !== undefined)
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress: step, total: steps },
          });
      }
      return { content: [{ type: 'text', text }] };
    },
  );
  server.registerTool('delete_records', { description: 'Deletes every record' }, () => ({
    content: [{ type: 'text', text: 'deleted' }],
  }));
  return server;
}

const ENDPOINTS: Record<string, boolean> = { '/json/mcp': true, '/sse/mcp': false };
const sessions = new Map<string, StreamableHTTPServerTransport>();

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const jsonResponse = ENDPOINTS[new URL(req.url ?? '/', 'http://upstream').pathname];
  if (jsonResponse === undefined) return sendJson(res, 404, { error: 'not found' });
  const sessionId = req.headers['mcp-session-id'];
  if (typeof sessionId === 'string') {
    const transport = sessions.get(sessionId);
    if (!transport)
      return sendJson(res, 404, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
    return transport.handleRequest(req, res);
  }
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableJsonResponse: jsonResponse,
    onsessioninitialized: (id) => void sessions.set(id, transport),
  });
  transport.onclose = () => {
    if (transport.sessionId) sessions.delete(transport.sessionId);
  };
  await buildServer().connect(transport);
  return transport.handleRequest(req, res);
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: Error) => {
    if (!res.headersSent) sendJson(res, 500, { error: err.message });
    else res.destroy();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on port ${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  for (const transport of sessions.values()) void transport.close();
  server.close();
  server.closeAllConnections();
});
