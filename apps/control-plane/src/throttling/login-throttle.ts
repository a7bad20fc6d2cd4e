/**
 * Brute-force throttle of login and the OAuth token endpoint.
 *
 * Failed attempts are counted under three keys, each with its own limit:
 * - account + address (PORTICO_LOGIN_MAX_FAILURES): one sender guessing one account. Only that
 *   sender is held back; the real user, elsewhere, logs in as usual.
 * - account (PORTICO_LOGIN_ACCOUNT_MAX_FAILURES, looser): the same guessing spread over many
 *   addresses.
 * - address (PORTICO_LOGIN_ADDRESS_MAX_FAILURES): one sender trying many accounts (credential
 *   stuffing). An IPv6 address counts by its /64 (throttle-address.ts).
 * A key that reaches its limit is locked: attempts under it are refused with 429 and Retry-After,
 * without looking at the secret, for PORTICO_LOGIN_LOCKOUT_SECONDS. Once that has run out, one
 * attempt at a time goes through; each failure locks the key again for twice as long, up to
 * PORTICO_LOGIN_FAILURE_WINDOW_SECONDS. A key's failures are forgotten that window after its last
 * failure (or its lockout's end, if later). A success forgets the account + address failures only:
 * an attacker who also holds a valid account could otherwise reset the address count at will.
 *
 * So that a distributed attacker cannot keep the real user out: an address that logged in to the
 * account within the last 30 days is exempt from the account and address keys (never from its own
 * account + address key). An account lock holds back only addresses new to the account.
 *
 * Attempts under way hold a place under each limit until they end, so a burst of parallel guesses
 * gets no more checks than the limit (a sequence would).
 *
 * The counts live in this process's memory (no table is shared): control planes behind one load
 * balancer count separately, so a sender spread over n of them gets up to n times the limits, and
 * a restart forgets them. Memory is bounded: each table keeps at most MAX_KEYS keys and drops the
 * least recently used first (a flood of made-up names evicts old counts rather than growing).
 */
import type { Env } from '../config/env.js';
import { ThrottledError } from './throttled-error.js';
import { throttleAddress } from './throttle-address.js';

/** The keys failures are counted under (see the header). */
export type LockScope = 'account-address' | 'account' | 'address';

/** Whose secret an attempt checks: a user's password, or a connected app's client secret. */
export interface LoginAccount {
  kind: 'user' | 'client';
  /** the username or client id as sent (it may name nobody) */
  name: string;
}

export interface LoginThrottleSettings {
  /** failures under a key before it locks */
  maxFailures: Readonly<Record<LockScope, number>>;
  /** the first lockout */
  lockoutMs: number;
  /** failures are forgotten this long after the last one or its lockout's end; also the longest lockout */
  windowMs: number;
  /** keys each table keeps at most (default MAX_KEYS) */
  maxKeys?: number;
}

/** The settings of PORTICO_LOGIN_*. */
export function loginThrottleSettings(env: Env): LoginThrottleSettings {
  return {
    maxFailures: {
      'account-address': env.PORTICO_LOGIN_MAX_FAILURES,
      account: env.PORTICO_LOGIN_ACCOUNT_MAX_FAILURES,
      address: env.PORTICO_LOGIN_ADDRESS_MAX_FAILURES,
    },
    lockoutMs: env.PORTICO_LOGIN_LOCKOUT_SECONDS * 1000,
    windowMs: env.PORTICO_LOGIN_FAILURE_WINDOW_SECONDS * 1000,
  };
}

/** A lockout a failure has just started: the caller logs it and audits it. */
export interface Lockout {
  scope: LockScope;
  account: LoginAccount;
  /** the address as counted (an IPv6 address as its /64) */
  address: string;
  failures: number;
  seconds: number;
  until: Date;
}

/** An attempt under way. It MUST end in exactly one of succeeded, failed or abandoned. */
export interface LoginAttempt {
  readonly account: LoginAccount;
  readonly address: string;
  readonly held: readonly { scope: LockScope; key: string; streak: Streak }[];
}

interface Streak {
  failures: number;
  /** attempts under way under this key */
  pending: number;
  lastFailureAt: number;
  lockedUntil: number;
}

/** Keys per table: a few tens of MB at most with 256-character usernames. */
export const MAX_KEYS = 50_000;
/** How long an address that logged in to an account stays exempt from its account and address keys. */
export const KNOWN_ADDRESS_MS = 30 * 86_400_000;
/** Stale entries dropped per write, oldest first, besides those over the bound. */
const SWEEP = 8;

const REFUSALS: Record<LockScope, string> = {
  'account-address': 'Too many failed attempts for this account from this address',
  account: 'Too many failed attempts for this account',
  address: 'Too many failed attempts from this address',
};

export class LoginThrottle {
  private readonly tables: Record<LockScope, RecentMap<Streak>>;
  /** account + address key → until when that address counts as known to the account */
  private readonly known: RecentMap<number>;

  constructor(
    private readonly settings: LoginThrottleSettings,
    private readonly now: () => number = Date.now,
  ) {
    const maxKeys = settings.maxKeys ?? MAX_KEYS;
    const forgotten = (streak: Streak) => this.forgotten(streak);
    this.tables = {
      'account-address': new RecentMap(maxKeys, forgotten),
      account: new RecentMap(maxKeys, forgotten),
      address: new RecentMap(maxKeys, forgotten),
    };
    this.known = new RecentMap(maxKeys, (until) => until <= this.now());
  }

  /**
   * Starts an attempt on `account` from `ip` (request.ip). Throws ThrottledError (429) when a key
   * it counts under is locked, or already has as many attempts under way as failures left.
   */
  begin(account: LoginAccount, ip: string): LoginAttempt {
    const address = throttleAddress(ip);
    const pair = JSON.stringify([account.kind, account.name, address]);
    const keys: [LockScope, string][] = [['account-address', pair]];
    if ((this.known.get(pair) ?? 0) <= this.now()) {
      keys.push(['account', JSON.stringify([account.kind, account.name])], ['address', address]);
    }
    const held = keys.map(([scope, key]) => ({ scope, key, streak: this.tables[scope].get(key) ?? newStreak() }));
    let refusal: { scope: LockScope; seconds: number } | undefined;
    for (const { scope, streak } of held) {
      const seconds = this.refusalSeconds(scope, streak);
      if (seconds !== undefined && seconds > (refusal?.seconds ?? 0)) refusal = { scope, seconds };
    }
    if (refusal) throw new ThrottledError(`${REFUSALS[refusal.scope]}; retry in ${refusal.seconds} s`, refusal.seconds);
    for (const { scope, key, streak } of held) {
      streak.pending++;
      this.tables[scope].set(key, streak);
    }
    return { account, address, held };
  }

  /** The secret was right: the account + address failures are forgotten and the address becomes known. */
  succeeded(attempt: LoginAttempt): void {
    this.abandoned(attempt);
    const [pair] = attempt.held;
    pair!.streak.failures = 0;
    pair!.streak.lockedUntil = 0;
    this.known.set(pair!.key, this.now() + KNOWN_ADDRESS_MS);
  }

  /** The secret was wrong (or names nobody): counted under every key; answers the lockouts this starts. */
  failed(attempt: LoginAttempt): Lockout[] {
    const now = this.now();
    const lockouts: Lockout[] = [];
    for (const { scope, key, streak } of attempt.held) {
      streak.pending--;
      streak.failures++;
      streak.lastFailureAt = now;
      const beyond = streak.failures - this.settings.maxFailures[scope];
      if (beyond >= 0) {
        const ms = Math.min(this.settings.lockoutMs * 2 ** beyond, this.settings.windowMs);
        streak.lockedUntil = now + ms;
        const { account, address } = attempt;
        lockouts.push({
          scope,
          account,
          address,
          failures: streak.failures,
          seconds: Math.ceil(ms / 1000),
          until: new Date(now + ms),
        });
      }
      this.tables[scope].set(key, streak);
    }
    return lockouts;
  }

  /** The secret could not be checked (busy, database down): the attempt counts for nothing. */
  abandoned(attempt: LoginAttempt): void {
    for (const { streak } of attempt.held) streak.pending--;
  }

  /** Seconds until `streak` takes another attempt under `scope`; undefined when it takes one now. */
  private refusalSeconds(scope: LockScope, streak: Streak): number | undefined {
    const now = this.now();
    if (streak.lockedUntil > now) return Math.ceil((streak.lockedUntil - now) / 1000);
    // Places left under the limit; past a lockout, one attempt at a time.
    const places = Math.max(this.settings.maxFailures[scope] - streak.failures, 1);
    return streak.pending >= places ? 1 : undefined;
  }

  private forgotten(streak: Streak): boolean {
    if (streak.pending > 0) return false;
    return streak.failures === 0 || this.now() >= Math.max(streak.lastFailureAt, streak.lockedUntil) + this.settings.windowMs;
  }
}

function newStreak(): Streak {
  return { failures: 0, pending: 0, lastFailureAt: 0, lockedUntil: 0 };
}

/**
 * A Map of at most `maxKeys` entries, the least recently set dropped first. Entries `stale` calls
 * no longer needed are dropped when read, and a few of the oldest on each write.
 */
class RecentMap<V> {
  private readonly map = new Map<string, V>();

  constructor(
    private readonly maxKeys: number,
    private readonly stale: (value: V) => boolean,
  ) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value === undefined || !this.stale(value)) return value;
    this.map.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    let swept = 0;
    for (const [oldest, entry] of this.map) {
      if (this.map.size > this.maxKeys) this.map.delete(oldest);
      else if (swept < SWEEP && this.stale(entry)) {
        this.map.delete(oldest);
        swept++;
      } else break;
    }
  }
}
