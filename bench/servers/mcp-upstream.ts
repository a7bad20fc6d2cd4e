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
import { setTimeout as sleep } from 'node:timers/promises';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { serveSessions } from './session-server.js';

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

serveSessions(buildServer, { '/json/mcp': true, '/sse/mcp': false }, Number(process.env.PORT ?? 0));
