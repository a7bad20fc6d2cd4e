/**
 * A stateful MCP upstream with many tools, one member of bench/federation.ts's federated endpoint:
 * the SDK's low-level Server behind StreamableHTTPServerTransport in JSON mode
 * (`enableJsonResponse`), one transport per session (`Mcp-Session-Id`; an unknown one gets 404),
 * at `/mcp` on 127.0.0.1.
 *
 *   node tools-upstream.js --name <member> [--port 0] [--tools 200] [--shared 10] [--weather]
 *
 * It lists `--tools` tools, each with a description and a two-property input schema, built once:
 * `get_weather` (with `--weather`; it answers a 180-character text as sdk-upstream.ts does),
 * `shared_<i>` for i < `--shared` (the same names on every member, so a federation prefixes them)
 * and `<name>_tool_<i>` for the rest. The list is one page and costs the server no schema
 * conversion, so a federated list's time is mostly the gateway's. Every other tool answers
 * `<tool> ok`. Prints `listening on port <n>`.
 */
import { parseArgs } from 'node:util';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { serveSessions } from './session-server.js';

const { values: args } = parseArgs({
  options: {
    name: { type: 'string' },
    port: { type: 'string', default: '0' },
    tools: { type: 'string', default: '200' },
    shared: { type: 'string', default: '10' },
    weather: { type: 'boolean', default: false },
  },
  strict: true,
});
if (!args.name) throw new Error('--name is required');
const member = args.name;

const weather: Tool = {
  name: 'get_weather',
  description: 'A fixed forecast for a city',
  inputSchema: {
    type: 'object',
    properties: { city: { type: 'string' }, units: { type: 'string' }, detail: { type: 'string' }, days: { type: 'number' } },
    required: ['city'],
  },
};

function tool(name: string): Tool {
  return {
    name,
    description: `Looks up records of ${member} matching a query (${name}); returns at most limit of them, newest first.`,
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Words the records must contain' },
        limit: { type: 'integer', minimum: 1, maximum: 100, description: 'How many records to return' },
      },
      required: ['query'],
    },
  };
}

const count = Number(args.tools);
const shared = Math.min(Number(args.shared), count);
const TOOLS: Tool[] = args.weather ? [weather] : [];
for (let i = 0; i < shared && TOOLS.length < count; i++) TOOLS.push(tool(`shared_${i}`));
for (let i = 0; TOOLS.length < count; i++) TOOLS.push(tool(`${member}_tool_${i}`));
const FORECAST = 'x'.repeat(180);

function buildServer(): Server {
  const server = new Server({ name: `bench-${member}`, version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, ({ params }) => ({
    content: [{ type: 'text', text: params.name === 'get_weather' ? FORECAST : `${params.name} ok` }],
  }));
  return server;
}

serveSessions(buildServer, { '/mcp': true }, Number(args.port));
