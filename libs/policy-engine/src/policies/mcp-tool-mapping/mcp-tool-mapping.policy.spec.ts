import type { JsonRpcResponse } from '#portico/mcp-jsonrpc';
import pino from 'pino';
import { PolicyStates } from '../../policy-states.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import type { McpCall } from '../../policy-contract/context.js';
import { mcpToolMappingFactory } from './mcp-tool-mapping.policy.js';

const listCall: McpCall = { kind: 'request', method: 'tools/list', id: 1, target: undefined, arguments: undefined };
const toolCall = (name: string): McpCall => ({
  kind: 'request',
  method: 'tools/call',
  id: 2,
  target: { type: 'tool', name },
  arguments: { q: 1 },
});
const callMessage = (name: string) => ({
  jsonrpc: '2.0' as const,
  id: 2,
  method: 'tools/call',
  params: { name, arguments: { q: 1 } },
});
const list = (tools: unknown[]): JsonRpcResponse => ({ jsonrpc: '2.0', id: 1, result: { tools, nextCursor: 'c' } });

describe('mcp-tool-mapping policy', () => {
  it('renames, describes and drops tools in a list page, keeping the rest of the result', () => {
    const { policy } = mcpToolMappingFactory.compile(
      {
        toolMappings: [
          { sourceToolName: 'echo', mappedToolName: 'say', mappedDescription: 'Says it back' },
          { sourceToolName: 'rm', enabled: false },
        ],
      },
      testCompileContext(),
    );
    const verdict = policy.onResponse!(
      { exchange: testExchange(), call: listCall },
      list([{ name: 'echo', description: 'Echoes', inputSchema: {} }, { name: 'rm' }, { name: 'ls' }]),
    );
    expect(verdict).toEqual({
      kind: 'mutate',
      message: list([{ name: 'say', description: 'Says it back', inputSchema: {} }, { name: 'ls' }]),
    });
    expect(policy.onResponse!({ exchange: testExchange(), call: listCall }, list([{ name: 'ls' }]))).toEqual({ kind: 'pass' });
  });

  it('calls a mapped name under its source name, logging it when asked', () => {
    const lines: string[] = [];
    const exchange = { ...testExchange(), logger: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }) };
    const { policy } = mcpToolMappingFactory.compile(
      { toolMappings: [{ sourceToolName: 'echo', mappedToolName: 'say' }], logMappings: true },
      testCompileContext(),
    );
    expect(policy.onRequest!({ exchange, call: toolCall('say') }, callMessage('say'))).toEqual({
      kind: 'mutate',
      message: callMessage('echo'),
    });
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'tool mapped', tool: 'say', upstreamTool: 'echo' });
    expect(policy.onRequest!({ exchange, call: toolCall('echo') }, callMessage('echo'))).toMatchObject({
      kind: 'reject',
      error: { message: 'Unknown tool: echo', hide: true },
    });
    expect(policy.onRequest!({ exchange, call: toolCall('ls') }, callMessage('ls'))).toEqual({ kind: 'pass' });
  });

  it('keeps the names it learned across pushes of the same mappings only', () => {
    const states = new PolicyStates();
    const config = {
      toolMappings: [{ sourceToolName: '(?:gh|github)_(\\w+)', mappedToolName: 'git.$1', mappingType: 'regex' as const }],
    };
    const first = mcpToolMappingFactory.compile(config, testCompileContext('p', states));
    expect(first.warnings).toHaveLength(1);
    first.policy.onResponse!({ exchange: testExchange(), call: listCall }, list([{ name: 'gh_search' }]));
    const again = mcpToolMappingFactory.compile(structuredClone(config), testCompileContext('p', states)).policy;
    expect(again.onRequest!({ exchange: testExchange(), call: toolCall('git.search') }, callMessage('git.search'))).toEqual({
      kind: 'mutate',
      message: callMessage('gh_search'),
    });
    const changed = mcpToolMappingFactory.compile(
      { toolMappings: [{ ...config.toolMappings[0]!, mappedToolName: 'g.$1' }] },
      testCompileContext('p', states),
    ).policy;
    expect(changed.onRequest!({ exchange: testExchange(), call: toolCall('git.search') }, callMessage('git.search'))).toEqual({
      kind: 'pass',
    });
  });
});
