import { authenticationOf, dlpView, type InventoryPolicy, scopesView, toolVisibility } from './inventory-policies.js';

let sequence = 0;
const policy = (assetId: string, configurationData: Record<string, unknown> = {}, extra: Partial<InventoryPolicy> = {}) => ({
  id: ++sequence,
  assetId,
  assetVersion: '1.0.0',
  configurationData,
  mode: 'enforce',
  pointcutData: null,
  upstreamIds: [],
  ...extra,
});
const pii = (config: Record<string, unknown>, mode = 'enforce') =>
  policy('mcp-pii-detector', { entities: ['Email'], ...config }, { mode });

describe('the DLP action in force', () => {
  it.each([
    ['no detector', [], 'none', null, null],
    ['a detector with defaults', [pii({})], 'block', 'block', 'block'],
    ['redact on responses only', [pii({ action: 'Redact', scanRequests: false })], 'redact', null, 'redact'],
    ['log', [pii({ action: 'Log' })], 'log', 'log', 'log'],
    ['the stronger of two', [pii({ action: 'Log' }), pii({ action: 'Redact', scanResponses: false })], 'redact', 'redact', 'log'],
    ['a shadow detector alone', [pii({ action: 'Block' }, 'shadow')], 'shadow', 'shadow:block', 'shadow:block'],
    ['an enforced one over a shadow one', [pii({ action: 'Block' }, 'shadow'), pii({ action: 'Log' })], 'log', 'log', 'log'],
  ])('%s: %s', (_what, policies, action, requests, responses) => {
    const view = dlpView(policies);
    const shown = (d: typeof view.requests) => (d ? (d.mode === 'shadow' ? `shadow:${d.action}` : d.action) : null);
    expect([view.action, shown(view.requests), shown(view.responses)]).toEqual([action, requests, responses]);
    expect(view.policyIds).toEqual(policies.map((p) => p.id));
  });
});

describe('scopes and authentication', () => {
  it('gathers the required scopes, criteria and protected-resource metadata of the bearer policies', () => {
    const policies = [
      policy('mcp-support'),
      policy('jwt-validation', {
        scopes: 'tools:read  tools:call',
        scopeValidationCriteria: 'OR',
        scopesSupported: ['tools:read'],
      }),
      policy('oauth2-token-introspection', { scopes: 'tools:read admin', authorizationServers: ['https://as.example.com'] }),
      policy('api-key-authentication'),
    ];
    expect(scopesView(policies)).toEqual({
      required: ['tools:read', 'tools:call', 'admin'],
      criteria: 'OR',
      supported: ['tools:read'],
      authorizationServers: ['https://as.example.com'],
    });
    expect(authenticationOf(policies)).toEqual(['jwt-validation', 'oauth2-token-introspection', 'api-key-authentication']);
    expect(scopesView([policy('mcp-support')])).toEqual({
      required: [],
      criteria: null,
      supported: [],
      authorizationServers: [],
    });
  });
});

describe('tool visibility', () => {
  const tools = ['echo', 'fail', 'slow', 'admin_reset'].map((name) => ({ upstreamName: '', name, description: `${name} it` }));
  const judge = (policies: InventoryPolicy[], extra: { pending?: string[]; pinned?: string[] } = {}) =>
    toolVisibility(tools, {
      policies,
      pendingChanges: new Set(extra.pending ?? []),
      pinned: new Set(extra.pinned ?? []),
    });
  const shown = async (policies: InventoryPolicy[], extra?: { pending?: string[]; pinned?: string[] }) =>
    (await judge(policies, extra)).tools.map(
      (t, i) => `${tools[i]!.name}:${t.enabled ? t.exposedName : `hidden by ${t.hiddenBy?.policyType}`}`,
    );

  it('follows mapping renames and disabled mappings, and global Block rules', async () => {
    const mapping = policy('mcp-tool-mapping', {
      toolMappings: [
        { sourceToolName: 'echo', mappedToolName: 'repeat' },
        { sourceToolName: 'admin_(.*)', mappingType: 'regex', enabled: false },
      ],
    });
    const global = policy('mcp-global-access-policy', { rules: [{ rule: 'Block', value: 'fail' }] });
    expect(await shown([policy('mcp-support'), global, mapping])).toEqual([
      'echo:repeat',
      'fail:hidden by mcp-global-access-policy',
      'slow:slow',
      'admin_reset:hidden by mcp-tool-mapping',
    ]);
  });

  it('judges a policy applied before a mapping by the names the mapping shows', async () => {
    const global = policy('mcp-global-access-policy', { rules: [{ rule: 'Block', value: 'repeat' }] });
    const mapping = policy('mcp-tool-mapping', { toolMappings: [{ sourceToolName: 'echo', mappedToolName: 'repeat' }] });
    expect((await shown([global, mapping]))[0]).toBe('echo:hidden by mcp-global-access-policy');
  });

  it('runs mcp-acl without conditions; one with conditions or Cedar rules depends on the caller', async () => {
    const acl = policy('mcp-acl', {
      rules: [{ feature: 'tools', methods: ['tools/list', 'tools/call'], namePatternType: 'REGEX', namePattern: '(echo|slow)' }],
    });
    expect(await shown([acl])).toEqual(['echo:echo', 'fail:hidden by mcp-acl', 'slow:slow', 'admin_reset:hidden by mcp-acl']);
    const conditional = policy('mcp-acl', {
      rules: [{ feature: 'tools', methods: ['tools/list'], condition: "#[attributes.headers['x-team'] == 'blue']" }],
    });
    const cedar = policy('mcp-access-control', { rules: ['permit(principal, action, resource);'] });
    const judged = await judge([conditional, cedar]);
    expect(judged.tools.every((t) => t.enabled)).toBe(true);
    expect(judged.callerDependent).toEqual([conditional.id, cedar.id]);
  });

  it('hides nothing for shadow-mode policies or policies with pointcuts', async () => {
    const blockAll = { rules: [{ rule: 'Block', matchType: 'pattern', value: '.*' }] };
    const shadow = policy('mcp-global-access-policy', blockAll, { mode: 'shadow' });
    const pointcut = policy('mcp-global-access-policy', blockAll, { pointcutData: [{ methodRegex: 'POST' }] });
    expect((await judge([shadow, pointcut])).tools.every((t) => t.enabled)).toBe(true);
  });

  it('hides tools with a pending pinning change (hide mode), and unapproved ones with approveNewTools', async () => {
    expect(await shown([policy('mcp-tool-pinning')], { pending: ['slow'] })).toContain('slow:hidden by mcp-tool-pinning');
    expect(await shown([policy('mcp-tool-pinning', { onChange: 'report' })], { pending: ['slow'] })).toContain('slow:slow');
    expect(await shown([policy('mcp-tool-pinning', { approveNewTools: true })], { pinned: ['echo'] })).toEqual([
      'echo:echo',
      'fail:hidden by mcp-tool-pinning',
      'slow:hidden by mcp-tool-pinning',
      'admin_reset:hidden by mcp-tool-pinning',
    ]);
  });

  it("hides a federation member's tools its route does not name", async () => {
    const router = policy('mcp-transcoding-router', { routes: [{ upstreamName: 'alpha', tools: ['echo'] }] });
    const members = [
      { upstreamName: 'alpha', name: 'echo', description: null },
      { upstreamName: 'alpha', name: 'fail', description: null },
      { upstreamName: 'beta', name: 'fail', description: null },
    ];
    const judged = await toolVisibility(members, { policies: [router], pendingChanges: new Set(), pinned: new Set() });
    expect(judged.tools.map((t) => t.enabled)).toEqual([true, false, true]);
  });
});
