import { type PolicyFactory, POLICY_REGISTRY, PASS } from '#portico/policy-engine';
import { AgentAccess, ApiType, PolicyMode, type Api, type GatewayConfig } from '#portico/proto-ts';
import { createTestCa, type TestCertificate } from '#portico/testing';
import { gatewayConfig, type ApiSpec } from '../../test/support/gateway-config.js';
import { ConfigRejectedError, translate } from './translate.js';

const base: ApiSpec = { id: '7', port: 8081, basePath: '/demo', upstream: 'http://127.0.0.1:3001/' };

/** A test factory that warns about its configuration, or throws when told to. */
const picky: PolicyFactory = {
  type: 'picky',
  compile(config) {
    if (config.broken) throw new Error('rules[0] cannot be compiled');
    return { policy: { name: 'picky', onRequest: () => PASS }, warnings: config.warn ? ['rule "x" ignored'] : [] };
  },
};
const registry = new Map([...POLICY_REGISTRY, [picky.type, picky]]);

function withApi(edit: (api: Api) => void, spec: ApiSpec = base): GatewayConfig {
  const config = gatewayConfig([spec]);
  edit(config.apis[0]!);
  return config;
}

describe('translate', () => {
  let server: TestCertificate;
  let other: TestCertificate;
  let caPem: string;

  beforeAll(async () => {
    const ca = await createTestCa();
    caPem = ca.certificatePem;
    [server, other] = await Promise.all([
      ca.issue({ commonName: 'a', names: ['a.example'], usage: 'client' }),
      ca.issue({ commonName: 'b', names: ['b.example'], usage: 'client' }),
    ]);
  });

  it('compiles an MCP API: served as MCP (mcp-support), catch-all route, listener table', () => {
    const { compiled, warnings } = translate(gatewayConfig([base]));
    expect(warnings).toEqual([]);
    const api = compiled.apis[0]!;
    expect(api).toMatchObject({
      id: '7',
      kind: 'mcp',
      port: 8081,
      basePath: '/demo',
      responseTimeoutMs: undefined,
      hasResponsePolicies: false,
    });
    expect(api.mcpSupport).toBe(true);
    expect(api.policies.map((p) => [p.type, p.mode])).toEqual([['mcp-support', 'enforce']]);
    expect(api.routes).toHaveLength(1);
    expect(api.routes[0]!.targets.map((t) => [t.upstream.id, t.weight])).toEqual([['u1', 1]]);
    expect(api.upstreams.get('u1')).toMatchObject({
      origin: 'http://127.0.0.1:3001',
      pathPrefix: '',
      poolKey: 'http://127.0.0.1:3001',
      tls: undefined,
    });
    expect(compiled.ports.get(8081)).toEqual([api]);
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('keeps a disabled backend on its listener, serving nothing and compiling no policy', () => {
    const { compiled, failures } = translate(
      gatewayConfig([{ ...base, name: 'github', disabled: true, policies: ['mcp-support', { type: 'no-such-policy' }] }]),
      { registry },
    );
    expect(failures).toEqual([]);
    const api = compiled.apis[0]!;
    expect(api).toMatchObject({
      disabled: 'The MCP backend github is disabled by its administrators',
      unavailable: undefined,
      policies: [],
      routes: [],
      mcpSupport: false,
    });
    expect(compiled.ports.get(8081)).toEqual([api]);
  });

  it('lists the policies of each upstream once, unless some policy has pointcuts', () => {
    const upstream = [{ url: 'http://127.0.0.1:3001/' }, { url: 'http://127.0.0.1:3002/' }];
    const scoped = translate(
      gatewayConfig([{ ...base, upstream, policies: ['mcp-support', { id: '12', type: 'picky', upstreamIds: ['u2'] }] }]),
      { registry },
    ).compiled.apis[0]!;
    expect([...scoped.policiesByUpstream!].map(([id, list]) => [id, list.map((p) => p.type)])).toEqual([
      ['u1', ['mcp-support']],
      ['u2', ['mcp-support', 'picky']],
    ]);
    const withPointcut = translate(
      gatewayConfig([
        {
          ...base,
          policies: ['mcp-support', { id: '12', type: 'picky', pointcuts: [{ methodRegex: 'POST', uriTemplateRegex: '' }] }],
        },
      ]),
      { registry },
    ).compiled.apis[0]!;
    expect(withPointcut.policiesByUpstream).toBeUndefined();
  });

  it('orders each port by base path length, longest first', () => {
    const { compiled } = translate(
      gatewayConfig([
        { ...base, id: '1', basePath: '/' },
        { ...base, id: '2', basePath: '/a/b' },
        { ...base, id: '3', basePath: '/a' },
        { ...base, id: '4', port: 9000 },
      ]),
    );
    expect(compiled.ports.get(8081)!.map((a) => a.basePath)).toEqual(['/a/b', '/a', '/']);
    expect([...compiled.ports.keys()]).toEqual([8081, 9000]);
  });

  it('compiles routes, weights and the API response timeout', () => {
    const { compiled } = translate(
      gatewayConfig([
        {
          ...base,
          type: 'http',
          policies: [],
          responseTimeoutMs: 1500,
          upstream: [
            { id: 'a', url: 'https://a.example/x/' },
            { id: 'b', url: 'https://b.example' },
          ],
          routes: [
            {
              label: 'r',
              methods: ['GET'],
              pathRegex: '/items/\\d+',
              host: 'API.example',
              headers: { 'X-Tenant': 't-\\w+' },
              upstreams: [
                { upstreamId: 'a', weight: 3 },
                { upstreamId: 'b', weight: 0 },
              ],
            },
            {
              label: 'unweighted',
              upstreams: [
                { upstreamId: 'a', weight: 0 },
                { upstreamId: 'b', weight: 0 },
              ],
            },
          ],
        },
      ]),
    );
    const api = compiled.apis[0]!;
    expect(api).toMatchObject({ kind: 'http', responseTimeoutMs: 1500, mcpSupport: false });
    const [route, unweighted] = api.routes;
    expect(route!.targets.map((t) => [t.upstream.id, t.weight])).toEqual([['a', 3]]);
    expect(route!.path!.test('/items/12')).toBe(true);
    expect(route!.path!.test('/items/12/x')).toBe(false);
    expect(route!.host).toBe('api.example');
    expect(route!.headers.map(([name]) => name)).toEqual(['x-tenant']);
    expect(unweighted!.targets.map((t) => t.weight)).toEqual([1, 1]);
    expect(unweighted!.totalWeight).toBe(2);
    expect(api.upstreams.get('a')).toMatchObject({ pathPrefix: '/x', origin: 'https://a.example' });
  });

  it('keys pools by origin and TLS context', () => {
    const { compiled } = translate(
      gatewayConfig([
        { ...base, id: '1', upstream: 'https://h.example/a/' },
        { ...base, id: '2', basePath: '/b', upstream: 'https://h.example/b/' },
        { ...base, id: '3', basePath: '/c', upstream: [{ url: 'https://h.example/', tls: { caPem } }] },
      ]),
    );
    const [one, two, three] = compiled.apis.map((api) => api.upstreams.get('u1')!.poolKey);
    expect(one).toBe(two);
    expect(three).not.toBe(one);
    expect(three).toMatch(/^https:\/\/h\.example#[0-9a-f]{64}$/);
  });

  it('compiles outbound TLS: CA, client certificate, server name', () => {
    const { compiled, warnings } = translate(
      gatewayConfig([
        {
          ...base,
          upstream: [
            {
              url: 'https://10.0.0.1/',
              tls: {
                caPem,
                certificatePem: server.certificatePem,
                privateKeyPem: server.privateKeyPem,
                serverName: 'mcp.internal',
              },
            },
          ],
        },
      ]),
    );
    expect(warnings).toEqual([]);
    expect(compiled.apis[0]!.upstreams.get('u1')!.tls).toEqual({
      ca: caPem,
      cert: server.certificatePem,
      key: server.privateKeyPem,
      servername: 'mcp.internal',
      rejectUnauthorized: true,
    });
  });

  describe('rejects the whole push only when it cannot name the API', () => {
    it.each([
      ['an empty API id', () => gatewayConfig([{ ...base, id: '' }]), 'An API has an empty id'],
      [
        'a duplicate API id',
        () => gatewayConfig([base, { ...base, basePath: '/other' }]),
        'API 7: the id appears twice in the configuration',
      ],
    ])('%s', (_name, config, message) => {
      expect(() => translate(config(), { registry })).toThrow(new ConfigRejectedError(message));
    });
  });

  describe('fails the API alone, naming it and the field, and serves the others', () => {
    const cases: [string, () => GatewayConfig, string][] = [
      [
        'API_TYPE_UNSPECIFIED',
        () => withApi((a) => (a.type = ApiType.API_TYPE_UNSPECIFIED)),
        'API 7: type is API_TYPE_UNSPECIFIED; expected API_TYPE_HTTP or API_TYPE_MCP',
      ],
      ['an unknown API type value', () => withApi((a) => (a.type = 9 as ApiType)), 'API 7: unknown type value 9'],
      ['a missing listener', () => withApi((a) => (a.listener = undefined)), 'API 7: listener is missing'],
      ['port 0', () => gatewayConfig([{ ...base, port: 0 }]), 'API 7: listener.port must be between 1 and 65535, got 0'],
      [
        'port 70000',
        () => gatewayConfig([{ ...base, port: 70000 }]),
        'API 7: listener.port must be between 1 and 65535, got 70000',
      ],
      ...['demo', '/demo/', '/a//b', '/a?x'].map((path): [string, () => GatewayConfig, string] => [
        `base path ${path}`,
        () => gatewayConfig([{ ...base, basePath: path }]),
        `API 7: listener.base_path ${JSON.stringify(path)} must start with '/' and have no trailing '/', empty segment, query or fragment`,
      ]),
      [
        'a duplicate listener claim',
        () => gatewayConfig([base, { ...base, id: '8' }]),
        'API 8: listener port 8081 base path /demo is already claimed by API 7',
      ],
      [
        'listener TLS without a key',
        () => gatewayConfig([{ ...base, tls: { certificatePem: server.certificatePem, privateKeyPem: '' } }]),
        'API 7: listener.tls.certificate_pem and listener.tls.private_key_pem are required for an https listener',
      ],
      [
        'listener TLS without a certificate',
        () => gatewayConfig([{ ...base, tls: { certificatePem: '', privateKeyPem: server.privateKeyPem } }]),
        'API 7: listener.tls.certificate_pem and listener.tls.private_key_pem are required for an https listener',
      ],
      [
        'a listener certificate that is not PEM',
        () => gatewayConfig([{ ...base, tls: { certificatePem: 'garbage', privateKeyPem: server.privateKeyPem } }]),
        'API 7: listener.tls.certificate_pem is not a PEM certificate',
      ],
      [
        'a listener key that is not PEM',
        () => gatewayConfig([{ ...base, tls: { certificatePem: server.certificatePem, privateKeyPem: 'nope' } }]),
        'API 7: listener.tls.private_key_pem is not a PEM private key',
      ],
      [
        'a listener key of another certificate',
        () => gatewayConfig([{ ...base, tls: { certificatePem: server.certificatePem, privateKeyPem: other.privateKeyPem } }]),
        'API 7: listener.tls.private_key_pem does not belong to listener.tls.certificate_pem',
      ],
      [
        'a client CA that is not PEM',
        () => gatewayConfig([{ ...base, tls: { ...server, clientCaPem: 'garbage' } }]),
        'API 7: listener.tls.client_ca_pem is not a PEM certificate',
      ],
      ['no upstreams', () => withApi((a) => (a.upstreams = [])), 'API 7: upstreams is empty'],
      [
        'an invalid upstream URL',
        () => gatewayConfig([{ ...base, upstream: 'not a url' }]),
        'API 7: upstream u1: url "not a url" is not a valid URL',
      ],
      [
        'a non-http upstream URL',
        () => gatewayConfig([{ ...base, upstream: 'ftp://h/' }]),
        'API 7: upstream u1: url must be http or https, got ftp',
      ],
      [
        'credentials in the upstream URL',
        () => gatewayConfig([{ ...base, upstream: 'http://u:p@h/' }]),
        'API 7: upstream u1: url must not contain credentials',
      ],
      [
        'a query in the upstream URL',
        () => gatewayConfig([{ ...base, upstream: 'http://h/?a=1' }]),
        'API 7: upstream u1: url must not have a query or fragment',
      ],
      [
        'a duplicate upstream id',
        () =>
          gatewayConfig([
            {
              ...base,
              upstream: [
                { id: 'x', url: 'http://h/' },
                { id: 'x', url: 'http://i/' },
              ],
            },
          ]),
        'API 7: upstream x appears twice',
      ],
      [
        'a route to an unknown upstream',
        () => gatewayConfig([{ ...base, routes: [{ label: 'r', upstreams: [{ upstreamId: 'nope', weight: 1 }] }] }]),
        'API 7: route "r": unknown upstream "nope"',
      ],
      [
        'a route without upstreams',
        () => gatewayConfig([{ ...base, routes: [{ upstreams: [] }] }]),
        'API 7: route #1: upstreams is empty',
      ],
      [
        'an unknown policy type',
        () => gatewayConfig([{ ...base, policies: ['mcp-support', { id: '12', type: 'teleport' }] }]),
        'API 7: policy 12 (teleport): unknown policy type "teleport"',
      ],
      [
        'an unknown policy mode',
        () => gatewayConfig([{ ...base, policies: [{ id: '12', type: 'mcp-support', mode: 5 as PolicyMode }] }]),
        'API 7: policy 12 (mcp-support): unknown mode value 5',
      ],
      [
        'configuration_json that is not JSON',
        () => gatewayConfig([{ ...base, policies: [{ id: '12', type: 'mcp-support', configurationJson: '{oops' }] }]),
        'API 7: policy 12 (mcp-support): configuration_json is not valid JSON',
      ],
      [
        'a configuration the catalog schema rejects',
        () => gatewayConfig([{ ...base, policies: [{ id: '12', type: 'mcp-support', configuration: { verbose: true } }] }]),
        'API 7: policy 12 (mcp-support): configurationData: verbose is not a property of mcp-support, which takes no configuration',
      ],
      [
        'an MCP-only policy on an HTTP API',
        () => gatewayConfig([{ ...base, type: 'http', policies: [{ id: '12', type: 'mcp-support' }] }]),
        'API 7: policy 12 (mcp-support): the policy applies to MCP APIs only',
      ],
      [
        'mcp-support applied twice',
        () => gatewayConfig([{ ...base, policies: ['mcp-support', { id: '13', type: 'mcp-support' }] }]),
        'API 7: mcp-support is applied more than once',
      ],
      [
        'a configuration that is not an object (no catalog schema)',
        () => gatewayConfig([{ ...base, policies: [{ id: '12', type: 'picky', configurationJson: '[1]' }] }]),
        'API 7: policy 12 (picky): configuration_json must be a JSON object',
      ],
      [
        'a policy its factory cannot compile',
        () => gatewayConfig([{ ...base, policies: [{ id: '12', type: 'picky', configuration: { broken: true } }] }]),
        'API 7: policy 12 (picky): rules[0] cannot be compiled',
      ],
      [
        'upstream_ids naming an unknown upstream',
        () => gatewayConfig([{ ...base, policies: ['mcp-support', { id: '12', type: 'picky', upstreamIds: ['zz'] }] }]),
        'API 7: policy 12 (picky): upstream_ids names unknown upstream "zz"',
      ],
    ];
    it.each(cases)('%s', (_name, config, message) => {
      const push = config();
      const healthy = gatewayConfig([{ ...base, id: '99', basePath: '/healthy' }]).apis[0]!;
      push.apis.push(healthy);
      const { compiled, failures } = translate(push, { registry });
      const failedId = message.slice('API '.length, message.indexOf(':'));
      expect(failures).toEqual([{ apiId: failedId, reason: expect.stringContaining(message) }]);
      const served = compiled.apis.find((a) => a.id === '99');
      expect(served).toMatchObject({ unavailable: undefined, basePath: '/healthy' });
      // A failed API whose listener is valid stays routed, answering 503; otherwise it is absent.
      const stub = compiled.apis.find((a) => a.id === failedId);
      if (stub) expect(stub).toMatchObject({ unavailable: failures[0]!.reason, routes: [], policies: [] });
      expect(compiled.apis.length).toBe(push.apis.length - (stub ? 0 : 1));
    });

    it.each([
      ['a CA that is not PEM', () => ({ caPem: 'garbage' }), 'API 7: upstream u1: tls.ca_pem is not a PEM certificate'],
      [
        'a certificate without its key',
        () => ({ certificatePem: server.certificatePem }),
        'API 7: upstream u1: tls.certificate_pem and tls.private_key_pem must be set together',
      ],
      [
        'a key that is not PEM',
        () => ({ certificatePem: server.certificatePem, privateKeyPem: 'nope' }),
        'API 7: upstream u1: tls.private_key_pem is not a PEM private key',
      ],
      [
        'a key of another certificate',
        () => ({ certificatePem: server.certificatePem, privateKeyPem: other.privateKeyPem }),
        'API 7: upstream u1: tls.private_key_pem does not belong to tls.certificate_pem',
      ],
    ])('TLS: %s', (_name, tls, message) => {
      const { failures } = translate(gatewayConfig([{ ...base, upstream: [{ url: 'https://h/', tls: tls() }] }]));
      expect(failures).toEqual([{ apiId: '7', reason: message }]);
    });
  });

  describe('listener TLS', () => {
    it('compiles it into a frozen setting with a fingerprint, shared by the APIs of the port', () => {
      const { compiled, failures } = translate(
        gatewayConfig([
          { ...base, tls: server },
          { ...base, id: '8', basePath: '/other', tls: server },
          { ...base, id: '9', port: 8082, tls: { ...server, clientCaPem: caPem } },
          { ...base, id: '10', port: 8083 },
        ]),
      );
      expect(failures).toEqual([]);
      const [https, sameHttps, mutual, plain] = compiled.apis.map((api) => api.tls);
      expect(https).toEqual({
        cert: server.certificatePem,
        key: server.privateKeyPem,
        ca: undefined,
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(Object.isFrozen(https)).toBe(true);
      expect(sameHttps).toEqual(https);
      expect(mutual).toMatchObject({ ca: caPem });
      expect(mutual!.fingerprint).not.toBe(https!.fingerprint);
      expect(plain).toBeUndefined();
    });

    it.each([
      ['plain after https', () => ({ tls: server }), () => ({})],
      ['https after plain', () => ({}), () => ({ tls: server })],
      ['another certificate', () => ({ tls: server }), () => ({ tls: other })],
      ['mutual TLS after https', () => ({ tls: server }), () => ({ tls: { ...server, clientCaPem: caPem } })],
    ])('fails alone (not routed) a later API of the port with another setting: %s', (_name, first, second) => {
      const { compiled, failures } = translate(
        gatewayConfig([
          { ...base, ...first() },
          { ...base, id: '8', basePath: '/other', ...second() },
        ]),
      );
      expect(failures).toEqual([
        { apiId: '8', reason: 'API 8: listener port 8081 is served with a different TLS setting by API 7' },
      ]);
      expect(compiled.apis.map((api) => api.id)).toEqual(['7']);
    });

    it('keeps a failed API on a valid https listener routed with its TLS, and its claim on the port', () => {
      const { compiled, failures } = translate(
        gatewayConfig([
          { ...base, tls: server, policies: [{ id: '12', type: 'teleport' }] },
          { ...base, id: '8', basePath: '/other' },
        ]),
      );
      expect(failures.map((f) => f.reason)).toEqual([
        'API 7: policy 12 (teleport): unknown policy type "teleport"',
        'API 8: listener port 8081 is served with a different TLS setting by API 7',
      ]);
      expect(compiled.apis).toEqual([expect.objectContaining({ id: '7', unavailable: failures[0]!.reason })]);
      expect(compiled.apis[0]!.tls).toMatchObject({ cert: server.certificatePem });
    });
  });

  describe('warns and falls back to the safe behaviour for bad user values', () => {
    it('disables a route with an invalid regex or method (it matches nothing)', () => {
      const { compiled, warnings } = translate(
        gatewayConfig([
          {
            ...base,
            routes: [
              { label: 'path', pathRegex: '(', upstreams: [{ upstreamId: 'u1', weight: 1 }] },
              { label: 'header', headers: { 'x-a': '[' }, upstreams: [{ upstreamId: 'u1', weight: 1 }] },
              { label: 'method', methods: ['get'], upstreams: [{ upstreamId: 'u1', weight: 1 }] },
              { label: 'ok', upstreams: [{ upstreamId: 'u1', weight: 1 }] },
            ],
          },
        ]),
      );
      expect(compiled.apis[0]!.routes.map((r) => r.disabled)).toEqual([true, true, true, false]);
      expect(warnings).toEqual([
        expect.stringMatching(/^API 7: route "path": path_regex: invalid regular expression "\(" \(.+\); the route is disabled$/),
        expect.stringMatching(
          /^API 7: route "header": headers\["x-a"\]: invalid regular expression "\[" \(.+\); the route is disabled$/,
        ),
        'API 7: route "method": invalid HTTP method "get"; the route is disabled',
      ]);
    });

    it('makes a pointcut with an invalid regex match every request (the policy stays on)', () => {
      const { compiled, warnings } = translate(
        gatewayConfig([
          { ...base, policies: [{ id: '12', type: 'mcp-support', pointcuts: [{ methodRegex: '(', uriTemplateRegex: '/x' }] }] },
        ]),
      );
      expect(compiled.apis[0]!.policies[0]!.pointcuts).toEqual([{ method: undefined, path: undefined }]);
      expect(warnings).toEqual([
        expect.stringMatching(
          /^API 7: policy 12 \(mcp-support\): pointcuts\[0\]\.method_regex: invalid regular expression .*; this pointcut matches every request$/,
        ),
      ]);
    });

    it('warns about an MCP API without mcp-support, TLS on http, skip_verify, an unknown template version and factory warnings', () => {
      const { warnings } = translate(
        gatewayConfig([
          { ...base, id: '1', policies: [] },
          { ...base, id: '2', basePath: '/b', upstream: [{ url: 'http://h/', tls: { caPem } }] },
          { ...base, id: '3', basePath: '/c', upstream: [{ url: 'https://h/', tls: { skipVerify: true } }] },
          { ...base, id: '4', basePath: '/d', policies: [{ id: '12', type: 'mcp-support', version: '9.9.9' }] },
          {
            ...base,
            id: '5',
            basePath: '/e',
            policies: ['mcp-support', { id: '13', type: 'picky', configuration: { warn: true } }],
          },
        ]),
        { registry },
      );
      expect(warnings).toEqual([
        'API 1: MCP API without the mcp-support policy; every request is answered 503 until it is applied',
        'API 2: upstream u1: tls is ignored for an http url',
        'API 3: upstream u1: tls.skip_verify is set; the upstream certificate is not verified',
        'API 4: policy 12 (mcp-support): version "9.9.9" is unknown to this gateway; configuration checked with 1.0.1',
        'API 5: policy 13 (picky): rule "x" ignored',
      ]);
    });
  });

  it('maps shadow mode and keeps policy order', () => {
    const { compiled } = translate(
      gatewayConfig([
        {
          ...base,
          policies: [
            'mcp-support',
            { id: '20', type: 'picky', mode: PolicyMode.POLICY_MODE_SHADOW },
            { id: '21', type: 'picky' },
          ],
        },
      ]),
      { registry },
    );
    expect(compiled.apis[0]!.policies.map((p) => [p.id, p.mode])).toEqual([
      [expect.any(String), 'enforce'],
      ['20', 'shadow'],
      ['21', 'enforce'],
    ]);
  });

  it('compiles agent access of an MCP API, ending its chain with agent-access when a mapped agent’s tools are limited', () => {
    const agentAccess = AgentAccess.fromPartial({
      restricted: true,
      agents: [{ name: 'Build bot', clientIds: ['ci'], mapped: true, tools: ['echo'] }],
    });
    const limited = translate(withApi((api) => (api.agentAccess = agentAccess))).compiled.apis[0]!;
    expect(limited.agents).toMatchObject({ restricted: true, filtersTools: true });
    expect(limited.policies.map((p) => p.type)).toEqual(['mcp-support', 'agent-access']);
    expect(limited.hasResponsePolicies).toBe(true);
    expect(limited.policiesByUpstream?.get('u1')?.map((p) => p.type)).toEqual(['mcp-support', 'agent-access']);

    const everyTool = AgentAccess.fromPartial({
      ...agentAccess,
      agents: [{ name: 'Build bot', clientIds: ['ci'], mapped: true }],
    });
    const open = translate(withApi((api) => (api.agentAccess = everyTool))).compiled.apis[0]!;
    expect(open.agents).toMatchObject({ restricted: true, filtersTools: false });
    expect(open.policies.map((p) => p.type)).toEqual(['mcp-support']);
    expect(open.hasResponsePolicies).toBe(false);

    expect(translate(gatewayConfig([base])).compiled.apis[0]!.agents).toBeUndefined();
    const http = translate(withApi((api) => (api.agentAccess = agentAccess), { ...base, type: 'http' })).compiled.apis[0]!;
    expect(http.agents).toBeUndefined();
    const disabled = translate(withApi((api) => (api.agentAccess = agentAccess), { ...base, disabled: true })).compiled.apis[0]!;
    expect(disabled.agents).toBeUndefined();
  });
});
