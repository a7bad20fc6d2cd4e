import { LocalQuota } from './quota.js';

describe('LocalQuota', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 60_000;
  });

  it('counts per key in windows aligned to the epoch, and a new window starts from zero', () => {
    const quota = new LocalQuota([{ maximumRequests: 2, timePeriodInMilliseconds: 1000 }], clock);
    now = 60_250;
    expect(quota.take('a')).toEqual({ allowed: true, limit: 2, remaining: 1, resetMs: 750 });
    expect(quota.take('a')).toEqual({ allowed: true, limit: 2, remaining: 0, resetMs: 750 });
    expect(quota.take('a')).toEqual({ allowed: false, limit: 2, remaining: 0, resetMs: 750 });
    expect(quota.take('b')).toMatchObject({ allowed: true, remaining: 1 });
    now = 61_000;
    expect(quota.take('a')).toEqual({ allowed: true, limit: 2, remaining: 1, resetMs: 1000 });
  });

  it('takes from every window or none, reports the window nearest its limit, and waits for every window that refused', () => {
    const quota = new LocalQuota(
      [
        { maximumRequests: 3, timePeriodInMilliseconds: 1000 },
        { maximumRequests: 4, timePeriodInMilliseconds: 10_000 },
      ],
      clock,
    );
    expect(quota.take('k')).toEqual({ allowed: true, limit: 3, remaining: 2, resetMs: 1000 });
    quota.take('k');
    quota.take('k');
    expect(quota.take('k')).toEqual({ allowed: false, limit: 3, remaining: 0, resetMs: 1000 });
    now += 1000;
    // The short window starts again; the long one has one request left, and the refused take was not counted.
    expect(quota.take('k')).toEqual({ allowed: true, limit: 4, remaining: 0, resetMs: 9000 });
    expect(quota.take('k')).toEqual({ allowed: false, limit: 4, remaining: 0, resetMs: 9000 });
  });

  it('keeps at most maxKeys keys, dropping the oldest', () => {
    const quota = new LocalQuota([{ maximumRequests: 1, timePeriodInMilliseconds: 1000 }], clock, 2);
    quota.take('a');
    quota.take('b');
    quota.take('c');
    expect(quota.take('a').allowed).toBe(true);
    expect(quota.take('c').allowed).toBe(false);
  });
});
