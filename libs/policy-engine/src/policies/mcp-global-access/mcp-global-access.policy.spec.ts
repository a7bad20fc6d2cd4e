import type { JsonRpcResponse } from '#portico/mcp-jsonrpc';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import type { McpCall } from '../../policy-contract/context.js';
import { mcpGlobalAccessFactory } from './mcp-global-access.policy.js';

type Rules = Parameters<typeof mcpGlobalAccessFactory.compile>[0]['rules'];

const policy = (rules: Rules) => mcpGlobalAccessFactory.compile({ rules }, testCompileContext()).policy;
const toolCall = (name: string): McpCall => ({
  kind: 'request',
  method: 'tools/call',
  id: 1,
  target: { type: 'tool', name },
  arguments: {},
});
const allowed = (rules: Rules, name: string) =>
  policy(rules).onRequest!({ exchange: testExchange(), call: toolCall(name) }, { jsonrpc: '2.0', id: 1, method: 'tools/call' });

describe('mcp-global-access-policy', () => {
  it('with only Block rules exposes every other tool', () => {
    const rules: Rules = [{ rule: 'Block', matchType: 'pattern', value: 'admin-.*' }];
    expect(allowed(rules, 'search')).toEqual({ kind: 'pass' });
    expect(allowed(rules, 'admin-reset')).toEqual({
      kind: 'reject',
      error: {
        kind: 'policy-denied',
        policy: 'mcp-global-access-policy',
        hide: true,
        code: -32602,
        message: 'Unknown tool: admin-reset',
      },
    });
  });

  it('with Allow rules exposes only what they match, and Block wins', () => {
    const rules: Rules = [
      { rule: 'Allow', matchType: 'literal', value: 'jira-search' },
      { rule: 'Allow', matchType: 'pattern', value: 'jira-.*' },
      { rule: 'Block', matchType: 'literal', value: 'jira-delete' },
    ];
    expect(allowed(rules, 'jira-search')).toEqual({ kind: 'pass' });
    expect(allowed(rules, 'jira-create')).toEqual({ kind: 'pass' });
    expect(allowed(rules, 'jira-delete')).toMatchObject({ kind: 'reject' });
    expect(allowed(rules, 'confluence-search')).toMatchObject({ kind: 'reject' });
    // Whole-name matches: the pattern does not match inside a longer name.
    expect(allowed(rules, 'x-jira-create')).toMatchObject({ kind: 'reject' });
  });

  it('filters tools/list answers and governs tools only', () => {
    const p = policy([{ rule: 'Block', value: 'b' }]);
    const list: JsonRpcResponse = { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'a' }, { name: 'b' }] } };
    const listCall: McpCall = { kind: 'request', method: 'tools/list', id: 1, target: undefined, arguments: undefined };
    expect(p.onResponse!({ exchange: testExchange(), call: listCall }, list)).toEqual({
      kind: 'mutate',
      message: { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'a' }] } },
    });
    expect(p.methods).toEqual({ 'tools/call': 'request', 'tools/list': 'response' });
  });
});
