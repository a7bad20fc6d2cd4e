import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CliError, EXIT } from '../exit-codes.js';
import { loadPorticoFile, PORTICO_FILE_SCHEMA } from './load-file.js';
import type { PorticoFile } from './model.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'portico-file-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `portico.yaml` (lines joined with \n) in the temp dir and returns its path. */
async function file(lines: string[], name = 'portico.yaml'): Promise<string> {
  const target = path.join(dir, name);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, lines.join('\n') + '\n');
  return target;
}

/** The lines of the CliError that loading `target` throws, with the file's path shortened to `portico.yaml`. */
async function problems(target: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const error = await loadPorticoFile(target, env).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(EXIT.invalidFile);
  return (error as CliError).message.split('\n').map((line) => line.replace(target, 'portico.yaml'));
}

const HEAD = ['apiVersion: portico/v1', 'environment: Sandbox'];

/** A valid instance, as a list item of `instances` (4 lines). */
const instance = (label: string) => [
  `  - label: ${label}`,
  '    asset: weather-mcp@1.0.0',
  '    upstream: http://weather.internal:8080/mcp/',
  '    proxyUri: http://0.0.0.0:8081/weather',
];

describe('the schema', () => {
  it('compiles in ajv strict mode and describes every property', () => {
    const ajv = new Ajv2020({ strict: true, formats: { 'date-time': true } });
    expect(() => ajv.compile(PORTICO_FILE_SCHEMA)).not.toThrow();
    expect(PORTICO_FILE_SCHEMA.$id).toBe('https://portico.dev/schemas/portico-file-v1.json');

    const undescribed: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${at}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const { properties } = node as { properties?: Record<string, { description?: string }> };
      for (const [name, property] of Object.entries(properties ?? {})) {
        if (!property.description) undescribed.push(`${at}/properties/${name}`);
      }
      for (const [key, value] of Object.entries(node)) walk(value, `${at}/${key}`);
    };
    walk(PORTICO_FILE_SCHEMA, '#');
    expect(undescribed).toEqual([]);
  });
});

describe('loadPorticoFile', () => {
  it('loads a file that uses every field into the model', async () => {
    await writeFile(path.join(dir, 'client-secret.txt'), 'file-secret-value\n');
    const target = await file([
      ...HEAD,
      'assets:',
      '  - assetId: weather-mcp',
      '    version: 1.0.0',
      '    name: Weather MCP',
      '    description: Forecasts',
      'clientApplications:',
      '  - name: web',
      '    description: The web app',
      '    redirectUris: [https://app.example.com/callback]',
      'instances:',
      '  - label: weather',
      '    asset: { groupId: 0f3c, assetId: weather-mcp, version: 1.0.0 }',
      '    upstream:',
      '      uri: https://weather.internal:8443/mcp/',
      '      tlsContext: { secretGroup: upstream-certs, tlsContext: internal-ca }',
      '    proxyUri: https://0.0.0.0:8443/weather',
      '    inboundTlsContext: { secretGroup: listener, tlsContext: weather-cert }',
      '    endpointUri: https://mcp.example.com/weather',
      '    description: Weather for agents',
      '    tags: [weather, public]',
      '    deployment: { target: gateway-1, gatewayVersion: 0.1.0 }',
      '    policies:',
      '      - policy: http-basic-authentication',
      '        version: 1.3.0',
      '        groupId: portico',
      '        mode: shadow',
      '        disabled: true',
      '        configuration:',
      '          username: gateway',
      '          password: { fromEnv: BASIC_PW }',
      '      - policy: client-id-enforcement',
      '        configuration:',
      '          clients:',
      '            - id: web',
      '              secret: { fromFile: client-secret.txt }',
      '    apiKeys:',
      '      - name: ci',
      '        expiresAt: 2027-01-31T00:00:00Z',
      '    contracts:',
      '      - application: web',
      '      - application: declared-elsewhere',
    ]);

    const expected: PorticoFile = {
      apiVersion: 'portico/v1',
      environment: 'Sandbox',
      assets: [{ assetId: 'weather-mcp', version: '1.0.0', name: 'Weather MCP', description: 'Forecasts' }],
      clientApplications: [{ name: 'web', description: 'The web app', redirectUris: ['https://app.example.com/callback'] }],
      instances: [
        {
          label: 'weather',
          asset: { groupId: '0f3c', assetId: 'weather-mcp', version: '1.0.0' },
          upstream: {
            uri: 'https://weather.internal:8443/mcp/',
            tlsContext: { secretGroup: 'upstream-certs', tlsContext: 'internal-ca' },
          },
          proxyUri: 'https://0.0.0.0:8443/weather',
          inboundTlsContext: { secretGroup: 'listener', tlsContext: 'weather-cert' },
          endpointUri: 'https://mcp.example.com/weather',
          description: 'Weather for agents',
          tags: ['weather', 'public'],
          deployment: { target: 'gateway-1', gatewayVersion: '0.1.0' },
          policies: [
            {
              policy: 'http-basic-authentication',
              version: '1.3.0',
              groupId: 'portico',
              mode: 'shadow',
              disabled: true,
              configuration: { username: 'gateway', password: 'env-secret-value' },
              secretPaths: ['/password'],
            },
            {
              policy: 'client-id-enforcement',
              mode: 'enforce',
              disabled: false,
              configuration: { clients: [{ id: 'web', secret: 'file-secret-value' }] },
              secretPaths: ['/clients/0/secret'],
            },
          ],
          apiKeys: [{ name: 'ci', expiresAt: '2027-01-31T00:00:00Z' }],
          contracts: [{ application: 'web' }, { application: 'declared-elsewhere' }],
        },
      ],
    };
    expect(await loadPorticoFile(target, { BASIC_PW: 'env-secret-value' })).toStrictEqual(expected);
  });

  it('fills in what the file leaves out', async () => {
    expect(await loadPorticoFile(await file(HEAD), {})).toStrictEqual({
      apiVersion: 'portico/v1',
      environment: 'Sandbox',
      assets: [],
      clientApplications: [],
      instances: [],
    });

    const target = await file([...HEAD, 'instances:', ...instance('weather'), '    policies:', '      - policy: mcp-support']);
    const [loaded] = (await loadPorticoFile(target, {})).instances;
    expect(loaded?.policies).toStrictEqual([
      { policy: 'mcp-support', mode: 'enforce', disabled: false, configuration: {}, secretPaths: [] },
    ]);
    expect(loaded?.apiKeys).toStrictEqual([]);
    expect(loaded?.contracts).toStrictEqual([]);
  });

  it('reads the shorthand forms of upstream and asset', async () => {
    const target = await file([...HEAD, 'instances:', ...instance('weather')]);
    const [loaded] = (await loadPorticoFile(target, {})).instances;
    expect(loaded?.upstream).toStrictEqual({ uri: 'http://weather.internal:8080/mcp/' });
    expect(loaded?.asset).toStrictEqual({ assetId: 'weather-mcp', version: '1.0.0' });
  });

  it('resolves nested references, lists their JSON pointers and reads files relative to the YAML file', async () => {
    const target = await file(
      [
        ...HEAD,
        'instances:',
        ...instance('weather'),
        '    policies:',
        '      - policy: rate-limiting',
        '        configuration:',
        '          rateLimits:',
        '            - maximumRequests: 10',
        '              key: { fromEnv: RL_KEY }',
        '            - key: { fromFile: key.txt }',
        '          "a/b~c": { fromEnv: RL_KEY }',
        '          notARef: { fromEnv: RL_KEY, other: 1 }',
        '          plain: { fromEnv: [1] , x: 2 }',
      ],
      'conf/portico.yaml',
    );
    await writeFile(path.join(dir, 'conf', 'key.txt'), 'line one\nline two\n\n');
    const [loaded] = (await loadPorticoFile(target, { RL_KEY: 'k' })).instances;
    expect(loaded?.policies[0]).toMatchObject({
      configuration: {
        rateLimits: [{ maximumRequests: 10, key: 'k' }, { key: 'line one\nline two\n' }],
        'a/b~c': 'k',
        notARef: { fromEnv: 'RL_KEY', other: 1 },
        plain: { fromEnv: [1], x: 2 },
      },
      secretPaths: ['/rateLimits/0/key', '/rateLimits/1/key', '/a~1b~0c'],
    });
  });
});

describe('loadPorticoFile refuses', () => {
  it('a file it cannot read', async () => {
    const missing = path.join(dir, 'absent.yaml');
    const error = await loadPorticoFile(missing, {}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.invalidFile);
    expect((error as CliError).message).toBe(`${missing}: cannot read the file: no such file`);
  });

  it('YAML syntax errors, with their position', async () => {
    const target = await file([...HEAD, 'instances: [', '  - label: x']);
    expect(await problems(target)).toEqual([
      'portico.yaml:4:3: Block collections are not allowed within flow collections',
      'portico.yaml:5:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('a duplicate key', async () => {
    const target = await file([...HEAD, 'instances:', ...instance('weather'), '    label: again']);
    expect(await problems(target)).toEqual(['portico.yaml:8:5: duplicate key "label"']);
  });

  it('a YAML warning (an unknown tag) and several documents', async () => {
    expect(await problems(await file([...HEAD, 'assets: !custom []']))).toEqual(['portico.yaml:3:9: Unresolved tag: !custom']);
    expect(await problems(await file([...HEAD, '---', ...HEAD]))).toEqual([
      'portico.yaml:3:1: the file must hold a single YAML document (it has a --- separator)',
    ]);
  });

  it('a file that is not a mapping', async () => {
    expect(await problems(await file(['- a']))).toEqual(['portico.yaml:1:1: the file must be a mapping']);
    expect(await problems(await file(['# nothing']))).toEqual(['portico.yaml:1:1: the file must be a mapping']);
  });

  it('an unknown property, named at its line', async () => {
    const target = await file([...HEAD, 'instances:', ...instance('weather'), '    upstreem: http://x/']);
    expect(await problems(target)).toEqual([
      'portico.yaml:8:5: instances[0].upstreem is not a known property (known: label, asset, upstream, proxyUri, ' +
        'inboundTlsContext, endpointUri, description, tags, deployment, policies, apiKeys, contracts)',
    ]);
  });

  it('a missing required property, at its parent', async () => {
    expect(await problems(await file(['apiVersion: portico/v1']))).toEqual(['portico.yaml:1:1: environment is required']);
    const target = await file([
      ...HEAD,
      'instances:',
      '  - label: weather',
      '    upstream:',
      '      tlsContext: { secretGroup: g, tlsContext: t }',
    ]);
    expect(await problems(target)).toEqual([
      'portico.yaml:4:5: instances[0].asset is required',
      'portico.yaml:4:5: instances[0].proxyUri is required',
      'portico.yaml:5:5: instances[0].upstream.uri is required',
    ]);
  });

  it('values of the wrong kind, with readable messages', async () => {
    const target = await file([
      'apiVersion: portico/v2',
      'environment: ""',
      'instances:',
      '  - label: weather',
      '    asset: { assetId: weather-mcp, version: 1.0 }',
      '    upstream: http://weather.internal:8080/mcp',
      '    proxyUri: 0.0.0.0:8081',
      '    policies:',
      '      - policy: basic',
      '        mode: loud',
      '        disabled: "no"',
      '    apiKeys:',
      '      - name: ci',
      '        expiresAt: 2027-02-30T00:00:00Z',
      '  - label: other',
      '    asset: weather-mcp',
      '    upstream: [http://x/]',
      '    proxyUri: http://0.0.0.0:8082/',
    ]);
    expect(await problems(target)).toEqual([
      'portico.yaml:1:1: apiVersion must be "portico/v1"',
      'portico.yaml:2:1: environment must not be empty',
      'portico.yaml:5:36: instances[0].asset.version must be a string (quote it: "1.0")',
      'portico.yaml:6:5: instances[0].upstream must be an http(s) URL ending with "/"',
      'portico.yaml:7:5: instances[0].proxyUri must be an http:// or https:// URL',
      'portico.yaml:10:9: instances[0].policies[0].mode must be one of: enforce, shadow',
      'portico.yaml:11:9: instances[0].policies[0].disabled must be true or false',
      'portico.yaml:14:9: instances[0].apiKeys[0].expiresAt must be a date-time like 2027-01-31T00:00:00Z',
      'portico.yaml:16:5: instances[1].asset must be assetId@version (e.g. weather-mcp@1.0.0) or a mapping',
      'portico.yaml:17:5: instances[1].upstream must be a string or a mapping',
    ]);
  });

  it('duplicate labels, names, assets and API key names', async () => {
    const target = await file([
      ...HEAD,
      'assets:',
      '  - { assetId: weather-mcp, version: 1.0.0, name: Weather }',
      '  - { assetId: weather-mcp, version: 1.0.1, name: Weather }',
      '  - { assetId: weather-mcp, version: 1.0.0, name: Weather again }',
      'clientApplications:',
      '  - name: web',
      '  - name: web',
      'instances:',
      ...instance('weather'),
      '    apiKeys: [{ name: ci }, { name: ci }]',
      ...instance('weather'),
    ]);
    expect(await problems(target)).toEqual([
      'portico.yaml:6:5: assets[2] duplicates assets[0] (weather-mcp@1.0.0); an assetId and version must be unique',
      'portico.yaml:9:5: clientApplications[1].name duplicates clientApplications[0].name ("web"); names must be unique',
      'portico.yaml:15:31: instances[0].apiKeys[1].name duplicates instances[0].apiKeys[0].name ("ci"); names must be unique within an instance',
      'portico.yaml:16:5: instances[1].label duplicates instances[0].label ("weather"); labels must be unique',
    ]);
  });

  it('a secret reference that cannot be resolved, and never shows a secret', async () => {
    await writeFile(path.join(dir, 'token.txt'), 'file-secret-value');
    const target = await file([
      ...HEAD,
      'instances:',
      ...instance('weather'),
      '    policies:',
      '      - policy: basic',
      '        configuration:',
      '          username: { fromEnv: BASIC_USER }',
      '          password: { fromEnv: BASIC_PW }',
      '          token: { fromFile: token.txt }',
      '          empty: { fromEnv: EMPTY }',
      '      - policy: other',
      '        configuration:',
      '          nested: [{ key: { fromFile: secrets/missing.txt } }]',
      '          bad: { fromEnv: 1BAD }',
      '      - policy: root',
      '        configuration: { fromEnv: BASIC_USER }',
    ]);
    const lines = await problems(target, { BASIC_USER: 'env-secret-value', EMPTY: '' });
    expect(lines).toEqual([
      'portico.yaml:12:11: instances[0].policies[0].configuration.password: environment variable BASIC_PW is not set',
      'portico.yaml:14:11: instances[0].policies[0].configuration.empty: environment variable EMPTY is empty',
      `portico.yaml:17:22: instances[0].policies[1].configuration.nested[0].key: cannot read file secrets/missing.txt (${path.join(dir, 'secrets/missing.txt')}): no such file`,
      'portico.yaml:18:18: instances[0].policies[1].configuration.bad.fromEnv must be an environment variable name (letters, digits and _, not starting with a digit)',
      "portico.yaml:20:9: instances[0].policies[2].configuration must be a mapping of the policy's properties, not a secret reference",
    ]);
    expect(lines.join('\n')).not.toMatch(/secret-value/);
  });

  it('every problem at once, in file order, and at most 20 of them', async () => {
    const target = await file([
      'apiVersion: portico/v1',
      'instances:',
      '  - label: weather',
      '    asset: weather-mcp@1.0.0',
      '    upstream: http://weather.internal/mcp',
      '    proxyUri: http://0.0.0.0:8081/',
      '    policies: [{ policy: basic, configuration: { password: { fromEnv: BASIC_PW } } }]',
      '  - label: weather',
      '    asset: weather-mcp@1.0.0',
      '    upstream: http://weather.internal/',
      '    proxyUri: http://0.0.0.0:8082/',
      '    colour: blue',
    ]);
    expect(await problems(target)).toEqual([
      'portico.yaml:1:1: environment is required',
      'portico.yaml:5:5: instances[0].upstream must be an http(s) URL ending with "/"',
      'portico.yaml:7:50: instances[0].policies[0].configuration.password: environment variable BASIC_PW is not set',
      'portico.yaml:8:5: instances[1].label duplicates instances[0].label ("weather"); labels must be unique',
      'portico.yaml:12:5: instances[1].colour is not a known property (known: label, asset, upstream, proxyUri, ' +
        'inboundTlsContext, endpointUri, description, tags, deployment, policies, apiKeys, contracts)',
    ]);

    const many = await file([...HEAD, 'instances:', ...Array.from({ length: 25 }, (_, i) => `  - { label: i${i} }`)]);
    const lines = await problems(many);
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('portico.yaml:4:5: instances[0].asset is required');
    expect(lines[20]).toBe('… and 55 more problems');
  });
});
