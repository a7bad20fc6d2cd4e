import { authorizationServerMetadataUrls, protectedResourceMetadataUrls, sameIssuer } from './metadata-urls.js';

describe('metadata URLs', () => {
  it.each([
    [
      'https://example.com/public/mcp',
      [
        'https://example.com/.well-known/oauth-protected-resource/public/mcp',
        'https://example.com/.well-known/oauth-protected-resource',
      ],
    ],
    [
      'http://127.0.0.1:8080/mcp/',
      [
        'http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp/',
        'http://127.0.0.1:8080/.well-known/oauth-protected-resource',
      ],
    ],
    [
      'https://example.com/mcp?tenant=a',
      [
        'https://example.com/.well-known/oauth-protected-resource/mcp?tenant=a',
        'https://example.com/.well-known/oauth-protected-resource',
      ],
    ],
    ['https://example.com', ['https://example.com/.well-known/oauth-protected-resource']],
    ['https://example.com/', ['https://example.com/.well-known/oauth-protected-resource']],
  ])('looks for the protected-resource metadata of %s at %j, in that order', (resource, expected) => {
    expect(protectedResourceMetadataUrls(new URL(resource))).toEqual(expected);
  });

  it.each([
    [
      'https://auth.example.com/tenant1',
      [
        'https://auth.example.com/.well-known/oauth-authorization-server/tenant1',
        'https://auth.example.com/.well-known/openid-configuration/tenant1',
        'https://auth.example.com/tenant1/.well-known/openid-configuration',
      ],
    ],
    [
      'https://auth.example.com/realms/a/',
      [
        'https://auth.example.com/.well-known/oauth-authorization-server/realms/a',
        'https://auth.example.com/.well-known/openid-configuration/realms/a',
        'https://auth.example.com/realms/a/.well-known/openid-configuration',
      ],
    ],
    [
      'https://auth.example.com',
      [
        'https://auth.example.com/.well-known/oauth-authorization-server',
        'https://auth.example.com/.well-known/openid-configuration',
      ],
    ],
    [
      'http://127.0.0.1:9000/',
      ['http://127.0.0.1:9000/.well-known/oauth-authorization-server', 'http://127.0.0.1:9000/.well-known/openid-configuration'],
    ],
  ])('looks for the metadata of issuer %s at %j, in that order', (issuer, expected) => {
    expect(authorizationServerMetadataUrls(new URL(issuer))).toEqual(expected);
  });

  it.each([
    ['https://as.example', 'https://as.example', true],
    ['https://as.example', 'https://as.example/', true],
    ['https://AS.example/t', 'https://as.example/t', true],
    ['https://as.example/t', 'https://as.example/t/', false],
    ['https://as.example', 'https://attacker.example', false],
    ['https://as.example', 'http://as.example', false],
    ['undefined', 'https://as.example', false],
  ])('takes issuers %s and %s as the same: %s', (a, b, same) => {
    expect(sameIssuer(a, b)).toBe(same);
  });
});
