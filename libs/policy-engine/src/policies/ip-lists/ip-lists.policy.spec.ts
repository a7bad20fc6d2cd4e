import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import type { ExchangeContext } from '../../policy-contract/context.js';
import { ipAllowlistFactory, ipBlocklistFactory } from './ip-lists.policy.js';

const from = (clientAddress: string, headers: Record<string, string> = {}): ExchangeContext => ({
  ...testExchange(headers),
  clientAddress,
});
const FORBIDDEN = { kind: 'reject', error: { kind: 'forbidden', message: 'The client address is not allowed' } };
const PASS = { kind: 'pass' };

describe('ip-allowlist and ip-blocklist policies', () => {
  const ips = ['192.168.1.0/24', '10.0.0.7', '2001:db8::/32'];
  const allow = ipAllowlistFactory.compile({ ips }, testCompileContext()).policy;
  const block = ipBlocklistFactory.compile({ ips }, testCompileContext()).policy;

  it.each([
    ['192.168.1.77', PASS, FORBIDDEN],
    ['192.168.2.1', FORBIDDEN, PASS],
    ['10.0.0.7', PASS, FORBIDDEN],
    ['10.0.0.8', FORBIDDEN, PASS],
    ['::ffff:192.168.1.5', PASS, FORBIDDEN],
    ['2001:db8:1::9', PASS, FORBIDDEN],
    ['2001:db9::1', FORBIDDEN, PASS],
    ['unknown', FORBIDDEN, PASS],
  ])('%s: allowlist %j, blocklist %j', (address, allowed, blocked) => {
    expect(allow.onHttpRequest!({ exchange: from(address) })).toEqual(allowed);
    expect(block.onHttpRequest!({ exchange: from(address) })).toEqual(blocked);
  });

  it('reads the address from an ipExpression, by the first address of a list', () => {
    const byHeader = ipAllowlistFactory.compile(
      { ips, ipExpression: "#[attributes.headers['x-real-ip']]" },
      testCompileContext(),
    ).policy;
    expect(byHeader.onHttpRequest!({ exchange: from('203.0.113.1', { 'x-real-ip': '192.168.1.9, 1.1.1.1' }) })).toEqual(PASS);
    expect(byHeader.onHttpRequest!({ exchange: from('192.168.1.9', { 'x-real-ip': '1.1.1.1' }) })).toEqual(FORBIDDEN);
    expect(byHeader.onHttpRequest!({ exchange: from('192.168.1.9') })).toEqual(FORBIDDEN);
  });
});
