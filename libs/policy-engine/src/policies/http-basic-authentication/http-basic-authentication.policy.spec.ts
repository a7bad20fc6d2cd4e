import { IDENTITY_ATTRIBUTE } from '../../policy-contract/context.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { httpBasicAuthenticationFactory } from './http-basic-authentication.policy.js';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('http-basic-authentication policy', () => {
  const { policy } = httpBasicAuthenticationFactory.compile({ username: 'ops', password: 'p:ss wörd' }, testCompileContext());
  const run = (authorization?: string) => {
    const exchange = testExchange(authorization === undefined ? {} : { authorization });
    return { verdict: policy.onHttpRequest!({ exchange }), exchange };
  };

  it('passes the configured credentials, leaves the identity and keeps them from the upstream', () => {
    const { verdict, exchange } = run(basic('ops:p:ss wörd'));
    expect(verdict).toEqual({ kind: 'mutate', message: { remove: ['authorization'] } });
    expect(exchange.attributes.get(IDENTITY_ATTRIBUTE)).toEqual({ principal: 'ops' });
    expect(run(`basic  ${Buffer.from('ops:p:ss wörd').toString('base64')}`).verdict).toMatchObject({ kind: 'mutate' });
  });

  it.each([
    [undefined, 'Basic credentials are required'],
    ['Bearer abc', 'Basic credentials are required'],
    [basic('ops'), 'Basic credentials are required'],
    [basic('ops:wrong'), 'The credentials are not valid'],
    [basic('OPS:p:ss wörd'), 'The credentials are not valid'],
  ])('answers %s with 401 and a Basic challenge', (authorization, message) => {
    const { verdict, exchange } = run(authorization);
    expect(verdict).toEqual({
      kind: 'reject',
      error: { kind: 'unauthorized', message, wwwAuthenticate: 'Basic realm="demo"' },
    });
    expect(exchange.attributes.has(IDENTITY_ATTRIBUTE)).toBe(false);
  });
});
