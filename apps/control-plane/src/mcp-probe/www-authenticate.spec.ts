import { parseWwwAuthenticate } from './www-authenticate.js';

describe('WWW-Authenticate parsing', () => {
  it.each([
    ['', []],
    ['Bearer', [{ scheme: 'Bearer', params: {} }]],
    [
      'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="files:read files:write"',
      [
        {
          scheme: 'Bearer',
          params: {
            resource_metadata: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
            scope: 'files:read files:write',
          },
        },
      ],
    ],
    // the SDK's bearerAuth answer, with error and description before the metadata
    [
      'Bearer error="invalid_token", error_description="Missing Authorization header", resource_metadata="http://localhost:1/.well-known/oauth-protected-resource/mcp"',
      [
        {
          scheme: 'Bearer',
          params: {
            error: 'invalid_token',
            error_description: 'Missing Authorization header',
            resource_metadata: 'http://localhost:1/.well-known/oauth-protected-resource/mcp',
          },
        },
      ],
    ],
    // RFC 9110 §11.6.1's example: two challenges, a comma inside a quoted string, an escaped quote
    [
      'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
      [
        { scheme: 'Newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
        { scheme: 'Basic', params: { realm: 'simple' } },
      ],
    ],
    ['Bearer realm="a, b", scope=x', [{ scheme: 'Bearer', params: { realm: 'a, b', scope: 'x' } }]],
    // scheme and parameter names in any case, blanks around =, an unquoted value with a colon
    [
      'bEaReR   SCOPE = mcp:read ,Resource_Metadata="u"',
      [{ scheme: 'bEaReR', params: { scope: 'mcp:read', resource_metadata: 'u' } }],
    ],
    // token68 challenges, and a challenge after one
    [
      'Negotiate YII=, Basic realm="x"',
      [
        { scheme: 'Negotiate', params: {}, token68: 'YII=' },
        { scheme: 'Basic', params: { realm: 'x' } },
      ],
    ],
    ['Basic YWxhZGRpbjpvcGVuc2VzYW1l', [{ scheme: 'Basic', params: {}, token68: 'YWxhZGRpbjpvcGVuc2VzYW1l' }]],
    // two fields joined by fetch's Headers with ", "
    [
      'ApiKey header="X-API-Key", Bearer',
      [
        { scheme: 'ApiKey', params: { header: 'X-API-Key' } },
        { scheme: 'Bearer', params: {} },
      ],
    ],
    // a parameter named twice keeps its first value
    ['Bearer scope="a", scope="b"', [{ scheme: 'Bearer', params: { scope: 'a' } }]],
    // empty list elements are allowed
    [' , Bearer ,, scope="a" ,', [{ scheme: 'Bearer', params: { scope: 'a' } }]],
    // parameters without the comma between them (a common server mistake) are still read
    ['Bearer realm="r" scope="s"', [{ scheme: 'Bearer', params: { realm: 'r', scope: 's' } }]],
    // malformed parts are skipped up to the next comma; the rest is read
    ['"junk", Bearer scope="a"', [{ scheme: 'Bearer', params: { scope: 'a' } }]],
    ['Bearer scope="unterminated', [{ scheme: 'Bearer', params: {} }]],
    ['=x, Basic realm="y"', [{ scheme: 'Basic', params: { realm: 'y' } }]],
  ])('parses %j', (field, expected) => {
    expect(parseWwwAuthenticate(field)).toEqual(expected);
  });

  it('does not let a parameter named __proto__ change anything but its own key', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__="x", scope="a"');
    expect(Object.getPrototypeOf(challenge!.params)).toBe(Object.prototype);
    expect(challenge!.params.scope).toBe('a');
    expect(Object.hasOwn(challenge!.params, '__proto__')).toBe(true);
  });

  it('reads at most 8 KiB of a field, in linear time', () => {
    const field = `Bearer scope="${'a'.repeat(100_000)}`;
    expect(parseWwwAuthenticate(field)).toEqual([{ scheme: 'Bearer', params: {} }]);
    expect(parseWwwAuthenticate(`${'Bearer, '.repeat(2000)}`)).toHaveLength(1024);
  });
});
