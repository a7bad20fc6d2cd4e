import type { JsonRpcRequest, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { McpCall } from '../../policy-contract/context.js';
import { testCompileContext, testExchange } from '../../testing/policy-contexts.js';
import { mcpPiiDetectorFactory, type PiiDetectorConfig } from './mcp-pii-detector.policy.js';

const CALL: McpCall = {
  kind: 'request',
  method: 'tools/call',
  id: 1,
  target: { type: 'tool', name: 'lookup' },
  arguments: undefined,
};
const request = (text: string): JsonRpcRequest => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'lookup', arguments: { query: text, limit: 4111111111111111 } },
});
const response = (text: string): JsonRpcResponse => ({
  jsonrpc: '2.0',
  id: 1,
  result: { content: [{ type: 'text', text }], structuredContent: { owner: { email: 'x@y.io' } } },
});

describe('mcp-pii-detector policy', () => {
  const compile = (config: Partial<PiiDetectorConfig>) =>
    mcpPiiDetectorFactory.compile({ entities: ['Email', 'Credit Card'], ...config }, testCompileContext()).policy;
  const ctx = () => ({ exchange: testExchange(), call: CALL });

  it('blocks by default: a request never sent, an answer withheld, naming the categories', () => {
    const policy = compile({});
    expect(policy.methods).toEqual({
      'tools/call': 'both',
      'resources/read': 'both',
      'prompts/get': 'both',
      'completion/complete': 'both',
    });
    expect(policy.onRequest!(ctx(), request('card 4111 1111 1111 1111'))).toEqual({
      kind: 'reject',
      error: {
        kind: 'policy-denied',
        policy: 'mcp-pii-detector',
        code: -32602,
        message: 'The request contains sensitive data (Credit Card) and was not sent',
      },
    });
    expect(policy.onResponse!(ctx(), response('mail a@b.io'))).toMatchObject({
      kind: 'reject',
      error: { code: -32603, message: 'The answer contains sensitive data (Email) and was withheld' },
    });
    // Numbers and keys are not scanned.
    expect(policy.onRequest!(ctx(), request('nothing here'))).toEqual({ kind: 'pass' });
  });

  it('redacts strings in place, copying only what changed', () => {
    const policy = compile({ action: 'Redact' });
    const original = response('mail a@b.io, card 4111-1111-1111-1111');
    const verdict = policy.onResponse!(ctx(), original) as { kind: 'mutate'; message: { result: Record<string, unknown> } };
    expect(verdict.kind).toBe('mutate');
    expect(verdict.message.result).toEqual({
      content: [{ type: 'text', text: 'mail [REDACTED:Email], card [REDACTED:Credit Card]' }],
      structuredContent: { owner: { email: '[REDACTED:Email]' } },
    });
    expect(((original as { result: unknown }).result as { content: { text: string }[] }).content[0]!.text).toBe(
      'mail a@b.io, card 4111-1111-1111-1111',
    );
  });

  it('only logs with Log, and scans the directions asked for', () => {
    const exchange = testExchange();
    const lines: unknown[] = [];
    const logged = { ...exchange, logger: { info: (fields: unknown, message: string) => lines.push([fields, message]) } };
    const policy = compile({ action: 'Log', scanResponses: false });
    expect(policy.methods!['tools/call']).toBe('request');
    const verdict = policy.onRequest!({ exchange: logged as never, call: CALL }, request('a@b.io'));
    expect(verdict).toEqual({ kind: 'pass' });
    expect(lines).toEqual([
      [
        { policy: 'mcp-pii-detector', direction: 'request', method: 'tools/call', categories: ['Email'], action: 'detected' },
        'sensitive data detected',
      ],
    ]);
    expect(compile({ scanRequests: false }).methods!['tools/call']).toBe('response');
  });
});
