import { IDENTITY_ATTRIBUTE } from '../../policy-contract/context.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { headerInjectionFactory, headerRemovalFactory } from './header-policies.policy.js';

describe('header policies', () => {
  it('inject literals with one edit built at compile time, and expressions per request', () => {
    const { policy } = headerInjectionFactory.compile(
      {
        inboundHeaders: [{ key: 'X-Gateway', value: 'portico' }],
        outboundHeaders: [
          { key: 'X-Served-By', value: 'portico' },
          { key: 'X-Client', value: '#[authentication.clientId]' },
        ],
      },
      testCompileContext(),
    );
    const exchange = testExchange();
    const inbound = policy.onHttpRequest!({ exchange });
    expect(inbound).toEqual({ kind: 'mutate', message: { set: { 'x-gateway': 'portico' } } });
    expect(policy.onHttpRequest!({ exchange: testExchange() })).toBe(inbound);

    const head = { status: 200, headers: {} };
    expect(policy.onHttpResponse!({ exchange }, head)).toEqual({
      kind: 'mutate',
      message: { set: { 'x-served-by': 'portico' } },
    });
    exchange.attributes.set(IDENTITY_ATTRIBUTE, { clientId: 'agent-1' });
    expect(policy.onHttpResponse!({ exchange }, head)).toEqual({
      kind: 'mutate',
      message: { set: { 'x-served-by': 'portico', 'x-client': 'agent-1' } },
    });
  });

  it('remove lower-cased names, and have no hook for a direction without headers', () => {
    const { policy } = headerRemovalFactory.compile(
      { inboundHeaders: ['X-Internal'], outboundHeaders: [] },
      testCompileContext(),
    );
    expect(policy.onHttpRequest!({ exchange: testExchange() })).toEqual({ kind: 'mutate', message: { remove: ['x-internal'] } });
    expect(policy.onHttpResponse).toBeUndefined();
  });
});
