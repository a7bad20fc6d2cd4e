import { PolicyStates } from '../../policy-states.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { type SpikeControlConfig, spikeControlFactory } from './spike-control.policy.js';

describe('spike-control policy', () => {
  let now = 0;
  const clock = { now: () => now };
  const compile = (config: Partial<SpikeControlConfig>, states = new PolicyStates()) =>
    spikeControlFactory.compile(
      { maximumRequests: 4, timePeriodInMilliseconds: 1000, ...config },
      testCompileContext('spike', states, clock),
    ).policy;
  const kinds = (results: unknown[]) => results.map((r) => (r instanceof Promise ? 'waits' : (r as { kind: string }).kind));

  beforeEach(() => {
    now = 10_000;
  });

  it('lets a burst of maximumRequests through after a quiet spell, then one request per period/maximumRequests', () => {
    const policy = compile({ queuingLimit: 0 });
    const send = () => policy.onHttpRequest!({ exchange: testExchange() });
    expect(kinds([send(), send(), send(), send(), send()])).toEqual(['pass', 'pass', 'pass', 'pass', 'reject']);
    expect(send()).toEqual({
      kind: 'reject',
      error: {
        kind: 'rate-limited',
        message: 'Too many requests: the API is receiving more requests than it accepts at once',
        retryAfterSeconds: 0.25,
      },
    });
    now += 250;
    expect(kinds([send(), send()])).toEqual(['pass', 'reject']);
    now += 1000;
    expect(kinds([send(), send(), send(), send(), send()])).toEqual(['pass', 'pass', 'pass', 'pass', 'reject']);
  });

  it('keeps its rate across a push of the same configuration', () => {
    const states = new PolicyStates();
    const first = compile({}, states);
    for (let i = 0; i < 4; i++) first.onHttpRequest!({ exchange: testExchange() });
    expect(kinds([compile({}, states).onHttpRequest!({ exchange: testExchange() })])).toEqual(['reject']);
  });

  it('queues up to queuingLimit requests, each retried after the delay, and refuses the rest at once', async () => {
    const policy = compile({ maximumRequests: 1, queuingLimit: 1, delayTimeInMillis: 20, delayAttempts: 2 });
    const send = () => policy.onHttpRequest!({ exchange: testExchange() });
    expect(kinds([send()])).toEqual(['pass']);
    const queued = send();
    expect(kinds([queued, send()])).toEqual(['waits', 'reject']);
    now += 1000;
    expect(await queued).toEqual({ kind: 'pass' });

    const stuck = send();
    expect(kinds([stuck])).toEqual(['waits']);
    expect(await stuck).toMatchObject({ kind: 'reject', error: { kind: 'rate-limited' } });
    // The queue is free again.
    expect(kinds([send()])).toEqual(['waits']);
  });

  it('exposes X-RateLimit-* for admitted requests when asked', () => {
    const policy = compile({ exposeHeaders: true });
    const exchange = testExchange();
    policy.onHttpRequest!({ exchange });
    expect(policy.onHttpResponse!({ exchange }, { status: 200, headers: {} })).toEqual({
      kind: 'mutate',
      message: { set: { 'x-ratelimit-limit': '4', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '250' } },
    });
  });
});
