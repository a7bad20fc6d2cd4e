/**
 * The planner's decisions, on environments given as data: what counts as a difference (defaults,
 * masked secrets), how policy chains are matched and put in order, what --prune changes, and
 * that every unknown name is reported before anything runs. The e2e pipeline test runs the
 * changes against a real control plane.
 */
import type { InstanceSpec, PolicySpec, PorticoFile } from '../desired-state/model.js';
import { restPaths } from '../environment-state/paths.js';
import type { CurrentInstance, CurrentPolicy, EnvironmentState } from '../environment-state/read-state.js';
import { CliError, EXIT } from '../exit-codes.js';
import { RestClient } from '../session/rest-client.js';
import { type Plan, planChanges, type PlanOptions } from './plan.js';

const ORG = 'org-1';
const GROUP = 'catalog-group';
const UPSTREAM = 'http://mcp.internal/';

const RATE_LIMITING = {
  type: 'object',
  properties: {
    rateLimits: { type: 'array', items: { type: 'object', properties: { maximumRequests: { type: 'integer' } } } },
    clusterizable: { type: 'boolean', default: true },
  },
};
const BASIC_AUTH = { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' } } };

function state(instances: CurrentInstance[]): EnvironmentState {
  return {
    organizationId: ORG,
    environment: { id: 'env-1', name: 'Sandbox' },
    paths: restPaths(ORG, 'env-1'),
    targets: [{ id: 't-1', name: 'edge', version: '1.0.0' }],
    tlsContexts: [{ name: { secretGroup: 'sg', tlsContext: 'upstream' }, secretGroupId: 'sg-1', tlsContextId: 'tls-1' }],
    applications: [{ id: 7, name: 'ci-agent', description: null, redirectUri: [] }],
    catalog: [
      { groupId: GROUP, assetId: 'mcp-support', version: '1.0.1', configuration: { type: 'object' } },
      { groupId: GROUP, assetId: 'rate-limiting', version: '1.4.1', configuration: RATE_LIMITING },
      { groupId: GROUP, assetId: 'http-basic-authentication', version: '1.3.2', configuration: BASIC_AUTH },
      { groupId: GROUP, assetId: 'cors', version: '1.3.2', configuration: { type: 'object' } },
    ],
    instances,
  };
}

let nextId = 100;
function policy(
  assetId: string,
  configuration: Record<string, unknown> = {},
  fields: Partial<CurrentPolicy> = {},
): CurrentPolicy {
  const version = { 'mcp-support': '1.0.1', 'rate-limiting': '1.4.1', 'http-basic-authentication': '1.3.2' }[assetId] ?? '1.3.2';
  return {
    id: nextId++,
    groupId: GROUP,
    assetId,
    assetVersion: version,
    mode: 'enforce',
    disabled: false,
    configuration,
    ...fields,
  };
}

function current(policies: CurrentPolicy[], fields: Partial<CurrentInstance> = {}): CurrentInstance {
  return {
    id: 1,
    label: 'demo',
    asset: { groupId: ORG, assetId: 'demo-mcp', version: '1.0.0' },
    upstream: { id: 'up-1', uri: UPSTREAM },
    proxyUri: 'http://0.0.0.0:8081/demo',
    endpointUri: null,
    description: null,
    tags: [],
    deployment: { id: 5, targetId: 't-1', targetName: 'edge', gatewayVersion: '1.0.0', expectedStatus: 'deployed' },
    policies,
    apiKeys: [],
    contracts: [],
    ...fields,
  };
}

function declared(assetId: string, configuration: Record<string, unknown> = {}, fields: Partial<PolicySpec> = {}): PolicySpec {
  return { policy: assetId, mode: 'enforce', disabled: false, configuration, secretPaths: [], ...fields };
}

function file(policies: PolicySpec[], fields: Partial<InstanceSpec> = {}, extra: InstanceSpec[] = []): PorticoFile {
  return {
    apiVersion: 'portico/v1',
    environment: 'Sandbox',
    assets: [],
    clientApplications: [],
    instances: [
      {
        label: 'demo',
        asset: { assetId: 'demo-mcp', version: '1.0.0' },
        upstream: { uri: UPSTREAM },
        proxyUri: 'http://0.0.0.0:8081/demo',
        deployment: { target: 'edge' },
        policies,
        apiKeys: [],
        contracts: [],
        ...fields,
      },
      ...extra,
    ],
  };
}

const NO_NETWORK = new RestClient('http://127.0.0.1:1');
const plan = (f: PorticoFile, s: EnvironmentState, options: Partial<PlanOptions> = {}): Promise<Plan> =>
  planChanges(f, s, NO_NETWORK, { prune: false, rotateSecrets: false, ...options });
const shown = (p: Plan) => p.changes.map((c) => [`${c.action} ${c.resource}`, ...c.details]);

describe('planChanges', () => {
  it('finds nothing to change when the declared configuration equals the stored one with its defaults filled in', async () => {
    const stored = policy('rate-limiting', { rateLimits: [{ maximumRequests: 10 }], clusterizable: true });
    const p = await plan(
      file([declared('mcp-support'), declared('rate-limiting', { rateLimits: [{ maximumRequests: 10 }] })]),
      state([current([policy('mcp-support'), stored])]),
    );
    expect(p).toEqual({ changes: [], kept: [] });
  });

  it('names each configuration field that differs, including a default the file overrides', async () => {
    const stored = policy('rate-limiting', { rateLimits: [{ maximumRequests: 10 }], clusterizable: true });
    const p = await plan(
      file([declared('rate-limiting', { rateLimits: [{ maximumRequests: 20 }], clusterizable: false }, { mode: 'shadow' })]),
      state([current([stored])]),
    );
    expect(shown(p)).toEqual([
      [
        'update instance demo policy 1 (rate-limiting)',
        'mode: "enforce" → "shadow"',
        'configuration.rateLimits[0].maximumRequests: 10 → 20',
        'configuration.clusterizable: true → false',
      ],
    ]);
  });

  it('counts a masked secret as equal, never shows a secret, and sends them again with rotateSecrets', async () => {
    const stored = policy('http-basic-authentication', { username: 'bob', password: '********' });
    const wanted = declared(
      'http-basic-authentication',
      { username: 'bob', password: 'hunter2' },
      { secretPaths: ['/password'] },
    );
    expect((await plan(file([wanted]), state([current([stored])]))).changes).toEqual([]);
    const rotated = await plan(file([wanted]), state([current([stored])]), { rotateSecrets: true });
    expect(shown(rotated)).toEqual([
      ['update instance demo policy 1 (http-basic-authentication)', 'configuration.password: (secret) → (secret)'],
    ]);
    expect(JSON.stringify(shown(rotated))).not.toContain('hunter2');
  });

  it('never shows a secret written in the file itself, nor a changed value that holds one', async () => {
    const stored = policy('http-basic-authentication', { username: 'bob', password: '********' });
    const inline = declared('http-basic-authentication', { username: 'bob', password: 'written-in-the-file' });
    expect((await plan(file([inline]), state([current([stored])]))).changes).toEqual([]);
    const nested = policy('rate-limiting', { rateLimits: [{ maximumRequests: 1, key: '********' }], clusterizable: true });
    const grown = declared(
      'rate-limiting',
      {
        rateLimits: [
          { maximumRequests: 1, key: 'k1' },
          { maximumRequests: 2, key: 'k2' },
        ],
      },
      { secretPaths: ['/rateLimits/0/key', '/rateLimits/1/key'] },
    );
    const shownText = JSON.stringify(shown(await plan(file([grown]), state([current([nested])]))));
    expect(shownText).toContain('configuration.rateLimits: (holds secrets) → (changed)');
    expect(shownText).not.toMatch(/k1|k2/);
  });

  it('reorders a chain whose policies are all there, in one change and nothing else', async () => {
    const [a, b, c] = [policy('mcp-support'), policy('cors'), policy('rate-limiting', { clusterizable: true })];
    const p = await plan(
      file([declared('mcp-support'), declared('rate-limiting'), declared('cors')]),
      state([current([a!, b!, c!])]),
    );
    expect(shown(p)).toEqual([['update instance demo policy order', 'order: mcp-support, rate-limiting, cors']]);
  });

  it('matches repeated templates in order and creates only the extra one, at the end without a reorder', async () => {
    const stored = policy('rate-limiting', { rateLimits: [{ maximumRequests: 1 }], clusterizable: true });
    const p = await plan(
      file([
        declared('rate-limiting', { rateLimits: [{ maximumRequests: 1 }] }),
        declared('rate-limiting', { rateLimits: [{ maximumRequests: 2 }] }),
      ]),
      state([current([stored])]),
    );
    expect(shown(p)).toEqual([['create instance demo policy 2 (rate-limiting)', 'version: 1.4.1']]);
  });

  it('creates a policy declared in the middle of the chain, then puts the chain in order', async () => {
    const p = await plan(
      file([declared('mcp-support'), declared('cors'), declared('rate-limiting')]),
      state([current([policy('mcp-support'), policy('rate-limiting', { clusterizable: true })])]),
    );
    expect(shown(p)).toEqual([
      ['create instance demo policy 2 (cors)', 'version: 1.3.2'],
      ['update instance demo policy order', 'order: mcp-support, cors, rate-limiting'],
    ]);
  });

  it('keeps what the file does not name after the declared chain, and deletes it with prune', async () => {
    const stray = policy('cors');
    const kept = await plan(file([declared('mcp-support')]), state([current([stray, policy('mcp-support')])]));
    expect(shown(kept)).toEqual([['update instance demo policy order', 'order: mcp-support, then the kept ones']]);
    expect(kept.kept).toEqual([`instance demo policy cors (id ${stray.id})`]);

    const other = current([], { id: 2, label: 'old' });
    const pruned = await plan(file([declared('mcp-support')]), state([current([stray, policy('mcp-support')]), other]), {
      prune: true,
    });
    expect(shown(pruned)).toEqual([['delete instance old'], [`delete instance demo policy cors (id ${stray.id})`]]);
    expect(pruned.kept).toEqual([]);
  });

  it('undeploys an instance declared without deployment and moves one declared on another target', async () => {
    const undeployed = await plan(file([], { deployment: undefined }), state([current([])]));
    expect(shown(undeployed)).toEqual([['delete instance demo deployment', 'target: edge']]);
    const s = state([current([])]);
    s.targets.push({ id: 't-2', name: 'edge-2', version: '1.0.0' });
    expect(shown(await plan(file([], { deployment: { target: 'edge-2' } }), s))).toEqual([
      ['update instance demo deployment', 'target: "edge" → "edge-2"'],
    ]);
  });

  it('updates instance fields and the upstream, TLS contexts by name', async () => {
    const p = await plan(
      file([], {
        upstream: { uri: 'http://mcp-2.internal/', tlsContext: { secretGroup: 'sg', tlsContext: 'upstream' } },
        description: 'the demo',
      }),
      state([current([])]),
    );
    expect(shown(p)).toEqual([
      ['update instance demo', 'description: (none) → "the demo"'],
      [
        'update instance demo',
        'upstream.uri: "http://mcp.internal/" → "http://mcp-2.internal/"',
        'upstream.tlsContext: (none) → "sg/upstream"',
      ],
    ]);
  });

  it('reports every unknown name at once, before any change runs', async () => {
    const bad = file([declared('no-such-policy')], {
      deployment: { target: 'nowhere' },
      inboundTlsContext: { secretGroup: 'sg', tlsContext: 'missing' },
      contracts: [{ application: 'nobody' }],
      asset: { assetId: 'other-mcp', version: '1.0.0' },
    });
    const failure = plan(bad, state([current([])]));
    await expect(failure).rejects.toThrow(CliError);
    await expect(failure).rejects.toMatchObject({
      exitCode: EXIT.failed,
      message: [
        'instance demo: inboundTlsContext: TLS context sg/missing not found in Sandbox',
        'instance demo: deployment.target: gateway target "nowhere" not found in Sandbox (it has: edge)',
        'instance demo: policies[0]: policy template "no-such-policy" is not in the catalog',
        'instance demo: its asset is demo-mcp; an instance cannot change asset (give it another label to replace it)',
        'instance demo: contracts: client application "nobody" not found (declare it under clientApplications)',
      ].join('\n'),
    });
  });

  it('creates a new instance with its policies before its deployment, then its keys and contracts', async () => {
    const p = await plan(
      file([declared('mcp-support')], { label: 'fresh', apiKeys: [{ name: 'ci' }], contracts: [{ application: 'ci-agent' }] }),
      state([]),
    );
    expect(p.changes.map((c) => `${c.action} ${c.resource}`)).toEqual([
      'create instance fresh',
      'create instance fresh policy 1 (mcp-support)',
      'create instance fresh deployment',
      'create instance fresh API key ci',
      'create instance fresh contract with ci-agent',
    ]);
  });
});
