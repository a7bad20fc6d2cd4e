import { hashSecret } from '#portico/secret-hash';
import { IDENTITY_ATTRIBUTE } from '../../policy-contract/context.js';
import { PolicyStates } from '../../policy-states.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { clientIdEnforcementFactory } from './client-id-enforcement.policy.js';

describe('client-id-enforcement policy', () => {
  let clients: Record<string, { name: string; secretHash: string }>;
  beforeAll(async () => {
    clients = { 'agent-1': { name: 'Agent One', secretHash: await hashSecret('s3cret') } };
  });
  const setup = (config: Record<string, unknown>) => {
    const { policy } = clientIdEnforcementFactory.compile(
      config,
      testCompileContext('cid', new PolicyStates(), undefined, { clients }),
    );
    return (headers: Record<string, string>) => {
      const exchange = testExchange(headers);
      const result = policy.onHttpRequest!({ exchange });
      return { result, exchange };
    };
  };
  const refused = (message: string, scheme = 'Client-Id') => ({
    kind: 'reject',
    error: { kind: 'unauthorized', message, wwwAuthenticate: `${scheme} realm="demo"` },
  });

  it('checks client id and secret from headers, caching a verified secret', async () => {
    const check = setup({ clientSecretExpression: "#[attributes.headers['client_secret']]" });
    const first = check({ client_id: 'agent-1', client_secret: 's3cret' });
    expect(first.result).toBeInstanceOf(Promise);
    expect(await first.result).toEqual({ kind: 'pass' });
    expect(first.exchange.attributes.get(IDENTITY_ATTRIBUTE)).toEqual({
      principal: 'agent-1',
      clientId: 'agent-1',
      clientName: 'Agent One',
    });
    expect(check({ client_id: 'agent-1', client_secret: 's3cret' }).result).toEqual({ kind: 'pass' });
    expect(await check({ client_id: 'agent-1', client_secret: 'wrong' }).result).toEqual(
      refused('The client credentials are not valid'),
    );
    expect(check({ client_id: 'agent-2', client_secret: 's3cret' }).result).toEqual(
      refused('The client has no approved contract'),
    );
    expect(check({ client_id: 'agent-1' }).result).toEqual(refused('Client credentials are required'));
  });

  it('checks the client id alone without a secret expression', () => {
    const check = setup({});
    expect(check({ client_id: 'agent-1' }).result).toEqual({ kind: 'pass' });
    expect(check({}).result).toEqual(refused('Client credentials are required'));
  });

  it('reads Basic credentials and keeps them from the upstream', async () => {
    const check = setup({ credentialsOriginHasHttpBasicAuthenticationHeader: 'httpBasicAuthenticationHeader' });
    const basic = (credentials: string) => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });
    expect(await check(basic('agent-1:s3cret')).result).toEqual({ kind: 'mutate', message: { remove: ['authorization'] } });
    expect(await check(basic('agent-1:nope')).result).toEqual(refused('The client credentials are not valid', 'Basic'));
    expect(check(basic('agent-1')).result).toEqual(refused('Client credentials are required', 'Basic'));
    expect(check(basic(':s3cret')).result).toEqual(refused('Client credentials are required', 'Basic'));
  });
});
