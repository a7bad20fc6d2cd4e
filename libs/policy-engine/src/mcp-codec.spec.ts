import type { IncomingHttpHeaders } from 'node:http';
import { testExchange } from './testing/policy-contexts.js';
import { decodeBody, mirroredHeaders } from './mcp-codec.js';

const decode = (body: unknown, headers: IncomingHttpHeaders = {}) =>
  decodeBody(testExchange(headers), Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));

describe('the MCP codec', () => {
  it.each([
    [
      'tools/call',
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_weather', arguments: { city: 'Berlin' } } },
      {
        kind: 'request',
        method: 'tools/call',
        id: 1,
        target: { type: 'tool', name: 'get_weather' },
        arguments: { city: 'Berlin' },
      },
    ],
    [
      'prompts/get',
      { jsonrpc: '2.0', id: 'p', method: 'prompts/get', params: { name: 'greet', arguments: { who: 'x' } } },
      { kind: 'request', method: 'prompts/get', id: 'p', target: { type: 'prompt', name: 'greet' }, arguments: { who: 'x' } },
    ],
    [
      'resources/read',
      { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'file:///a' } },
      { kind: 'request', method: 'resources/read', id: 2, target: { type: 'resource', name: 'file:///a' }, arguments: undefined },
    ],
    [
      'resources/subscribe',
      { jsonrpc: '2.0', id: 3, method: 'resources/subscribe', params: { uri: 'file:///b' } },
      {
        kind: 'request',
        method: 'resources/subscribe',
        id: 3,
        target: { type: 'resource', name: 'file:///b' },
        arguments: undefined,
      },
    ],
    [
      'a notification',
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { kind: 'notification', method: 'notifications/initialized', id: undefined, target: undefined, arguments: undefined },
    ],
  ])('describes %s', (_name, message, call) => {
    expect(decode(message)).toEqual({ ok: true, batch: false, messages: [{ message, call }] });
  });

  it('passes responses the client sends without a call', () => {
    const message = { jsonrpc: '2.0', id: 9, result: {} };
    expect(decode(message)).toEqual({ ok: true, batch: false, messages: [{ message, call: undefined }] });
  });

  it.each([
    ['not JSON', '{', { kind: 'parse-error', message: 'Parse error' }, null],
    [
      'not JSON-RPC',
      { jsonrpc: '2.0', id: 4 },
      { kind: 'invalid-request', message: 'Invalid Request: a message needs a method, a result or an error' },
      4,
    ],
    [
      'tools/call without a name',
      { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 3 } },
      { kind: 'invalid-params', message: 'Invalid params: tools/call needs a string params.name' },
      5,
    ],
    [
      'resources/read without a uri',
      { jsonrpc: '2.0', id: 6, method: 'resources/read' },
      { kind: 'invalid-params', message: 'Invalid params: resources/read needs a string params.uri' },
      6,
    ],
  ])('rejects %s', (_name, body, error, id) => {
    expect(decode(body)).toEqual({ ok: false, error, id });
  });

  it.each([
    [undefined, true],
    ['2024-11-05', true],
    ['2025-03-26', true],
    ['2025-06-18', false],
    ['2025-11-25', false],
  ])('accepts batches for protocol version %s: %s', (version, allowed) => {
    const result = decode([{ jsonrpc: '2.0', id: 1, method: 'ping' }], version ? { 'mcp-protocol-version': version } : {});
    expect(result.ok).toBe(allowed);
  });

  it('rejects a whole batch when one element is malformed, naming it', () => {
    expect(
      decode([
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: {} },
      ]),
    ).toEqual({
      ok: false,
      error: { kind: 'invalid-params', message: 'Invalid params: tools/call needs a string params.name' },
      id: 2,
    });
  });

  describe('2026-07-28 mirrored headers', () => {
    const v = '2026-07-28';
    const read = { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///é' } };
    it.each([
      ['matching headers', { 'mcp-method': 'resources/read', 'mcp-name': '=?base64?ZmlsZTovLy/DqQ==?=' }, undefined],
      ['a missing Mcp-Name', { 'mcp-method': 'resources/read' }, 'HeaderMismatch: Mcp-Name is required for resources/read'],
      [
        'a wrong Mcp-Name',
        { 'mcp-method': 'resources/read', 'mcp-name': 'file:///e' },
        "HeaderMismatch: Mcp-Name does not match the body's params.uri",
      ],
      [
        'a broken base64 Mcp-Name',
        { 'mcp-method': 'resources/read', 'mcp-name': '=?base64?//79?=' },
        "HeaderMismatch: Mcp-Name does not match the body's params.uri",
      ],
    ])('%s', (_name, headers, message) => {
      const result = decode(read, { 'mcp-protocol-version': v, ...headers });
      if (message === undefined) expect(result.ok).toBe(true);
      else expect(result).toEqual({ ok: false, error: { kind: 'header-mismatch', header: 'Mcp-Name', message }, id: 1 });
    });

    it('gives a rewritten message the headers that mirror it, and none before 2026-07-28', () => {
      const call = { jsonrpc: '2.0' as const, id: 1, method: 'tools/call', params: { name: 'météo', arguments: {} } };
      expect(mirroredHeaders(call, v)).toEqual({ set: { 'mcp-method': 'tools/call', 'mcp-name': '=?base64?bcOpdMOpbw==?=' } });
      expect(mirroredHeaders({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, v)).toEqual({
        set: { 'mcp-method': 'tools/list' },
        remove: ['mcp-name'],
      });
      expect(mirroredHeaders(call, '2025-11-25')).toBeUndefined();
    });

    it('needs no Mcp-Name for methods without a name', () => {
      expect(
        decode({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': v, 'mcp-method': 'tools/list' }).ok,
      ).toBe(true);
    });
  });

  it('leaves a method 2026-07-28 removed to the upstream: resources/subscribe gets no target and no -32602', () => {
    const subscribe = { jsonrpc: '2.0', id: 8, method: 'resources/subscribe', params: {} };
    const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'resources/subscribe' };
    expect(decode(subscribe, headers)).toEqual({
      ok: true,
      batch: false,
      messages: [
        {
          message: subscribe,
          call: { kind: 'request', method: 'resources/subscribe', id: 8, target: undefined, arguments: undefined },
        },
      ],
    });
    // up to 2025-11-25 it names a resource, so it must carry one
    expect(decode(subscribe, { 'mcp-protocol-version': '2025-11-25' })).toEqual({
      ok: false,
      error: { kind: 'invalid-params', message: 'Invalid params: resources/subscribe needs a string params.uri' },
      id: 8,
    });
  });
});
