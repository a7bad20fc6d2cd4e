import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { isNotification, isRequest, isResponse, MAX_NESTING_DEPTH, messageKind, parse, type ParseResult } from './message.js';

describe('parse', () => {
  const accepted: [string, string, 'request' | 'notification' | 'response'][] = [
    ['a request with an integer id', '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', 'request'],
    [
      'a request with a string id and params',
      '{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x"}}',
      'request',
    ],
    ['a request with array params', '{"jsonrpc":"2.0","id":2,"method":"m","params":[1]}', 'request'],
    ['a notification', '{"jsonrpc":"2.0","method":"notifications/initialized"}', 'notification'],
    ['a result response', '{"jsonrpc":"2.0","id":3,"result":{}}', 'response'],
    ['an error response', '{"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"nope"}}', 'response'],
    ['an error response with a null id', '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}}', 'response'],
  ];
  it.each(accepted)('accepts %s', (_name, body, kind) => {
    const result = parse(body);
    expect(result.ok && !result.batch && messageKind(result.message)).toBe(kind);
  });

  it('parses UTF-8 bytes', () => {
    const result = parse(new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"q":"é"}}'));
    expect(result).toEqual({ ok: true, batch: false, message: { jsonrpc: '2.0', id: 1, method: 'ping', params: { q: 'é' } } });
  });

  const rejected: [string, string | Uint8Array, Extract<ParseResult, { ok: false }>][] = [
    [
      'text that is not JSON',
      '{"jsonrpc":',
      { ok: false, code: ErrorCode.ParseError, message: 'Parse error: the body is not valid JSON', id: null },
    ],
    [
      'invalid UTF-8',
      new Uint8Array([0x7b, 0xff, 0x7d]),
      { ok: false, code: ErrorCode.ParseError, message: 'Parse error: the body is not valid JSON', id: null },
    ],
    [
      'a JSON string',
      '"hello"',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: a message must be a JSON object', id: null },
    ],
    [
      'a wrong jsonrpc version',
      '{"jsonrpc":"1.0","id":7,"method":"m"}',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: jsonrpc must be "2.0"', id: 7 },
    ],
    [
      'a numeric method',
      '{"jsonrpc":"2.0","id":7,"method":5}',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: method must be a non-empty string', id: 7 },
    ],
    [
      'an empty method',
      '{"jsonrpc":"2.0","id":7,"method":""}',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: method must be a non-empty string', id: 7 },
    ],
    [
      'a null id in a request',
      '{"jsonrpc":"2.0","id":null,"method":"m"}',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: id must be a string or an integer', id: null },
    ],
    [
      'a fractional id',
      '{"jsonrpc":"2.0","id":1.5,"method":"m"}',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: id must be a string or an integer', id: null },
    ],
    [
      'string params',
      '{"jsonrpc":"2.0","id":1,"method":"m","params":"x"}',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: params must be an object or an array', id: 1 },
    ],
    [
      'null params',
      '{"jsonrpc":"2.0","id":1,"method":"m","params":null}',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: params must be an object or an array', id: 1 },
    ],
    [
      'an object without method, result or error',
      '{"jsonrpc":"2.0","id":1}',
      {
        ok: false,
        code: ErrorCode.InvalidRequest,
        message: 'Invalid Request: a message needs a method, a result or an error',
        id: 1,
      },
    ],
    [
      'a response with result and error',
      '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}',
      {
        ok: false,
        code: ErrorCode.InvalidRequest,
        message: 'Invalid Request: a response has either a result or an error, not both',
        id: 1,
      },
    ],
    [
      'a result with a null id',
      '{"jsonrpc":"2.0","id":null,"result":{}}',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: id must be a string or an integer', id: null },
    ],
    [
      'a malformed error object',
      '{"jsonrpc":"2.0","id":1,"error":{"code":"x"}}',
      {
        ok: false,
        code: ErrorCode.InvalidRequest,
        message: 'Invalid Request: error must be an object with an integer code and a string message',
        id: 1,
      },
    ],
    [
      'a batch when batches are off',
      '[{"jsonrpc":"2.0","id":1,"method":"m"}]',
      { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: batches are not supported', id: null },
    ],
  ];
  it.each(rejected)('rejects %s', (_name, body, expected) => {
    expect(parse(body)).toEqual(expected);
  });

  it('accepts a batch when allowed, keeping element order', () => {
    const result = parse('[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method":"b"}]', { allowBatch: true });
    expect(result).toEqual({
      ok: true,
      batch: true,
      messages: [
        { jsonrpc: '2.0', id: 1, method: 'a' },
        { jsonrpc: '2.0', method: 'b' },
      ],
    });
  });

  const badBatches: [string, string, string][] = [
    ['an empty batch', '[]', 'Invalid Request: empty batch'],
    [
      'a batch with an invalid element, naming its index',
      '[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","id":2,"method":3}]',
      'Invalid Request: [1]: method must be a non-empty string',
    ],
    [
      'a batch over the size limit',
      '[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"a"}]',
      'Invalid Request: a batch holds at most 2 messages, got 3',
    ],
  ];
  it.each(badBatches)('rejects %s', (_name, body, message) => {
    expect(parse(body, { allowBatch: true, maxBatchSize: 2 })).toEqual({
      ok: false,
      code: ErrorCode.InvalidRequest,
      message,
      id: null,
    });
  });
});

describe('parse: nesting depth', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const call = (args: string) =>
    `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"deep":${args}}}}`;
  const refused = {
    ok: false,
    code: ErrorCode.InvalidRequest,
    message: `Invalid Request: the body nests arrays and objects deeper than ${MAX_NESTING_DEPTH} levels`,
    id: null,
  };

  it('accepts a body nested exactly to the limit and refuses one level more, and far more', () => {
    // The message itself takes 3 levels (message, params, arguments).
    expect(parse(call(nested(MAX_NESTING_DEPTH - 3))).ok).toBe(true);
    expect(parse(call(nested(MAX_NESTING_DEPTH - 2)))).toEqual(refused);
    expect(parse(call(nested(100_000)))).toEqual(refused);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify('\\"'.concat('['.repeat(5_000)));
    expect(parse(call(text)).ok).toBe(true);
  });

  it('refuses a deep batch too', () => {
    expect(parse(`[${call(nested(MAX_NESTING_DEPTH))}]`, { allowBatch: true })).toEqual(refused);
  });
});

describe('message kind guards', () => {
  it.each([
    [{ jsonrpc: '2.0' as const, id: 1, method: 'm' }, [true, false, false]],
    [{ jsonrpc: '2.0' as const, method: 'm' }, [false, true, false]],
    [{ jsonrpc: '2.0' as const, id: 1, result: {} }, [false, false, true]],
  ])('classifies %j', (message, [request, notification, response]) => {
    expect([isRequest(message), isNotification(message), isResponse(message)]).toEqual([request, notification, response]);
  });
});
