import { createHash } from 'node:crypto';
import { IDENTITY_ATTRIBUTE } from '../../policy-contract/context.js';
import type { PolicyReport } from '../../policy-contract/policy.js';
import { PolicyStates } from '../../policy-states.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { apiKeyAuthenticationFactory } from './api-key-authentication.policy.js';

const sha = (key: string) => createHash('sha256').update(key).digest('hex');
const NOW = Date.parse('2026-12-05T00:00:00Z');

describe('api-key-authentication policy', () => {
  let now = NOW;
  const reports: PolicyReport[] = [];
  const managed = {
    keys: {
      [sha('ptk_live')]: { id: 'k1', name: 'ci-agent' },
      [sha('ptk_old')]: { id: 'k2', name: 'old', expiresAt: '2026-12-01T00:00:00Z' },
    },
  };
  const setup = (config: { headerName?: string } = {}) =>
    apiKeyAuthenticationFactory.compile(
      config,
      testCompileContext('ak', new PolicyStates(), { now: () => now }, managed, reports),
    ).policy;

  it('admits an active key as a bearer token, keeps it from the upstream and reports its use once a minute', () => {
    const policy = setup();
    const exchange = testExchange({ authorization: 'Bearer ptk_live' });
    expect(policy.onHttpRequest!({ exchange })).toEqual({ kind: 'mutate', message: { remove: ['authorization'] } });
    expect(exchange.attributes.get(IDENTITY_ATTRIBUTE)).toEqual({
      principal: 'api-key:ci-agent',
      properties: { apiKeyId: 'k1' },
    });
    policy.onHttpRequest!({ exchange: testExchange({ authorization: 'Bearer ptk_live' }) });
    now += 61_000;
    policy.onHttpRequest!({ exchange: testExchange({ authorization: 'Bearer ptk_live' }) });
    expect(reports).toEqual([
      { kind: 'api-key-used', keyId: 'k1' },
      { kind: 'api-key-used', keyId: 'k1' },
    ]);
  });

  it.each([
    [{}, 'An API key is required'],
    [{ authorization: 'Bearer ptk_unknown' }, 'The API key is not valid'],
    [{ authorization: 'Bearer ptk_old' }, 'The API key is not valid'],
  ])('refuses %j with 401', (headers, message) => {
    expect(setup().onHttpRequest!({ exchange: testExchange(headers) })).toEqual({
      kind: 'reject',
      error: { kind: 'unauthorized', message, wwwAuthenticate: 'Bearer' },
    });
  });

  it('reads the key from another header when configured', () => {
    const policy = setup({ headerName: 'X-API-Key' });
    expect(policy.onHttpRequest!({ exchange: testExchange({ 'x-api-key': 'ptk_live' }) })).toEqual({
      kind: 'mutate',
      message: { remove: ['x-api-key'] },
    });
    expect(policy.onHttpRequest!({ exchange: testExchange({ authorization: 'Bearer ptk_live' }) })).toMatchObject({
      error: { wwwAuthenticate: 'ApiKey header="X-API-Key"' },
    });
  });
});
