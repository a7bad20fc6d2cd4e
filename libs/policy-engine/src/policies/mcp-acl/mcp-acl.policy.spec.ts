import type { JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { IncomingHttpHeaders } from 'node:http';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { IDENTITY_ATTRIBUTE, type ExchangeContext, type McpCall } from '../../policy-contract/context.js';
import { mcpAclFactory } from './mcp-acl.policy.js';

type Rules = Parameters<typeof mcpAclFactory.compile>[0]['rules'];

const acl = (rules: Rules) => mcpAclFactory.compile({ rules }, testCompileContext()).policy;

const call = (method: string, name?: string, args?: Record<string, unknown>): McpCall => ({
  kind: 'request',
  method,
  id: 1,
  target: name === undefined ? undefined : { type: method.startsWith('resources') ? 'resource' : 'tool', name },
  arguments: args,
});

function request(rules: Rules, c: McpCall, exchange: ExchangeContext = testExchange()) {
  return acl(rules).onRequest!({ exchange, call: c }, { jsonrpc: '2.0', id: 1, method: c.method });
}

function listed(rules: Rules, method: string, result: Record<string, unknown>, exchange: ExchangeContext = testExchange()) {
  const response: JsonRpcResponse = { jsonrpc: '2.0', id: 1, result };
  const verdict = acl(rules).onResponse!({ exchange, call: call(method) }, response);
  if (verdict instanceof Promise) throw new Error('mcp-acl answers synchronously');
  return verdict.kind === 'mutate' ? (verdict.message as { result: Record<string, unknown> }).result : verdict.kind;
}

const TOOLS = { tools: [{ name: 'echo' }, { name: 'get-sum' }, { name: 'admin-reset' }], nextCursor: 'page2' };

describe('mcp-acl policy', () => {
  it('passes what it does not govern: initialize, ping, notifications', () => {
    expect(acl([]).methods).not.toHaveProperty('initialize');
    expect(acl([]).methods).not.toHaveProperty('ping');
    expect(Object.keys(acl([]).methods!).sort()).toEqual(
      [
        'completion/complete',
        'prompts/get',
        'prompts/list',
        'resources/list',
        'resources/read',
        'resources/subscribe',
        'resources/templates/list',
        'resources/unsubscribe',
        'tools/call',
        'tools/list',
      ].sort(),
    );
  });

  it('filters a list page by the list method and keeps the rest of the result (the cursor)', () => {
    const rules: Rules = [{ feature: 'tools', methods: ['tools/list'], namePatternType: 'REGEX', namePattern: '(echo|get-.*)' }];
    expect(listed(rules, 'tools/list', TOOLS)).toEqual({ tools: [{ name: 'echo' }, { name: 'get-sum' }], nextCursor: 'page2' });
    expect(listed([], 'tools/list', TOOLS)).toEqual({ tools: [], nextCursor: 'page2' });
    expect(listed([{ feature: 'tools', methods: ['tools/list'] }], 'tools/list', TOOLS)).toBe('pass');
    // A rule for calls does not make a tool visible.
    expect(listed([{ feature: 'tools', methods: ['tools/call'] }], 'tools/list', TOOLS)).toEqual({
      tools: [],
      nextCursor: 'page2',
    });
  });

  it('names resources by URI and templates by URI template', () => {
    const rules: Rules = [
      {
        feature: 'resources',
        methods: ['resources/list', 'resources/templates/list'],
        namePatternType: 'REGEX',
        namePattern: 'docs://.*',
      },
    ];
    expect(
      listed(rules, 'resources/list', {
        resources: [
          { uri: 'docs://a', name: 'a' },
          { uri: 'secret://b', name: 'docs://b' },
        ],
      }),
    ).toEqual({
      resources: [{ uri: 'docs://a', name: 'a' }],
    });
    expect(
      listed(rules, 'resources/templates/list', {
        resourceTemplates: [{ uriTemplate: 'docs://{id}' }, { uriTemplate: 'x://{id}' }],
      }),
    ).toEqual({
      resourceTemplates: [{ uriTemplate: 'docs://{id}' }],
    });
  });

  it('leaves error answers and answers that are not lists alone', () => {
    const error: JsonRpcResponse = { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'x' } };
    expect(acl([]).onResponse!({ exchange: testExchange(), call: call('tools/list') }, error)).toEqual({ kind: 'pass' });
    expect(listed([], 'tools/list', { other: 1 })).toBe('pass');
  });

  it('answers a hidden item as missing and a listed, uncallable one as denied', () => {
    expect(request([], call('tools/call', 'echo'))).toEqual({
      kind: 'reject',
      error: { kind: 'policy-denied', policy: 'mcp-acl', hide: true, code: -32602, message: 'Unknown tool: echo' },
    });
    expect(request([], call('resources/read', 'docs://a'))).toEqual({
      kind: 'reject',
      error: {
        kind: 'policy-denied',
        policy: 'mcp-acl',
        hide: true,
        code: -32002,
        message: 'Resource not found',
        data: { uri: 'docs://a' },
      },
    });
    expect(request([{ feature: 'tools', methods: ['tools/list'] }], call('tools/call', 'echo'))).toEqual({
      kind: 'reject',
      error: { kind: 'policy-denied', policy: 'mcp-acl', code: -32602, message: 'Access denied to: echo' },
    });
    expect(
      request(
        [{ feature: 'tools', methods: ['tools/call'], namePatternType: 'LITERAL', namePattern: 'echo' }],
        call('tools/call', 'echo'),
      ),
    ).toEqual({
      kind: 'pass',
    });
    // A rule of another feature does not count.
    expect(request([{ feature: 'prompts', methods: ['prompts/get'] }], call('tools/call', 'echo'))).toMatchObject({
      kind: 'reject',
    });
  });

  it('completes arguments only of a prompt or resource template its list shows', () => {
    const complete = (rules: Rules, ref: Record<string, string>) =>
      acl(rules).onRequest!(
        { exchange: testExchange(), call: call('completion/complete') },
        { jsonrpc: '2.0', id: 1, method: 'completion/complete', params: { ref, argument: { name: 'a', value: '' } } },
      );
    const prompts: Rules = [{ feature: 'prompts', methods: ['prompts/list'], namePatternType: 'LITERAL', namePattern: 'shown' }];
    expect(complete(prompts, { type: 'ref/prompt', name: 'shown' })).toEqual({ kind: 'pass' });
    expect(complete(prompts, { type: 'ref/prompt', name: 'hidden' })).toMatchObject({
      kind: 'reject',
      error: { message: 'Unknown prompt: hidden', hide: true },
    });
    expect(complete(prompts, { type: 'ref/resource', uri: 'docs://{id}' })).toMatchObject({
      kind: 'reject',
      error: { code: -32002, data: { uri: 'docs://{id}' } },
    });
  });

  it('evaluates conditions over the remote address, query, claims and arguments', () => {
    const exchange = (headers: IncomingHttpHeaders, claims?: Record<string, unknown>): ExchangeContext => {
      const ctx = { ...testExchange(headers), query: 'tenant=acme&tenant=other' };
      if (claims) ctx.attributes.set(IDENTITY_ATTRIBUTE, { principal: 'alice', claims });
      return ctx;
    };
    const only = (condition: string): Rules => [{ feature: 'tools', methods: ['tools/call'], condition }];
    const echo = call('tools/call', 'echo', { message: 'hi', count: 3 });
    expect(request(only("#[attributes.remoteAddress == '127.0.0.1']"), echo)).toEqual({ kind: 'pass' });
    expect(request(only("#[attributes.queryParams['tenant'] == 'acme']"), echo, exchange({}))).toEqual({ kind: 'pass' });
    expect(request(only("#[vars.claimSet.role == 'admin']"), echo, exchange({}, { role: 'admin' }))).toEqual({ kind: 'pass' });
    expect(request(only("#[vars.claimSet.role == 'admin']"), echo, exchange({}, { role: 'user' }))).toMatchObject({
      kind: 'reject',
    });
    expect(request(only("#[vars.claimSet.role == 'admin']"), echo, exchange({}))).toMatchObject({ kind: 'reject' });
    expect(request(only("#[authentication.principal == 'alice']"), echo, exchange({}, {}))).toEqual({ kind: 'pass' });
    expect(request(only('#[mcp.arguments.count >= 3 && mcp.name == "echo"]'), echo)).toEqual({ kind: 'pass' });
    expect(request(only('#[mcp.arguments.count > 3]'), echo)).toMatchObject({ kind: 'reject' });
  });

  it('refuses a configuration it cannot run, naming the rule', () => {
    expect(() => acl([{ feature: 'tools', methods: ['tools/list'], condition: '#[nope]' }])).toThrow(
      'rules[0].condition: Unknown variable: nope',
    );
    expect(() => acl([{ feature: 'tools', methods: ['tools/list'], namePatternType: 'REGEX', namePattern: '(' }])).toThrow(
      'missing closing )',
    );
    expect(() => acl([{ feature: 'tools', methods: ['tools/list'], namePatternType: 'LITERAL' }])).toThrow(
      'rules[0].namePattern is required',
    );
  });
});
