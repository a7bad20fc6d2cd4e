import type { JsonRpcResponse } from '#portico/mcp-jsonrpc';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { IDENTITY_ATTRIBUTE, type ExchangeContext, type Identity, type McpCall } from '../../policy-contract/context.js';
import { mcpAccessControlFactory } from './mcp-access-control.policy.js';

const policy = (rules: string[], authType: 'ClientId' | 'Other' = 'ClientId') =>
  mcpAccessControlFactory.compile({ rules, authType }, testCompileContext()).policy;

const as = (identity?: Identity): ExchangeContext => {
  const exchange = testExchange();
  if (identity) exchange.attributes.set(IDENTITY_ATTRIBUTE, identity);
  return exchange;
};

const APP: Identity = { clientId: 'app-1', clientName: 'Billing', principal: 'alice', claims: { role: 'admin', level: 3 } };

const call = (method: string, name: string, args?: Record<string, unknown>): McpCall => ({
  kind: 'request',
  method,
  id: 1,
  target: { type: method === 'resources/read' ? 'resource' : method === 'prompts/get' ? 'prompt' : 'tool', name },
  arguments: args,
});

function request(rules: string[], c: McpCall, exchange = as(APP), authType?: 'ClientId' | 'Other') {
  return policy(rules, authType).onRequest!({ exchange, call: c }, { jsonrpc: '2.0', id: 1, method: c.method });
}

function listed(rules: string[], exchange = as(APP)): string[] | 'pass' {
  const response: JsonRpcResponse = { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'calculator' }, { name: 'shell' }] } };
  const listCall: McpCall = { kind: 'request', method: 'tools/list', id: 1, target: undefined, arguments: undefined };
  const verdict = policy(rules).onResponse!({ exchange, call: listCall }, response);
  if (verdict instanceof Promise || verdict.kind === 'reject') throw new Error('a list is filtered synchronously');
  return verdict.kind === 'pass'
    ? 'pass'
    : (verdict.message as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
}

describe('mcp-access-control policy', () => {
  it('permits what a rule permits, on the documented example', () => {
    const rules = ['permit(principal, action == Action::"tools/call", resource == Tool::"calculator");'];
    expect(request(rules, call('tools/call', 'calculator'))).toEqual({ kind: 'pass' });
    expect(request(rules, call('tools/call', 'shell'))).toMatchObject({
      kind: 'reject',
      error: { hide: true, code: -32602, message: 'Unknown tool: shell' },
    });
    // A tool the rules let be called is also listed.
    expect(listed(rules)).toEqual(['calculator']);
  });

  it('binds the principal as Anypoint does: client id, client_name, claims', () => {
    const byClient = ['permit(principal == Client::"app-1", action, resource);'];
    expect(request(byClient, call('tools/call', 'x'))).toEqual({ kind: 'pass' });
    expect(request(byClient, call('tools/call', 'x'), as({ ...APP, clientId: 'app-2' }))).toMatchObject({ kind: 'reject' });
    const byName = ['permit(principal, action, resource) when { principal.client_name == "Billing" };'];
    expect(request(byName, call('tools/call', 'x'))).toEqual({ kind: 'pass' });
    const byClaim = [
      'permit(principal, action, resource) when { principal.properties.claims.role == "admin" && principal.properties.claims.level > 2 };',
    ];
    expect(request(byClaim, call('tools/call', 'x'))).toEqual({ kind: 'pass' });
    expect(request(byClaim, call('tools/call', 'x'), as({ ...APP, claims: { role: 'user' } }))).toMatchObject({ kind: 'reject' });
    const byUser = ['permit(principal == User::"alice", action, resource);'];
    expect(request(byUser, call('tools/call', 'x'), as(APP), 'Other')).toEqual({ kind: 'pass' });
  });

  it('without an identity sees an anonymous principal that principal-free rules alone can permit', () => {
    expect(request(['permit(principal, action, resource);'], call('tools/call', 'x'), as())).toEqual({ kind: 'pass' });
    expect(
      request(
        ['permit(principal, action, resource) when { principal.client_name == "Billing" };'],
        call('tools/call', 'x'),
        as(),
      ),
    ).toMatchObject({ kind: 'reject' });
  });

  it('lets forbid win and reads the arguments and remote address from the context', () => {
    const rules = [
      'permit(principal, action, resource);',
      'forbid(principal, action == Action::"tools/call", resource) when { context has arguments && context.arguments has path && context.arguments.path like "/etc/*" };',
    ];
    expect(request(rules, call('tools/call', 'read_file', { path: '/home/a' }))).toEqual({ kind: 'pass' });
    expect(request(rules, call('tools/call', 'read_file', { path: '/etc/passwd', ratio: 0.5 }))).toEqual({
      kind: 'reject',
      error: { kind: 'policy-denied', policy: 'mcp-access-control', code: -32602, message: 'Access denied to: read_file' },
    });
    const local = ['permit(principal, action, resource) when { context.remoteAddress == "127.0.0.1" };'];
    expect(request(local, call('tools/call', 'x'))).toEqual({ kind: 'pass' });
  });

  it('names prompts and resources as Cedar entities of their own', () => {
    const rules = [
      'permit(principal, action, resource == Prompt::"summary");',
      'permit(principal, action, resource == Resource::"docs://a");',
    ];
    expect(request(rules, call('prompts/get', 'summary'))).toEqual({ kind: 'pass' });
    expect(request(rules, call('resources/read', 'docs://a'))).toEqual({ kind: 'pass' });
    expect(request(rules, call('resources/read', 'docs://b'))).toMatchObject({
      error: { code: -32002, data: { uri: 'docs://b' } },
    });
  });

  it('keeps memoised decisions apart per principal', () => {
    const compiled = policy(['permit(principal == Client::"app-1", action, resource);']);
    const ask = (identity: Identity) =>
      compiled.onRequest!(
        { exchange: as(identity), call: call('tools/call', 'x') },
        { jsonrpc: '2.0', id: 1, method: 'tools/call' },
      );
    expect(ask(APP)).toEqual({ kind: 'pass' });
    expect(ask({ ...APP, clientId: 'app-2' })).toMatchObject({ kind: 'reject' });
    expect(ask(APP)).toEqual({ kind: 'pass' });
  });

  it('refuses rules the engine cannot parse', () => {
    expect(() => policy(['permit(principal, action resource);'])).toThrow(/rules: .*unexpected token `resource`/);
  });
});
