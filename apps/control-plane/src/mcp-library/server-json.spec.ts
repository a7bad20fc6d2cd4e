import curated from './curated-library.json' with { type: 'json' };
import { CURATED_NAMESPACE, loadCuratedLibrary, uuidV5 } from './curated-library.js';
import { installableRemotes, validateLibraryDocument, validateServerJson } from './server-json.js';

const minimal = { name: 'io.github.acme/weather', description: 'Weather forecasts', version: '1.0.2' };
const remote = (fields: Record<string, unknown>) => ({ ...minimal, remotes: [{ type: 'streamable-http', ...fields }] });

const issuesOf = (document: unknown) => {
  const result = validateServerJson(document);
  return result.valid ? [] : result.issues;
};

describe('server.json validation', () => {
  it('accepts a minimal document and one with every field Portico reads', () => {
    expect(validateServerJson(minimal)).toEqual({ valid: true, server: minimal });
    const full = {
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      ...minimal,
      title: 'Weather',
      websiteUrl: 'https://weather.example.com',
      repository: { url: 'https://github.com/acme/weather', source: 'github' },
      icons: [{ src: 'https://weather.example.com/icon.png', mimeType: 'image/png', sizes: ['48x48'] }],
      remotes: [
        {
          type: 'streamable-http',
          url: 'https://{region}.weather.example.com/mcp',
          variables: { region: { description: 'region', isRequired: true, choices: ['eu', 'us'], default: 'eu' } },
          headers: [
            { name: 'Authorization', value: 'Bearer {token}', isRequired: true, variables: { token: { isSecret: true } } },
            { name: 'X-Units', default: 'metric', choices: ['metric', 'imperial'] },
          ],
        },
        { type: 'sse', url: 'https://weather.example.com/sse' },
      ],
      packages: [{ registryType: 'npm', identifier: '@acme/weather', version: '1.0.2', transport: { type: 'stdio' } }],
      _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { tool: 'ci' } },
      status: 'active',
    };
    expect(issuesOf(full)).toEqual([]);
  });

  it.each([
    ['a missing name', { description: 'x', version: '1.0.0' }, '/name', 'is required'],
    [
      'a name without its slash',
      { ...minimal, name: 'weather' },
      '/name',
      'must be a reverse-DNS name with exactly one slash, e.g. io.github.owner/server',
    ],
    [
      'a name with two slashes',
      { ...minimal, name: 'io.github/acme/weather' },
      '/name',
      expect.stringContaining('exactly one slash'),
    ],
    [
      'a description over 100 characters',
      { ...minimal, description: 'x'.repeat(101) },
      '/description',
      'must NOT have more than 100 characters',
    ],
    ['a version range', { ...minimal, version: '^1.2.3' }, '/version', expect.stringContaining('not a range')],
    ['the version latest', { ...minimal, version: 'latest' }, '/version', expect.stringContaining('not a range')],
    [
      'a remote of an unknown type',
      { ...minimal, remotes: [{ type: 'websocket', url: 'wss://x' }] },
      '/remotes/0/type',
      'must be one of streamable-http, sse',
    ],
    [
      'a remote URL that is neither http(s) nor a variable',
      remote({ url: 'ftp://x/mcp' }),
      '/remotes/0/url',
      expect.stringContaining('must start with http://'),
    ],
    [
      'a URL variable nobody declares',
      remote({ url: '{baseUrl}/mcp' }),
      '/remotes/0/url',
      'uses {baseUrl}, which /remotes/0/variables does not declare',
    ],
    [
      'a header without a name',
      remote({ url: 'https://x/mcp', headers: [{ isSecret: true }] }),
      '/remotes/0/headers/0/name',
      'is required',
    ],
    [
      'a header name that is not a token',
      remote({ url: 'https://x/mcp', headers: [{ name: 'X Key' }] }),
      '/remotes/0/headers/0/name',
      'must be a valid HTTP header name',
    ],
    [
      'a header named twice',
      remote({ url: 'https://x/mcp', headers: [{ name: 'X-Key' }, { name: 'x-key' }] }),
      '/remotes/0/headers/1/name',
      'names header x-key a second time',
    ],
    [
      'a header value using an undeclared variable',
      remote({ url: 'https://x/mcp', headers: [{ name: 'Authorization', value: 'Bearer {token}' }] }),
      '/remotes/0/headers/0/value',
      'uses {token}, which /remotes/0/headers/0/variables does not declare',
    ],
    [
      'a default outside its choices',
      remote({ url: 'https://x/mcp', headers: [{ name: 'X-Units', default: 'kelvin', choices: ['metric'] }] }),
      '/remotes/0/headers/0/default',
      'must be one of its choices (metric)',
    ],
    [
      'isSecret that is not a boolean',
      remote({ url: 'https://x/mcp', headers: [{ name: 'X', isSecret: 'yes' }] }),
      '/remotes/0/headers/0/isSecret',
      'must be boolean',
    ],
    ['an icon served over http', { ...minimal, icons: [{ src: 'http://x/icon.png' }] }, '/icons/0/src', 'must be an https URL'],
    [
      'a package without a transport',
      { ...minimal, packages: [{ registryType: 'npm', identifier: 'x' }] },
      '/packages/0/transport',
      'is required',
    ],
    ['a lone surrogate', { ...minimal, title: 'a\ud800' }, '/title', 'must be valid Unicode (it holds a lone surrogate)'],
  ])('refuses %s, naming its path', (_label, document, path, message) => {
    expect(issuesOf(document)).toContainEqual({ path, message });
  });

  it('refuses what is not an object', () => {
    expect(issuesOf([minimal])).toEqual([{ path: '', message: 'must be a server.json object' }]);
  });

  it('lists the streamable-http remotes as installable, with their index', () => {
    const server = {
      ...minimal,
      remotes: [
        { type: 'sse', url: 'https://x/sse' },
        { type: 'streamable-http', url: 'https://x/mcp' },
      ],
    };
    expect(installableRemotes(server as never).map((r) => r.index)).toEqual([1]);
  });
});

describe('library documents', () => {
  it('takes one server.json, or a registry export of wrapped and bare servers', () => {
    expect(validateLibraryDocument(minimal)).toEqual({ valid: true, servers: [minimal] });
    const other = { ...minimal, version: '2.0.0' };
    expect(
      validateLibraryDocument({
        servers: [{ server: minimal, _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active' } } }, other],
        metadata: { count: 2 },
      }),
    ).toEqual({ valid: true, servers: [minimal, other] });
  });

  it('names every problem with its full path, and a server given twice', () => {
    const result = validateLibraryDocument({ servers: [{ server: { ...minimal, name: 'weather' } }, minimal, { ...minimal }] });
    expect(result).toEqual({
      valid: false,
      issues: [
        { path: '/servers/0/server/name', message: expect.stringContaining('reverse-DNS') },
        { path: '/servers/2', message: 'is io.github.acme/weather@1.0.2 again (as /servers/1)' },
      ],
    });
  });

  it('refuses an export without servers', () => {
    expect(validateLibraryDocument({ servers: [] })).toEqual({
      valid: false,
      issues: [{ path: '/servers', message: 'must hold at least one server' }],
    });
  });
});

describe('the curated library', () => {
  it('is valid, and every entry but the local-only ones is installable', () => {
    const entries = loadCuratedLibrary(curated);
    expect(entries.length).toBeGreaterThanOrEqual(6);
    for (const entry of entries) expect(installableRemotes(entry.server).length).toBeGreaterThan(0);
    expect(entries.map((e) => e.server.name)).toContain('io.modelcontextprotocol/everything');
  });

  it('gives each entry the UUID v5 of name@version, stable across loads', () => {
    const [first] = loadCuratedLibrary(curated);
    expect(first!.id).toBe(uuidV5(`${first!.server.name}@${first!.server.version}`, CURATED_NAMESPACE));
    expect(loadCuratedLibrary(curated)[0]!.id).toBe(first!.id);
  });

  it('computes RFC 9562 UUID v5 (the DNS namespace test vector)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('fails loudly on an invalid file, naming the problem', () => {
    expect(() => loadCuratedLibrary({ servers: [{ ...minimal, version: '~1' }] })).toThrow(
      /curated-library\.json is not a valid MCP library: \/servers\/0\/version: must be a specific version/,
    );
  });
});
