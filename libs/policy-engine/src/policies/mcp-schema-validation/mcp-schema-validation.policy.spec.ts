import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import { PolicyStates } from '../../policy-states.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import type { McpCall } from '../../policy-contract/context.js';
import { mcpSchemaValidationFactory } from './mcp-schema-validation.policy.js';

const compile = (validateToolSchema: boolean, states = new PolicyStates()) =>
  mcpSchemaValidationFactory.compile({ validateToolSchema }, testCompileContext('sv', states)).policy;

function check(policy: ReturnType<typeof compile>, message: JsonRpcRequest | JsonRpcNotification) {
  const params = (message.params ?? {}) as { name?: unknown; arguments?: Record<string, unknown> };
  const call: McpCall = {
    kind: 'id' in message ? 'request' : 'notification',
    method: message.method,
    id: 'id' in message ? message.id : undefined,
    target: typeof params.name === 'string' ? { type: 'tool', name: params.name } : undefined,
    arguments: params.arguments,
  };
  return policy.onRequest!({ exchange: testExchange(), call }, message);
}

const listCall: McpCall = { kind: 'request', method: 'tools/list', id: 1, target: undefined, arguments: undefined };
const toolList = (tools: unknown[]): JsonRpcResponse => ({ jsonrpc: '2.0', id: 1, result: { tools } });

const WEATHER = {
  name: 'get_weather',
  inputSchema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } },
    required: ['city'],
  },
};

describe('mcp-schema-validation policy', () => {
  it('checks MCP requests and notifications against the specification, naming the member', () => {
    const policy = compile(false);
    expect(check(policy, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: {} } })).toEqual({
      kind: 'pass',
    });
    expect(check(policy, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { arguments: {} } })).toEqual({
      kind: 'reject',
      error: {
        kind: 'invalid-params',
        message: 'Invalid params: params.name: Invalid input: expected string, received undefined',
      },
    });
    expect(check(policy, { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 7 } })).toMatchObject({
      error: { message: expect.stringContaining('params.uri') },
    });
    expect(check(policy, { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 'half' } })).toMatchObject({
      kind: 'reject',
    });
    // Methods the specification does not define are not this policy's to judge.
    expect(check(policy, { jsonrpc: '2.0', id: 3, method: 'vendor/thing', params: { any: 1 } })).toEqual({ kind: 'pass' });
  });

  it('checks tools/call arguments against the input schema tools/list showed, naming the failing path', () => {
    const states = new PolicyStates();
    const policy = compile(true, states);
    const weather = (args: Record<string, unknown>) =>
      check(policy, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'get_weather', arguments: args } });
    // Not listed yet: passes unchecked.
    expect(weather({ days: 'x' })).toEqual({ kind: 'pass' });
    expect(policy.onResponse!({ exchange: testExchange(), call: listCall }, toolList([WEATHER]))).toEqual({ kind: 'pass' });
    expect(weather({ city: 'Berlin', days: 3 })).toEqual({ kind: 'pass' });
    expect(weather({ city: 'Berlin', days: 9 })).toEqual({
      kind: 'reject',
      error: { kind: 'invalid-params', message: 'Invalid params: arguments.days: must be <= 7' },
    });
    expect(weather({ days: 2 })).toMatchObject({
      error: { message: "Invalid params: arguments: must have required property 'city'" },
    });
    // The learned schemas outlive a push of the same policy.
    const again = compile(true, states);
    expect(
      check(again, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'get_weather', arguments: { city: 1 } } }),
    ).toMatchObject({ error: { message: 'Invalid params: arguments.city: must be string' } });
  });

  it('reads draft-07 schemas as draft-07 and skips schemas that do not compile', () => {
    const policy = compile(true);
    policy.onResponse!(
      { exchange: testExchange(), call: listCall },
      toolList([
        {
          name: 'old',
          inputSchema: {
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: { n: { type: 'number' } },
          },
        },
        { name: 'broken', inputSchema: { type: 'object', properties: { n: { type: 'no-such-type' } } } },
      ]),
    );
    const tool = (name: string, args: Record<string, unknown>) =>
      check(policy, { jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name, arguments: args } });
    expect(tool('old', { n: 'x' })).toMatchObject({ error: { message: 'Invalid params: arguments.n: must be number' } });
    expect(tool('broken', { n: 'x' })).toEqual({ kind: 'pass' });
  });

  it('without validateToolSchema never reads tool schemas', () => {
    const policy = compile(false);
    policy.onResponse!({ exchange: testExchange(), call: listCall }, toolList([WEATHER]));
    expect(
      check(policy, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'get_weather', arguments: { days: 99 } } }),
    ).toEqual({ kind: 'pass' });
  });
});
