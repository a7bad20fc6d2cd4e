import {
  KNOWN_ADDRESS_MS,
  type LoginAccount,
  type LoginAttempt,
  LoginThrottle,
  type LoginThrottleSettings,
} from './login-throttle.js';
import { ThrottledError } from './throttled-error.js';

const SECOND = 1000;
const alice: LoginAccount = { kind: 'user', name: 'alice' };
const settings: LoginThrottleSettings = {
  maxFailures: { 'account-address': 3, account: 6, address: 10 },
  lockoutMs: 60 * SECOND,
  windowMs: 900 * SECOND,
};

/** A throttle on a clock the test moves. */
function throttle(overrides: Partial<LoginThrottleSettings> = {}) {
  const clock = { now: 1_000_000 };
  const t = new LoginThrottle({ ...settings, ...overrides }, () => clock.now);
  const refusal = (account: LoginAccount, ip: string): { status: 'refused'; seconds: number; message: string } | 'allowed' => {
    try {
      t.abandoned(t.begin(account, ip));
      return 'allowed';
    } catch (err) {
      if (!(err instanceof ThrottledError)) throw err;
      return { status: 'refused', seconds: err.retryAfterSeconds, message: err.message };
    }
  };
  const fail = (account: LoginAccount, ip: string) => t.failed(t.begin(account, ip));
  const succeed = (account: LoginAccount, ip: string) => t.succeeded(t.begin(account, ip));
  return { t, clock, refusal, fail, succeed };
}

describe('LoginThrottle', () => {
  it('locks an account for one address after its failures, for the lockout, and answers the seconds left', () => {
    const { clock, refusal, fail } = throttle();
    expect(fail(alice, '10.0.0.1')).toEqual([]);
    expect(fail(alice, '10.0.0.1')).toEqual([]);
    expect(fail(alice, '10.0.0.1')).toEqual([
      {
        scope: 'account-address',
        account: alice,
        address: '10.0.0.1',
        failures: 3,
        seconds: 60,
        until: new Date(clock.now + 60 * SECOND),
      },
    ]);
    expect(refusal(alice, '10.0.0.1')).toEqual({
      status: 'refused',
      seconds: 60,
      message: 'Too many failed attempts for this account from this address; retry in 60 s',
    });
    clock.now += 59.5 * SECOND;
    expect(refusal(alice, '10.0.0.1')).toMatchObject({ seconds: 1 });
    expect(refusal(alice, '10.0.0.2')).toBe('allowed');
    expect(refusal({ kind: 'user', name: 'bob' }, '10.0.0.1')).toBe('allowed');
    expect(refusal({ kind: 'client', name: 'alice' }, '10.0.0.1')).toBe('allowed');
    clock.now += 0.5 * SECOND;
    expect(refusal(alice, '10.0.0.1')).toBe('allowed');
  });

  it('doubles the lockout with each failure after it has run out, up to the failure window', () => {
    const { clock, fail } = throttle();
    for (let i = 0; i < 2; i++) fail(alice, '10.0.0.1');
    const lockouts: number[] = [];
    for (let i = 0; i < 7; i++) {
      const [lockout] = fail(alice, '10.0.0.1');
      lockouts.push(lockout!.seconds);
      clock.now = lockout!.until.getTime();
    }
    expect(lockouts).toEqual([60, 120, 240, 480, 900, 900, 900]);
  });

  it('lets one attempt at a time through once a lockout has run out', () => {
    const { t, clock, refusal, fail } = throttle();
    for (let i = 0; i < 3; i++) fail(alice, '10.0.0.1');
    clock.now += 60 * SECOND;
    const first = t.begin(alice, '10.0.0.1');
    expect(refusal(alice, '10.0.0.1')).toMatchObject({ status: 'refused', seconds: 1 });
    t.failed(first);
    expect(refusal(alice, '10.0.0.1')).toMatchObject({ seconds: 120 });
  });

  it('forgets failures a window after the last one, or after the lockout if that ends later', () => {
    const { clock, refusal, fail } = throttle();
    fail(alice, '10.0.0.1');
    fail(alice, '10.0.0.1');
    clock.now += 900 * SECOND - 1;
    expect(fail(alice, '10.0.0.1')).toHaveLength(1);

    clock.now += 60 * SECOND + 899 * SECOND;
    expect(fail(alice, '10.0.0.1')).toEqual([expect.objectContaining({ failures: 4, seconds: 120 })]);

    clock.now += 120 * SECOND + 900 * SECOND;
    expect(refusal(alice, '10.0.0.1')).toBe('allowed');
    expect(fail(alice, '10.0.0.1')).toEqual([]);
  });

  it('forgets the account + address failures on a success, but not the account or address ones', () => {
    const { refusal, fail, succeed } = throttle();
    fail(alice, '10.0.0.1');
    fail(alice, '10.0.0.1');
    succeed(alice, '10.0.0.1');
    fail(alice, '10.0.0.1');
    fail(alice, '10.0.0.1');
    expect(refusal(alice, '10.0.0.1')).toBe('allowed');

    // the account's 2 failures before the success still count, with 4 from elsewhere
    for (const ip of ['10.0.0.9', '10.0.0.8', '10.0.0.7']) expect(fail(alice, ip)).toEqual([]);
    expect(fail(alice, '10.0.0.6')).toEqual([expect.objectContaining({ scope: 'account', failures: 6, seconds: 60 })]);
  });

  it('locks the account for every address new to it after the account limit; one it logged in from stays in', () => {
    const { refusal, fail, succeed } = throttle();
    succeed(alice, '192.0.2.7');
    for (let i = 1; i <= 5; i++) expect(fail(alice, `10.0.1.${i}`)).toEqual([]);
    expect(fail(alice, '10.0.1.6')).toEqual([
      expect.objectContaining({ scope: 'account', address: '10.0.1.6', failures: 6, seconds: 60 }),
    ]);
    expect(refusal(alice, '10.0.2.1')).toEqual({
      status: 'refused',
      seconds: 60,
      message: 'Too many failed attempts for this account; retry in 60 s',
    });
    expect(refusal(alice, '192.0.2.7')).toBe('allowed');
  });

  it('forgets that an address logged in to an account after 30 days', () => {
    const { clock, refusal, fail, succeed } = throttle();
    succeed(alice, '192.0.2.7');
    clock.now += KNOWN_ADDRESS_MS;
    for (let i = 1; i <= 6; i++) fail(alice, `10.0.1.${i}`);
    expect(refusal(alice, '192.0.2.7')).toMatchObject({ status: 'refused', seconds: 60 });
  });

  it('locks an address that fails on many accounts, counting an IPv6 address by its /64', () => {
    const { refusal, fail } = throttle();
    for (let i = 1; i <= 9; i++) expect(fail({ kind: 'user', name: `user-${i}` }, `2001:db8:0:1::${i}`)).toEqual([]);
    expect(fail({ kind: 'client', name: 'some-client' }, '2001:db8:0:1:ffff::1')).toEqual([
      expect.objectContaining({ scope: 'address', address: '2001:db8:0:1::/64', failures: 10 }),
    ]);
    expect(refusal({ kind: 'user', name: 'user-99' }, '2001:db8::1:abcd:0:0:1')).toEqual({
      status: 'refused',
      seconds: 60,
      message: 'Too many failed attempts from this address; retry in 60 s',
    });
    expect(refusal({ kind: 'user', name: 'user-99' }, '2001:db8:0:2::1')).toBe('allowed');
  });

  it('answers the longest of several lockouts', () => {
    const { clock, refusal, fail } = throttle({ maxFailures: { 'account-address': 3, account: 4, address: 100 } });
    for (let i = 0; i < 3; i++) fail(alice, '10.0.0.1');
    clock.now += 30 * SECOND;
    expect(fail(alice, '10.0.0.2')).toEqual([expect.objectContaining({ scope: 'account', seconds: 60 })]);
    expect(refusal(alice, '10.0.0.1')).toEqual({
      status: 'refused',
      seconds: 60,
      message: 'Too many failed attempts for this account; retry in 60 s',
    });
  });

  it('counts attempts under way: a burst gets no more checks than the limit', () => {
    const { t, refusal } = throttle();
    const started: LoginAttempt[] = [];
    const refused: number[] = [];
    for (let i = 0; i < 10; i++) {
      try {
        started.push(t.begin(alice, '10.0.0.1'));
      } catch (err) {
        refused.push((err as ThrottledError).retryAfterSeconds);
      }
    }
    expect(started).toHaveLength(3);
    expect(refused).toEqual(Array(7).fill(1));
    for (const attempt of started) t.failed(attempt);
    expect(refusal(alice, '10.0.0.1')).toMatchObject({ seconds: 60 });
  });

  it('counts an abandoned attempt for nothing', () => {
    const { t, refusal, fail } = throttle();
    for (let i = 0; i < 10; i++) t.abandoned(t.begin(alice, '10.0.0.1'));
    fail(alice, '10.0.0.1');
    fail(alice, '10.0.0.1');
    expect(refusal(alice, '10.0.0.1')).toBe('allowed');
  });

  it('keeps at most maxKeys keys per table, dropping the least recently used', () => {
    const { refusal, fail } = throttle({ maxKeys: 2, maxFailures: { 'account-address': 1, account: 100, address: 100 } });
    fail(alice, '10.0.0.1');
    fail({ kind: 'user', name: 'bob' }, '10.0.0.1');
    expect(refusal(alice, '10.0.0.1')).toMatchObject({ status: 'refused' });
    fail({ kind: 'user', name: 'carol' }, '10.0.0.1');
    expect(refusal(alice, '10.0.0.1')).toBe('allowed');
    expect(refusal({ kind: 'user', name: 'carol' }, '10.0.0.1')).toMatchObject({ status: 'refused' });
  });
});
