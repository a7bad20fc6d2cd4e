/**
 * A purpose-built MCP server for tests: the SDK's McpServer behind StreamableHTTPServerTransport
 * on 127.0.0.1 (a free port), over HTTP or HTTPS, stateful (sessions) or stateless, answering
 * with SSE (the SDK default) or JSON. Tools:
 * - `echo {text}` returns the text;
 * - `fail {message}` throws, which the SDK turns into an `isError` result;
 * - `slow {ms}` sends a progress notification first (when the call has a progressToken), then
 *   answers after `ms` milliseconds (aborted when the request is cancelled).
 * Every request's method, URL and headers are recorded for assertions.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport, type EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export interface McpServerOptions {
  /** JSON responses instead of SSE streams (`enableJsonResponse`). Default false. */
  jsonResponse?: boolean;
  /** Sessions (`Mcp-Session-Id`). Default true; false builds a server per request. */
  stateful?: boolean;
  /** Keep events for Last-Event-ID resumption (stateful only). Default false. */
  resumable?: boolean;
  /** Serve HTTPS with this certificate; `ca` + `requireClientCertificate` demand client certificates signed by it. */
  tls?: { certificatePem: string; privateKeyPem: string; ca?: string; requireClientCertificate?: boolean };
  /** Path of the MCP endpoint. Default `/mcp`. */
  path?: string;
  /** serverInfo.name. Default `test-mcp-server`. */
  name?: string;
}

/** A request the server received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** TLS only: the SNI server name the client sent (false when it sent none). */
  serverName?: string | false;
}

export interface TestMcpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  readonly url: string;
  readonly port: number;
  /** Requests received so far, oldest first. */
  readonly requests: RecordedRequest[];
  /**
   * Changes echo's description for servers built from now on (each new session, or each request
   * when stateless): an upstream whose tool definition changes under its clients (a "rug pull").
   */
  describeEcho(description: string): void;
  close(): Promise<void>;
}

/** An in-memory EventStore (one per session), as the SDK examples have it. */
class MemoryEventStore implements EventStore {
  private readonly events = new Map<string, { streamId: string; message: JSONRPCMessage }>();

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}_${randomUUID()}`;
    this.events.set(id, { streamId, message });
    return id;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (id: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const entry = this.events.get(lastEventId);
    if (!entry) return '';
    let found = false;
    for (const [id, event] of this.events) {
      if (id === lastEventId) {
        found = true;
        continue;
      }
      if (found && event.streamId === entry.streamId) await send(id, event.message);
    }
    return entry.streamId;
  }
}

function buildServer(name: string, echoDescription: string): McpServer {
  const server = new McpServer({ name, version: '1.0.0' });
  server.registerTool('echo', { description: echoDescription, inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('fail', { description: 'Always fails', inputSchema: { message: z.string().optional() } }, ({ message }) => {
    throw new Error(message ?? 'failed on purpose');
  });
  server.registerTool(
    'slow',
    { description: 'Answers after ms milliseconds', inputSchema: { ms: z.number().int().min(0) } },
    async ({ ms }, extra) => {
      const progressToken = extra._meta?.progressToken;
      if (progressToken !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 0, total: 1 } });
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        extra.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('cancelled'));
        });
      });
      return { content: [{ type: 'text', text: `slept ${ms} ms` }] };
    },
  );
  return server;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the server; `close()` ends sessions and connections. */
export async function startMcpServer(options: McpServerOptions = {}): Promise<TestMcpServer> {
  const path = options.path ?? '/mcp';
  const name = options.name ?? 'test-mcp-server';
  const stateful = options.stateful ?? true;
  const tls = options.tls;
  const requests: RecordedRequest[] = [];
  let echoDescription = 'Returns its text';
  const sessions = new Map<string, StreamableHTTPServerTransport>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const socket = req.socket as Partial<TLSSocket>;
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      ...(tls ? { serverName: socket.servername ?? false } : {}),
    });
    // The target as sent: new URL('//x', base) would read a path starting with // as a host.
    if ((req.url ?? '/').split('?')[0] !== path) return sendJson(res, 404, { error: 'not found' });
    if (!stateful) {
      const server = buildServer(name, echoDescription);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: options.jsonResponse,
      });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      return transport.handleRequest(req, res);
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (!transport)
        return sendJson(res, 404, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
      return transport.handleRequest(req, res);
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: options.jsonResponse,
      eventStore: options.resumable ? new MemoryEventStore() : undefined,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await buildServer(name, echoDescription).connect(transport);
    return transport.handleRequest(req, res);
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: err.message });
      else res.destroy();
    });
  };

  const server: Server = tls
    ? createHttpsServer(
        {
          cert: tls.certificatePem,
          key: tls.privateKeyPem,
          ca: tls.ca,
          requestCert: tls.requireClientCertificate ?? false,
          rejectUnauthorized: tls.requireClientCertificate ?? false,
        },
        listener,
      )
    : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}${path}`,
    port,
    requests,
    describeEcho: (description) => {
      echoDescription = description;
    },
    async close() {
      await Promise.allSettled([...sessions.values()].map((transport) => transport.close()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
