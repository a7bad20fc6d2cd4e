import type { JsonRpcRequest } from '#portico/mcp-jsonrpc';
import { IDENTITY_ATTRIBUTE, type McpCall } from '../../policy-contract/context.js';
import { PolicyStates } from '../../policy-states.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { type RateLimitingConfig, rateLimitingFactory } from './rate-limiting.policy.js';

const MINUTE = [{ maximumRequests: 2, timePeriodInMilliseconds: 60_000 }];

describe('rate-limiting policy', () => {
  let now = 120_000;
  const clock = { now: () => now };
  const compile = (config: Partial<RateLimitingConfig>, states = new PolicyStates(), apiKind: 'mcp' | 'http' = 'mcp') =>
    rateLimitingFactory.compile({ rateLimits: MINUTE, ...config }, { ...testCompileContext('rl', states, clock), apiKind });
  const call = (method: string, name?: string, kind: McpCall['kind'] = 'request'): McpCall => ({
    kind,
    method,
    id: kind === 'request' ? 1 : undefined,
    target: name === undefined ? undefined : { type: 'tool', name },
    arguments: undefined,
  });
  const message: JsonRpcRequest = { jsonrpc: '2.0', id: 1, method: 'tools/call' };
  const limited = (retryAfterSeconds: number) => ({
    kind: 'reject',
    error: { kind: 'rate-limited', message: 'Too many requests: the rate limit of this API is exceeded', retryAfterSeconds },
  });

  beforeEach(() => {
    now = 120_000;
  });

  it('counts the JSON-RPC requests of an MCP API (not notifications), 429 once over, again in the next window', () => {
    const { policy, warnings } = compile({});
    expect(policy.onHttpRequest).toBeUndefined();
    expect(policy.methods).toEqual({ '*': 'request' });
    expect(warnings).toEqual([
      'clusterizable: the gateway has no Redis (PORTICO_REDIS_URL), so each gateway process counts on its own',
    ]);
    const exchange = testExchange();
    const run = (c: McpCall) => policy.onRequest!({ exchange, call: c }, message);
    expect(run(call('initialize'))).toEqual({ kind: 'pass' });
    expect(run(call('notifications/initialized', undefined, 'notification'))).toEqual({ kind: 'pass' });
    expect(run(call('tools/call', 'echo'))).toEqual({ kind: 'pass' });
    now += 15_000;
    expect(run(call('tools/list'))).toEqual(limited(45));
    now = 180_000;
    expect(run(call('tools/list'))).toEqual({ kind: 'pass' });
  });

  it('keys quotas by tool name, by client, or shares one for requests without a key; counts only mcpMethods', () => {
    const byTool = compile({ keySelector: '#[mcp.name]', mcpMethods: ['tools/call'] }).policy;
    expect(byTool.methods).toEqual({ 'tools/call': 'request' });
    const exchange = testExchange();
    const tool = (name: string) =>
      (byTool.onRequest!({ exchange, call: call('tools/call', name) }, message) as { kind: string }).kind;
    expect([tool('a'), tool('a'), tool('a'), tool('b')]).toEqual(['pass', 'pass', 'reject', 'pass']);

    const byClient = compile({ keySelector: '#[authentication.clientId]' }).policy;
    const caller = (clientId?: string) => {
      const ex = testExchange();
      if (clientId) ex.attributes.set(IDENTITY_ATTRIBUTE, { principal: clientId, clientId });
      return (byClient.onRequest!({ exchange: ex, call: call('tools/call', 'x') }, message) as { kind: string }).kind;
    };
    expect([caller('c1'), caller('c1'), caller('c1'), caller('c2')]).toEqual(['pass', 'pass', 'reject', 'pass']);
    expect([caller(), caller(), caller()]).toEqual(['pass', 'pass', 'reject']);
  });

  it('counts every request of an HTTP API by header, keeping counts across pushes of the same policy', () => {
    const states = new PolicyStates();
    const first = compile({ keySelector: "#[attributes.headers['x-team']]" }, states, 'http').policy;
    expect(first.onRequest).toBeUndefined();
    const send = (policy: typeof first, team: string) =>
      (policy.onHttpRequest!({ exchange: testExchange({ 'x-team': team }) }) as { kind: string }).kind;
    expect([send(first, 'red'), send(first, 'red')]).toEqual(['pass', 'pass']);
    const pushed = compile({ keySelector: "#[attributes.headers['x-team']]" }, states, 'http').policy;
    expect([send(pushed, 'red'), send(pushed, 'blue')]).toEqual(['reject', 'pass']);
  });

  it('exposes X-RateLimit-* on the answer when asked, for the window nearest its limit', () => {
    const { policy } = compile({
      exposeHeaders: true,
      rateLimits: [
        { maximumRequests: 5, timePeriodInMilliseconds: 1000 },
        { maximumRequests: 2, timePeriodInMilliseconds: 60_000 },
      ],
    });
    const exchange = testExchange();
    const head = { status: 200, headers: {} };
    expect(policy.onHttpResponse!({ exchange }, head)).toEqual({ kind: 'pass' });
    policy.onRequest!({ exchange, call: call('tools/call', 'x') }, message);
    expect(policy.onHttpResponse!({ exchange }, head)).toEqual({
      kind: 'mutate',
      message: { set: { 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '60000' } },
    });
    expect(compile({}).policy.onHttpResponse).toBeUndefined();
  });
});
