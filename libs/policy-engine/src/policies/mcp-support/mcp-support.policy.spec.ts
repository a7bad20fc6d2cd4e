import type { PolicyMetrics } from '../../policy-contract/context.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { mcpSupportFactory } from './mcp-support.policy.js';

const { policy } = mcpSupportFactory.compile({}, testCompileContext());

describe('mcp-support policy', () => {
  it('counts calls per API and method, with methods MCP does not define as other, and passes them', () => {
    const counted: string[] = [];
    const metrics: PolicyMetrics = { countMcpCall: (api, method) => counted.push(`${api} ${method}`) };
    const exchange = testExchange({}, metrics);
    for (const method of ['tools/call', 'tools/call', 'x-vendor/thing']) {
      const call = { kind: 'request' as const, method, id: 1, target: undefined, arguments: undefined };
      expect(policy.onRequest!({ exchange, call }, { jsonrpc: '2.0', id: 1, method })).toEqual({ kind: 'pass' });
    }
    expect(counted).toEqual(['7 tools/call', '7 tools/call', '7 other']);
  });

  it('is scoped to the request phase of every method', () => {
    expect(policy.methods).toEqual({ '*': 'request' });
    expect(policy.onResponse).toBeUndefined();
  });
});
