import { assetVersionOf, policyBodies, serverSlug, slugOf } from './backend-plan.js';
import { describeInputs, mergeInputs, resolveInstall, splitRemoteUrl, splitSecretInputs } from './install-inputs.js';
import type { ServerJson } from './server-json.js';

const NAME = 'io.github.acme/tickets';

function server(remotes: unknown[], extra: Partial<ServerJson> = {}): ServerJson {
  return { name: NAME, description: 'Tickets', version: '1.0.0', remotes, ...extra } as ServerJson;
}

/** A tenant URL variable, a secret Authorization header built from a token, an optional plain header. */
const tickets = server([
  { type: 'sse', url: 'https://acme.example.com/sse' },
  {
    type: 'streamable-http',
    url: 'https://{tenant}.acme.example.com/mcp',
    variables: { tenant: { description: 'your tenant', isRequired: true } },
    headers: [
      {
        name: 'Authorization',
        value: 'Bearer {token}',
        isRequired: true,
        variables: { token: { isSecret: true, isRequired: true } },
      },
      { name: 'X-Region', choices: ['eu', 'us'] },
      { name: 'X-Api-Key', isSecret: true },
    ],
  },
]);

describe('resolving install inputs', () => {
  it('substitutes the URL variables and sorts headers into secret and plain', () => {
    expect(
      resolveInstall(tickets, { variables: { tenant: 'blue', token: 't0k' }, headers: { 'x-region': 'eu', 'X-Api-Key': 'k' } }),
    ).toEqual({
      kind: 'resolved',
      index: 1,
      missingSecrets: [],
      remote: {
        index: 1,
        url: 'https://blue.acme.example.com/mcp',
        secretHeaders: [
          { name: 'Authorization', value: 'Bearer t0k', source: 'variables.token' },
          { name: 'X-Api-Key', value: 'k', source: 'headers.X-Api-Key' },
        ],
        plainHeaders: [{ name: 'X-Region', value: 'eu', source: 'headers.X-Region' }],
      },
    });
  });

  it('leaves out optional headers nobody gave, and uses defaults', () => {
    const s = server([
      {
        type: 'streamable-http',
        url: '{baseUrl}',
        variables: { baseUrl: { default: 'http://127.0.0.1:3001/mcp' } },
        headers: [{ name: 'X-Units', default: 'metric' }, { name: 'X-Optional' }],
      },
    ]);
    const resolved = resolveInstall(s, {});
    expect(resolved).toMatchObject({
      kind: 'resolved',
      remote: { url: 'http://127.0.0.1:3001/mcp', plainHeaders: [{ name: 'X-Units', value: 'metric' }], secretHeaders: [] },
    });
  });

  it.each([
    ['a missing required variable', {}, 'variables.tenant', `is required by ${NAME}`],
    ['a missing secret of a required header', { variables: { tenant: 'b' } }, 'variables.token', `is required by ${NAME}`],
    [
      'an unknown variable',
      { variables: { tenant: 'b', token: 't', colour: 'red' } },
      'variables.colour',
      `is not a variable of ${NAME} (its tenant, token)`,
    ],
    [
      'an unknown header',
      { variables: { tenant: 'b', token: 't' }, headers: { 'X-Nope': '1' } },
      'headers.X-Nope',
      `is not a header of ${NAME} (its Authorization, X-Region, X-Api-Key)`,
    ],
    [
      'a header the entry sets itself',
      { variables: { tenant: 'b', token: 't' }, headers: { authorization: 'Bearer x' } },
      'headers.authorization',
      `is set by ${NAME} from its variables token; give those instead`,
    ],
    [
      'a value outside the choices',
      { variables: { tenant: 'b', token: 't' }, headers: { 'X-Region': 'mars' } },
      'headers.X-Region',
      'must be one of eu, us',
    ],
    [
      'a line break in a value',
      { variables: { tenant: 'b', token: 't\r\nX-Evil: 1' } },
      'variables.token',
      'must not contain line breaks or NUL characters',
    ],
    [
      'a header given twice',
      { variables: { tenant: 'b', token: 't' }, headers: { 'X-Region': 'eu', 'x-region': 'us' } },
      'headers.x-region',
      'is given twice (header names are case-insensitive)',
    ],
    [
      'an sse remote',
      { remote: 0, variables: { tenant: 'b', token: 't' } },
      'remote',
      expect.stringContaining('remote 0 of io.github.acme/tickets is sse'),
    ],
    ['a remote that does not exist', { remote: 5 }, 'remote', `must be the index of one of the 2 remotes of ${NAME}`],
  ])('refuses %s, naming it', (_label, inputs, path, message) => {
    const resolution = resolveInstall(tickets, inputs);
    expect(resolution.kind).toBe('invalid');
    expect(resolution.kind === 'invalid' && resolution.issues).toContainEqual({ path, message });
  });

  it('asks for a URL variable without a default even when the entry does not mark it required', () => {
    const s = server([{ type: 'streamable-http', url: '{baseUrl}', variables: { baseUrl: {} } }]);
    expect(resolveInstall(s, {})).toEqual({
      kind: 'invalid',
      issues: [{ path: 'variables.baseUrl', message: `is required by ${NAME} (its remote URL uses it)` }],
    });
  });

  it('refuses a plain header value that the gateway would read as an expression', () => {
    const s = server([{ type: 'streamable-http', url: 'https://x/mcp', headers: [{ name: 'X-Trace' }] }]);
    expect(resolveInstall(s, { headers: { 'X-Trace': '#[uuid()]' } })).toEqual({
      kind: 'invalid',
      issues: [
        { path: 'headers.X-Trace', message: 'makes header X-Trace start with #[, which the gateway would read as an expression' },
      ],
    });
  });

  it('checks number and boolean formats', () => {
    const s = server([
      {
        type: 'streamable-http',
        url: 'https://x/{port}/mcp',
        variables: { port: { format: 'number' }, flag: { format: 'boolean' } },
      },
    ]);
    expect(resolveInstall(s, { variables: { port: 'eighty', flag: 'yes' } })).toEqual({
      kind: 'invalid',
      issues: [
        { path: 'variables.port', message: 'must be a number' },
        { path: 'variables.flag', message: 'must be true or false' },
      ],
    });
  });

  it('says an entry with only local packages cannot be installed', () => {
    const local = server([], {
      packages: [{ registryType: 'npm', identifier: '@acme/tickets', transport: { type: 'stdio' } }],
    });
    expect(resolveInstall(local, {})).toEqual({
      kind: 'not-installable',
      message: `${NAME} has no streamable-http remote, so a gateway cannot front it (its packages run locally: npm @acme/tickets)`,
    });
  });

  it('lets an install request leave required secrets to the approver', () => {
    expect(resolveInstall(tickets, { variables: { tenant: 'b' } }, { allowMissingSecrets: true })).toEqual({
      kind: 'resolved',
      index: 1,
      missingSecrets: ['variables.token'],
    });
    // but not the plain inputs
    expect(resolveInstall(tickets, {}, { allowMissingSecrets: true })).toMatchObject({
      kind: 'invalid',
      issues: [{ path: 'variables.tenant', message: `is required by ${NAME}` }],
    });
  });

  it('splits secret inputs from plain ones', () => {
    expect(
      splitSecretInputs(tickets, 1, { variables: { tenant: 'b', token: 't' }, headers: { 'X-Region': 'eu', 'x-api-key': 'k' } }),
    ).toEqual({
      plain: { variables: { tenant: 'b' }, headers: { 'X-Region': 'eu' } },
      secret: { variables: { token: 't' }, headers: { 'x-api-key': 'k' } },
    });
  });

  it('merges inputs, a later header replacing an earlier one of any case', () => {
    expect(
      mergeInputs(
        { remote: 1, variables: { a: '1' }, headers: { 'x-key': 'old' } },
        { variables: { b: '2' }, headers: { 'X-Key': 'new' } },
      ),
    ).toEqual({ remote: 1, variables: { a: '1', b: '2' }, headers: { 'X-Key': 'new' } });
  });

  it('describes the inputs an install form asks for', () => {
    expect(describeInputs(tickets.remotes![1]!)).toEqual([
      {
        in: 'variable',
        name: 'tenant',
        description: 'your tenant',
        isRequired: true,
        isSecret: false,
        default: null,
        choices: null,
      },
      { in: 'variable', name: 'token', description: null, isRequired: true, isSecret: true, default: null, choices: null },
      {
        in: 'header',
        name: 'X-Region',
        description: null,
        isRequired: false,
        isSecret: false,
        default: null,
        choices: ['eu', 'us'],
      },
      { in: 'header', name: 'X-Api-Key', description: null, isRequired: false, isSecret: true, default: null, choices: null },
    ]);
  });
});

describe('remote URLs as upstreams', () => {
  it.each([
    ['https://mcp.deepwiki.com/mcp', { upstream: 'https://mcp.deepwiki.com/', rest: 'mcp' }],
    ['https://api.githubcopilot.com/mcp/', { upstream: 'https://api.githubcopilot.com/mcp/', rest: '' }],
    ['http://127.0.0.1:3001', { upstream: 'http://127.0.0.1:3001/', rest: '' }],
    ['https://mcp.atlassian.com/v1/mcp', { upstream: 'https://mcp.atlassian.com/v1/', rest: 'mcp' }],
    ['ftp://x/mcp', { problem: 'ftp://x/mcp must be an http(s) URL' }],
    ['https://u:p@x/mcp', { problem: 'https://u:p@x/mcp must not hold credentials; send them in a header' }],
    ['https://x/mcp?k=v', { problem: 'https://x/mcp?k=v must not have a query or fragment, which an upstream cannot carry' }],
    ['not a url', { problem: 'not a url is not a URL' }],
  ])('%s', (url, expected) => {
    expect(splitRemoteUrl(url)).toEqual(expected);
  });
});

describe('backend plans', () => {
  it.each([
    ['io.github.github/github-mcp-server', 'github-mcp-server'],
    ['com.example/My_Server.v2', 'my-server-v2'],
    ['com.example/___', 'mcp-server'],
  ])('names the asset of %s %s', (name, slug) => {
    expect(serverSlug(name)).toBe(slug);
  });

  it('cuts slugs at 60 characters without a trailing dash', () => {
    expect(slugOf(`${'a'.repeat(59)}-b`)).toBe('a'.repeat(59));
  });

  it.each([
    ['1.0.2', '1.0.2'],
    ['2.1.0-alpha', '2.1.0-alpha'],
    ['1.2', '1.2.0'],
    ['v2', '2.0.0'],
    ['2025.09.25', '2025.9.25'],
    ['nightly', '1.0.0'],
  ])('versions the asset of server version %s as %s', (version, asset) => {
    expect(assetVersionOf(version)).toBe(asset);
  });

  it('orders MCP Support first, then one credential per secret header, then header injection', () => {
    const bodies = policyBodies({
      credentials: [
        { name: 'Authorization', value: 'Bearer t' },
        { name: 'X-Key', prefix: 'Key', value: 'k' },
      ],
      injectedHeaders: [{ name: 'X-Region', value: 'eu', source: 'headers.X-Region' }],
    });
    expect(bodies.map((b) => [b.assetId, b.label ?? null, b.configurationData])).toEqual([
      ['mcp-support', null, {}],
      ['upstream-credential', 'Authorization', { headerName: 'Authorization', value: 'Bearer t' }],
      ['upstream-credential', 'X-Key', { headerName: 'X-Key', prefix: 'Key', value: 'k' }],
      ['header-injection', null, { inboundHeaders: [{ key: 'X-Region', value: 'eu' }] }],
    ]);
  });
});
