import { type DecodedMessage, type GatewayError, IDENTITY_ATTRIBUTE, testExchange } from '#portico/policy-engine';
import { AgentAccess } from '#portico/proto-ts';
import {
  AGENT_ATTRIBUTE,
  AGENT_TOOLS_POLICY,
  admitAgent,
  type CompiledAgent,
  type CompiledAgentAccess,
  clientInfoName,
  compileAgentAccess,
} from './agent-access.js';

const ACCESS = AgentAccess.fromPartial({
  restricted: true,
  agents: [
    {
      name: 'Build bot',
      clientIds: ['ci-client'],
      clientMetadataUrls: ['https://bot.example/cimd.json'],
      mapped: true,
      tools: ['echo'],
    },
    { name: 'Claude Code', clientInfoNames: ['claude-code'], clientMetadataUrls: ['https://claude.ai/cc'], mapped: true },
    { name: 'Cursor', clientInfoNames: ['cursor-vscode', 'Cursor'], mapped: false },
  ],
});

const compiled = (access = ACCESS, warnings: string[] = []) => compileAgentAccess('API 7', 'github', access, warnings);

/** A decoded single message, as the pipeline hands it over. */
function decoded(method: string, params?: Record<string, unknown>): DecodedMessage[] {
  const message = { jsonrpc: '2.0' as const, id: 1, method, ...(params && { params }) };
  return [{ message, call: { kind: 'request', method, id: 1, target: undefined, arguments: undefined } }];
}
const initialize = (name: string) =>
  decoded('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name, version: '1' } });

/** An exchange with `clientId` established (or none), and what admitAgent left in it. */
function exchange(clientId?: string) {
  const attributes = new Map<string, unknown>();
  if (clientId !== undefined) attributes.set(IDENTITY_ATTRIBUTE, { principal: 'p', clientId });
  return { attributes, access: { agent: '' } };
}

function admit(access: CompiledAgentAccess, clientId: string | undefined, messages: DecodedMessage[] | undefined) {
  const ex = exchange(clientId);
  const refusal: GatewayError | undefined = admitAgent(access, ex, messages);
  return { refusal: refusal && [refusal.kind, (refusal as { message: string }).message], agent: ex.access.agent };
}

const NOT_ALLOWED = (agent: string) => ['agent-not-allowed', `Agent ${agent} is not allowed to use MCP server github`];
const UNRECOGNISED = [
  'agent-not-allowed',
  'MCP server github serves only the agents mapped to it, and this client is an unrecognised agent',
];

describe('agent access', () => {
  it('compiles client ids, metadata URLs and lower-case clientInfo names into lookup maps', () => {
    const access = compiled();
    expect([...access.byClientId.keys()]).toEqual(['ci-client', 'https://bot.example/cimd.json', 'https://claude.ai/cc']);
    expect([...access.byClientInfoName.keys()]).toEqual(['claude-code', 'cursor-vscode', 'cursor']);
    expect(access.byClientId.get('ci-client')).toMatchObject({ name: 'Build bot', mapped: true });
    expect([...access.byClientId.get('ci-client')!.tools!]).toEqual(['echo']);
    expect(access.byClientInfoName.get('claude-code')!.tools).toBeUndefined();
    expect(access.filtersTools).toBe(true);
    expect(Object.isFrozen(access)).toBe(true);
  });

  it('keeps a client id two agents claim for the first one, with a warning', () => {
    const warnings: string[] = [];
    const access = compiled(
      AgentAccess.fromPartial({
        agents: [
          { name: 'A', clientIds: ['x'] },
          { name: 'B', clientIds: ['x'], clientInfoNames: ['b'] },
        ],
      }),
      warnings,
    );
    expect(access.byClientId.get('x')!.name).toBe('A');
    expect(warnings).toEqual(['API 7: agent_access: client id "x" of agent B is agent A\'s']);
    expect(access.filtersTools).toBe(false);
  });

  it.each([
    ['a mapped agent by its client id', 'ci-client', undefined, undefined, 'Build bot'],
    ['a mapped agent by its CIMD client id (a URL)', 'https://claude.ai/cc', undefined, undefined, 'Claude Code'],
    ['a mapped agent by clientInfo at initialize (any case)', undefined, initialize('Claude-Code'), undefined, 'Claude Code'],
    ['an unmapped agent by clientInfo', undefined, initialize('cursor-vscode'), NOT_ALLOWED('Cursor'), 'Cursor'],
    ['an initialize of an unknown client', undefined, initialize('my-script'), UNRECOGNISED, ''],
    ['an initialize without clientInfo', undefined, decoded('initialize', {}), UNRECOGNISED, ''],
    ['an established client id no agent has', 'someone', undefined, UNRECOGNISED, ''],
    // The client id decides: clientInfo does not override an identity.
    ['an unknown client id claiming a mapped clientInfo', 'someone', initialize('claude-code'), UNRECOGNISED, ''],
    [
      'a 2026-07-28 request stating clientInfo in _meta',
      undefined,
      decoded('tools/list', { _meta: { 'io.modelcontextprotocol/clientInfo': { name: 'cursor' } } }),
      NOT_ALLOWED('Cursor'),
      'Cursor',
    ],
    // A later request of a 2025 session names nobody: it was admitted at its initialize.
    ['a later request of a session', undefined, decoded('tools/call', { name: 'echo' }), undefined, ''],
    ['a GET stream or DELETE', undefined, undefined, undefined, ''],
  ])('on a restricted backend: %s', (_what, clientId, messages, refusal, agent) => {
    expect(admit(compiled(), clientId, messages)).toEqual({ refusal, agent });
  });

  it('names agents without refusing anyone on an unrestricted backend', () => {
    const open = compiled(AgentAccess.fromPartial({ ...ACCESS, restricted: false }));
    expect(admit(open, undefined, initialize('cursor-vscode'))).toEqual({ refusal: undefined, agent: 'Cursor' });
    expect(admit(open, 'someone', undefined)).toEqual({ refusal: undefined, agent: '' });
  });

  it('leaves the recognised agent in the exchange attributes', () => {
    const ex = exchange('ci-client');
    admitAgent(compiled(), ex, undefined);
    expect((ex.attributes.get(AGENT_ATTRIBUTE) as CompiledAgent).name).toBe('Build bot');
  });

  it.each([
    ['initialize', { clientInfo: { name: 'goose' } }, 'goose'],
    ['tools/call', { clientInfo: { name: 'goose' } }, undefined],
    ['tools/call', { _meta: { 'io.modelcontextprotocol/clientInfo': { name: 'goose' } } }, 'goose'],
    ['initialize', { clientInfo: { name: 7 } }, undefined],
    ['initialize', { clientInfo: { name: '' } }, undefined],
    ['initialize', undefined, undefined],
  ])('reads the clientInfo name %s %j states', (method, params, name) => {
    expect(clientInfoName({ method, params })).toBe(name);
  });

  describe('the agent-access policy', () => {
    const context = (agent: CompiledAgent | undefined, method: string, tool?: string) => {
      const ex = testExchange();
      if (agent) ex.attributes.set(AGENT_ATTRIBUTE, agent);
      return {
        exchange: ex,
        call: {
          kind: 'request' as const,
          method,
          id: 1,
          target: tool === undefined ? undefined : { type: 'tool' as const, name: tool },
          arguments: undefined,
        },
      };
    };
    const bot = () => compiled().byClientId.get('ci-client')!;
    const request = (name: string) => ({ jsonrpc: '2.0' as const, id: 1, method: 'tools/call', params: { name } });

    it('hides the tools outside a mapped agent’s list: calls are unknown tools, lists lose them', () => {
      const policy = AGENT_TOOLS_POLICY.policy;
      expect(policy.onRequest!(context(bot(), 'tools/call', 'echo'), request('echo'))).toEqual({ kind: 'pass' });
      expect(policy.onRequest!(context(bot(), 'tools/call', 'fail'), request('fail'))).toEqual({
        kind: 'reject',
        error: { kind: 'policy-denied', policy: 'agent-access', hide: true, code: -32602, message: 'Unknown tool: fail' },
      });
      const list = { jsonrpc: '2.0' as const, id: 1, result: { tools: [{ name: 'echo' }, { name: 'fail' }] } };
      expect(policy.onResponse!(context(bot(), 'tools/list'), list)).toEqual({
        kind: 'mutate',
        message: { ...list, result: { tools: [{ name: 'echo' }] } },
      });
    });

    it('lets other agents and unrecognised clients see every tool', () => {
      const policy = AGENT_TOOLS_POLICY.policy;
      const claude = compiled().byClientInfoName.get('claude-code')!;
      expect(policy.onRequest!(context(claude, 'tools/call', 'fail'), request('fail'))).toEqual({ kind: 'pass' });
      expect(policy.onRequest!(context(undefined, 'tools/call', 'fail'), request('fail'))).toEqual({ kind: 'pass' });
      const list = { jsonrpc: '2.0' as const, id: 1, result: { tools: [{ name: 'fail' }] } };
      expect(policy.onResponse!(context(undefined, 'tools/list'), list)).toEqual({ kind: 'pass' });
    });

    it('is scoped to tools/call requests and tools/list responses', () => {
      expect(AGENT_TOOLS_POLICY.scope.phases('tools/call')).toEqual({ request: true, response: false });
      expect(AGENT_TOOLS_POLICY.scope.phases('tools/list')).toEqual({ request: false, response: true });
      expect(AGENT_TOOLS_POLICY.scope.phases('prompts/get')).toEqual({ request: false, response: false });
    });
  });
});
