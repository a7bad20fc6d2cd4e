import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { upstreamCredentialFactory } from './upstream-credential.policy.js';

describe('upstream-credential policy', () => {
  const edit = (config: { headerName?: string; prefix?: string; value: string }) =>
    upstreamCredentialFactory.compile(config, testCompileContext()).policy.onHttpRequest!({ exchange: testExchange() });

  it('sets the header the upstream expects, replacing the client value', () => {
    expect(edit({ prefix: 'Bearer', value: 's3cret' })).toEqual({
      kind: 'mutate',
      message: { set: { authorization: 'Bearer s3cret' } },
    });
    expect(edit({ headerName: 'X-API-Key', value: 'k' })).toEqual({ kind: 'mutate', message: { set: { 'x-api-key': 'k' } } });
  });
});
