import { SECRET_MASK } from '#portico/policy-catalog';
import { isSecretName, maskSecrets } from './secret-mask.js';

describe('maskSecrets', () => {
  it.each([
    ['password', true],
    ['passwordHash', true],
    ['client_secret', true],
    ['clientSecret', true],
    ['clientSecretHash', true],
    ['secretSha256', true],
    ['registrationToken', true],
    ['access_token', true],
    ['tokenHash', true],
    ['privateKey', true],
    ['privateKeySealed', true],
    ['x-api-key', true],
    ['apiKey', true],
    ['secretGroupId', false],
    ['tokenUrl', false],
    ['maxTokens', false],
    ['name', false],
    ['clientId', false],
    ['key', false],
  ])('treats %s as secret: %s', (name, secret) => {
    expect(isSecretName(name)).toBe(secret);
  });

  it('masks secret-named values at any depth, keeps everything else and nulls', () => {
    const input = {
      id: 7,
      name: 'ci',
      client_secret: 'plain',
      privateKey: null,
      routing: [{ tlsContext: { secretGroupId: 'g', tlsContextId: 't' } }],
      configurationData: { credentials: [{ username: 'u', password: 'p' }], jwks: { token: { nested: 1 } } },
    };
    expect(maskSecrets(input)).toEqual({
      id: 7,
      name: 'ci',
      client_secret: SECRET_MASK,
      privateKey: null,
      routing: [{ tlsContext: { secretGroupId: 'g', tlsContextId: 't' } }],
      configurationData: { credentials: [{ username: 'u', password: SECRET_MASK }], jwks: { token: SECRET_MASK } },
    });
  });
});
