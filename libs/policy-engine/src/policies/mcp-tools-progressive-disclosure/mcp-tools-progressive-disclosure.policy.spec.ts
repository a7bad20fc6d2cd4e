import type { JsonRpcRequest, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import { describeCall } from '../../mcp-codec.js';
import type { ExchangeContext, McpCall } from '../../policy-contract/context.js';
import type { Policy } from '../../policy-contract/policy.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { mcpToolsProgressiveDisclosureFactory } from './mcp-tools-progressive-disclosure.policy.js';

const ISSUE = {
  name: 'create_issue',
  title: 'Create issue',
  description: 'Creates a Jira issue',
  inputSchema: { type: 'object', properties: { summary: { type: 'string' } } },
  annotations: { destructiveHint: false },
  _meta: { internal: true },
};
const WEATHER = { name: 'get_weather', description: 'Forecast for a city', inputSchema: { type: 'object' } };
const ECHO = { name: 'echo', description: 'Says it back', inputSchema: { type: 'object' } };

function compile(config: Record<string, unknown> = {}) {
  return mcpToolsProgressiveDisclosureFactory.compile(config, testCompileContext());
}

/** One message through the policy as the pipeline runs it: request hook, then (if sent) response hook on `answer`. */
function exchangeOf(policy: Policy, exchange: ExchangeContext = testExchange()) {
  return {
    request(message: JsonRpcRequest) {
      const described = describeCall(message, undefined);
      if (!described.ok) throw new Error('bad test message');
      const verdict = policy.onRequest!({ exchange, call: described.call }, message);
      if (verdict instanceof Promise) throw new Error('expected a synchronous verdict');
      const sent = verdict.kind === 'mutate' ? (verdict.message as JsonRpcRequest) : message;
      const sentCall = describeCall(sent, undefined);
      return {
        verdict,
        sent,
        answer(result: unknown, error?: { code: number; message: string }): JsonRpcResponse {
          const response: JsonRpcResponse = error
            ? { jsonrpc: '2.0', id: sent.id, error }
            : { jsonrpc: '2.0', id: sent.id, result };
          const out = policy.onResponse!({ exchange, call: (sentCall as { call: McpCall }).call }, response);
          if (out instanceof Promise) throw new Error('expected a synchronous verdict');
          if (out.kind === 'reject') throw new Error('unexpected reject');
          return out.kind === 'mutate' ? out.message : response;
        },
      };
    },
  };
}

const toolsCall = (name: string, args?: unknown, meta?: Record<string, unknown>): JsonRpcRequest => ({
  jsonrpc: '2.0',
  id: 5,
  method: 'tools/call',
  params: { name, ...(args === undefined ? {} : { arguments: args }), ...(meta ? { _meta: meta } : {}) },
});
const list = (params: Record<string, unknown> = {}): JsonRpcRequest => ({ jsonrpc: '2.0', id: 1, method: 'tools/list', params });
const names = (response: JsonRpcResponse) =>
  ((response as { result: { tools: { name: string }[] } }).result.tools ?? []).map((t) => t.name);

describe('mcp-tools-progressive-disclosure policy', () => {
  it('lists the discovery tools and the hot tools of each page, keeping the cursor', () => {
    const { policy, warnings } = compile({ hotTools: ['echo', 'search_tools'] });
    expect(warnings).toEqual([
      "hotTools: search_tools is a discovery tool's name; the upstream tool of that name is reached with invoke_tool only",
    ]);
    const flow = exchangeOf(policy);
    const first = flow.request(list());
    expect(first.verdict).toEqual({ kind: 'pass' });
    const answered = first.answer({ tools: [ISSUE, ECHO, { ...ECHO, name: 'search_tools' }], nextCursor: 'p2' });
    expect(names(answered)).toEqual(['search_tools', 'describe_tool', 'invoke_tool', 'echo']);
    expect((answered as { result: { nextCursor: string } }).result.nextCursor).toBe('p2');
    const search = (answered as { result: { tools: Record<string, unknown>[] } }).result.tools[0]!;
    expect(search.inputSchema).toEqual({
      type: 'object',
      properties: {
        query: expect.objectContaining({ type: 'string' }),
        limit: expect.objectContaining({
          type: 'integer',
          minimum: 1,
          maximum: 50,
          description: 'The most tools to return (default 10)',
        }),
        cursor: expect.objectContaining({ type: 'string' }),
      },
      required: ['query'],
    });
    // A later page: its hot tools only.
    expect(names(flow.request(list({ cursor: 'p2' })).answer({ tools: [ECHO, WEATHER] }))).toEqual(['echo']);
    expect(flow.request(list()).answer(undefined, { code: -32601, message: 'Method not found' })).toMatchObject({
      error: { code: -32601 },
    });
  });

  it('sends a search upstream as a tools/list of its page and answers with the matches', () => {
    const flow = exchangeOf(compile({ searchLimit: 1 }).policy);
    const search = flow.request(toolsCall('search_tools', { query: 'Jira issue', cursor: 'p2' }));
    expect(search.sent).toEqual({ jsonrpc: '2.0', id: 5, method: 'tools/list', params: { cursor: 'p2' } });
    const matches = {
      tools: [{ name: 'create_issue', title: 'Create issue', description: 'Creates a Jira issue' }],
      nextCursor: 'p3',
    };
    expect(search.answer({ tools: [WEATHER, ISSUE, ECHO], nextCursor: 'p3' })).toEqual({
      jsonrpc: '2.0',
      id: 5,
      result: { content: [{ type: 'text', text: JSON.stringify(matches) }], structuredContent: matches },
    });
    const wide = flow.request(toolsCall('search_tools', { query: '', limit: 500 }));
    expect(wide.sent).toEqual({ jsonrpc: '2.0', id: 5, method: 'tools/list', params: {} });
    const many = Array.from({ length: 60 }, (_, i) => ({ name: `t${String(i).padStart(2, '0')}` }));
    expect(
      (wide.answer({ tools: many }) as { result: { structuredContent: { tools: unknown[] } } }).result.structuredContent.tools,
    ).toHaveLength(50);
  });

  it('describes a tool by the fields a model reads, or says it is unknown', () => {
    const flow = exchangeOf(compile().policy);
    const described = flow.request(toolsCall('describe_tool', { name: 'create_issue' }));
    expect(described.sent).toEqual({ jsonrpc: '2.0', id: 5, method: 'tools/list', params: {} });
    const { _meta, ...definition } = ISSUE;
    expect(described.answer({ tools: [ECHO, ISSUE] })).toEqual({
      jsonrpc: '2.0',
      id: 5,
      result: { content: [{ type: 'text', text: JSON.stringify(definition) }], structuredContent: definition },
    });
    expect(flow.request(toolsCall('describe_tool', { name: 'nope' })).answer({ tools: [ECHO] })).toEqual({
      jsonrpc: '2.0',
      id: 5,
      result: { content: [{ type: 'text', text: 'Unknown tool: nope' }], isError: true },
    });
    expect(flow.request(toolsCall('describe_tool', { name: 'nope' })).answer({ tools: [ECHO], nextCursor: 'p2' })).toMatchObject({
      result: {
        content: [{ text: 'Unknown tool: nope on this page of the catalog; call describe_tool again with cursor "p2"' }],
      },
    });
    expect(
      flow.request(toolsCall('describe_tool', { name: 'echo' })).answer(undefined, { code: -32603, message: 'Internal error' }),
    ).toEqual({
      jsonrpc: '2.0',
      id: 5,
      result: { content: [{ type: 'text', text: 'The tool catalog could not be read: Internal error' }], isError: true },
    });
  });

  it('invokes a tool as a tools/call of it, keeping the call’s other params', () => {
    const flow = exchangeOf(compile().policy);
    const call = toolsCall('invoke_tool', { name: 'echo', arguments: { text: 'hi' } }, { progressToken: 7 });
    const invoked = flow.request({ ...call, params: { ...(call.params as object), task: { ttl: 1000 } } });
    expect(invoked.sent).toEqual({
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { _meta: { progressToken: 7 }, task: { ttl: 1000 }, name: 'echo', arguments: { text: 'hi' } },
    });
    expect(flow.request(toolsCall('invoke_tool', { name: 'echo' })).sent).toEqual({
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'echo' },
    });
  });

  it('tells the answers of several discovery calls of one exchange (a batch) apart by id', () => {
    const flow = exchangeOf(compile().policy);
    const search = flow.request(toolsCall('search_tools', { query: 'weather' }));
    const describe = flow.request({ ...toolsCall('describe_tool', { name: 'echo' }), id: '6' });
    expect(describe.answer({ tools: [ECHO] })).toMatchObject({ id: '6', result: { structuredContent: { name: 'echo' } } });
    expect(search.answer({ tools: [WEATHER, ECHO] })).toMatchObject({
      id: 5,
      result: { structuredContent: { tools: [{ name: 'get_weather' }] } },
    });
  });

  it('passes a direct call of a tool the list hides', () => {
    const flow = exchangeOf(compile({ hotTools: ['echo'] }).policy);
    expect(flow.request(toolsCall('create_issue', { summary: 'x' })).verdict).toEqual({ kind: 'pass' });
  });

  it.each([
    ['search_tools', {}, 'arguments.query: must be a string'],
    ['search_tools', { query: 'x', limit: 0 }, 'arguments.limit: must be an integer of at least 1'],
    ['search_tools', { query: 'x', limit: 2.5 }, 'arguments.limit: must be an integer of at least 1'],
    ['search_tools', { query: 'x', cursor: 3 }, 'arguments.cursor: must be a string'],
    ['describe_tool', { name: '' }, 'arguments.name: must be a tool name'],
    ['describe_tool', { name: 'x', cursor: {} }, 'arguments.cursor: must be a string'],
    ['invoke_tool', undefined, 'arguments.name: must be a tool name'],
    ['invoke_tool', { name: 'echo', arguments: ['hi'] }, 'arguments.arguments: must be an object'],
  ])('answers %s with %j as invalid params', (tool, args, message) => {
    expect(exchangeOf(compile().policy).request(toolsCall(tool, args)).verdict).toEqual({
      kind: 'reject',
      error: { kind: 'invalid-params', message: `Invalid params: ${message}` },
    });
  });
});
