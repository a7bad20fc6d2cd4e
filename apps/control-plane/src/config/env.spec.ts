import { loadEnv } from './env.js';

describe('loadEnv', () => {
  it('applies the embedded defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORTICO_PORT: 8080,
      PORTICO_HOST: '127.0.0.1',
      PORTICO_ADMIN_USERNAME: 'admin',
      PORTICO_TOKEN_TTL_SECONDS: 3600,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.dataDir).toMatch(/\.portico$/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadEnv({ PORTICO_ADMIN_PASSWORD: '' }).PORTICO_ADMIN_PASSWORD).toBeUndefined();
  });

  it('applies the abuse-resistance defaults', () => {
    expect(loadEnv({})).toMatchObject({
      PORTICO_BODY_MAX_DEPTH: 64,
      PORTICO_TRUSTED_PROXIES: [],
      PORTICO_LOGIN_MAX_FAILURES: 5,
      PORTICO_LOGIN_ACCOUNT_MAX_FAILURES: 20,
      PORTICO_LOGIN_ADDRESS_MAX_FAILURES: 50,
      PORTICO_LOGIN_LOCKOUT_SECONDS: 60,
      PORTICO_LOGIN_FAILURE_WINDOW_SECONDS: 900,
      PORTICO_LOGIN_HASH_CONCURRENCY: 2,
      PORTICO_LOGIN_HASH_QUEUE: 32,
    });
  });

  it('reads PORTICO_TRUSTED_PROXIES as addresses and CIDR ranges, naming an entry that is neither', () => {
    expect(loadEnv({ PORTICO_TRUSTED_PROXIES: ' 10.0.0.1, 10.1.0.0/16 ,2001:db8::/32,' }).PORTICO_TRUSTED_PROXIES).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
      '2001:db8::/32',
    ]);
    for (const bad of ['proxy.internal', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/8/1', '10.0.0.0/x']) {
      expect(() => loadEnv({ PORTICO_TRUSTED_PROXIES: `10.0.0.1,${bad}` })).toThrow(
        `PORTICO_TRUSTED_PROXIES: ${JSON.stringify(bad)} is not an IP address or CIDR range`,
      );
    }
  });

  it('reads PORTICO_OUTBOUND_DENY: the secure default when unset or empty, none for no rule, a bad entry named', () => {
    expect(loadEnv({}).PORTICO_OUTBOUND_DENY).toEqual(['loopback', 'link-local', 'metadata']);
    expect(loadEnv({ PORTICO_OUTBOUND_DENY: '' }).PORTICO_OUTBOUND_DENY).toEqual(['loopback', 'link-local', 'metadata']);
    expect(loadEnv({ PORTICO_OUTBOUND_DENY: 'none' }).PORTICO_OUTBOUND_DENY).toEqual([]);
    expect(loadEnv({ PORTICO_OUTBOUND_DENY: 'Private, 203.0.113.0/24' }).PORTICO_OUTBOUND_DENY).toEqual([
      'private',
      '203.0.113.0/24',
    ]);
    expect(() => loadEnv({ PORTICO_OUTBOUND_DENY: 'loopback,intranet' })).toThrow(/PORTICO_OUTBOUND_DENY: .*intranet/);
  });

  it('bounds PORTICO_BODY_MAX_DEPTH to what the code after the parser can walk', () => {
    expect(() => loadEnv({ PORTICO_BODY_MAX_DEPTH: '1001' })).toThrow(/PORTICO_BODY_MAX_DEPTH: /);
    expect(() => loadEnv({ PORTICO_BODY_MAX_DEPTH: '0' })).toThrow(/PORTICO_BODY_MAX_DEPTH: /);
    expect(loadEnv({ PORTICO_BODY_MAX_DEPTH: '1000' }).PORTICO_BODY_MAX_DEPTH).toBe(1000);
  });

  it('takes PORTICO_MIGRATE_ON_START=false only with DATABASE_URL, and a pool size within bounds', () => {
    expect(() => loadEnv({ PORTICO_MIGRATE_ON_START: 'false' })).toThrow(
      /PORTICO_MIGRATE_ON_START: false needs DATABASE_URL: nothing else migrates the embedded PostgreSQL/,
    );
    expect(loadEnv({ PORTICO_MIGRATE_ON_START: 'false', DATABASE_URL: 'postgresql://h/db' }).PORTICO_MIGRATE_ON_START).toBe(
      false,
    );
    expect(loadEnv({}).PORTICO_DATABASE_POOL_SIZE).toBe(10);
    expect(() => loadEnv({ PORTICO_DATABASE_POOL_SIZE: '0' })).toThrow(/PORTICO_DATABASE_POOL_SIZE: /);
  });

  it('names every bad variable and its reason', () => {
    expect(() => loadEnv({ PORTICO_PORT: 'eighty', PORTICO_ADMIN_PASSWORD: 'short' })).toThrow(
      /PORTICO_PORT: .*\n.*PORTICO_ADMIN_PASSWORD: PORTICO_ADMIN_PASSWORD must have at least 8 characters/,
    );
  });
});
