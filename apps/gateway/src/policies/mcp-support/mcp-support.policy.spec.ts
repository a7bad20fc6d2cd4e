import { Registry } from 'prom-client';
import { GatewayMetrics } from '../../metrics.js';
import { testCompileContext, testExchange } from '../../../test/support/policy-contexts.js';
import { mcpSupportFactory } from './mcp-support.policy.js';

const { policy } = mcpSupportFactory.compile({}, testCompileContext());

describe('mcp-support policy', () => {
  it('counts calls per API and method, with unknown methods as other', async () => {
    const registry = new Registry();
    const ctx = testExchange({}, new GatewayMetrics(registry));
    for (const method of ['tools/call', 'tools/call', 'x-vendor/thing']) {
      const call = { kind: 'request' as const, method, id: 1, target: undefined, arguments: undefined };
      expect(policy.onRequest!({ exchange: ctx, call }, { jsonrpc: '2.0', id: 1, method })).toEqual({ kind: 'pass' });
    }
    const text = await registry.getSingleMetricAsString('portico_mcp_calls_total');
    expect(text).toContain('portico_mcp_calls_total{api="7",method="tools/call"} 2');
    expect(text).toContain('portico_mcp_calls_total{api="7",method="other"} 1');
  });

  it('is scoped to the request phase of every method', () => {
    expect(policy.methods).toEqual({ '*': 'request' });
    expect(policy.onResponse).toBeUndefined();
  });
});
