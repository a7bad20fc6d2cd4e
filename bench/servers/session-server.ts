/**
 * A stateful MCP server over HTTP for the benches' upstreams: one StreamableHTTPServerTransport
 * (and one server from `build`) per session (`Mcp-Session-Id`); a request naming a session it
 * does not know (e.g. after a restart) gets 404, as the specification says, so clients start a
 * new one. `endpoints` maps each path served to whether it answers JSON (`enableJsonResponse`)
 * or an event stream. Listens on 127.0.0.1:`port` (0: a free port), prints
 * `listening on port <n>`, and closes every session on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export function serveSessions(
  build: () => { connect(transport: Transport): Promise<void> },
  endpoints: Readonly<Record<string, boolean>>,
  port: number,
): void {
  const sessions = new Map<string, StreamableHTTPServerTransport>();

  const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const jsonResponse = endpoints[new URL(req.url ?? '/', 'http://upstream').pathname];
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
    await build().connect(transport);
    return transport.handleRequest(req, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: err.message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => {
    console.log(`listening on port ${(server.address() as AddressInfo).port}`);
  });
  process.once('SIGTERM', () => {
    for (const transport of sessions.values()) void transport.close();
    server.close();
    server.closeAllConnections();
  });
}
