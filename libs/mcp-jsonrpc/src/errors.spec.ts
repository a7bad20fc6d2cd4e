import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import {
  HEADER_MISMATCH,
  headerMismatch,
  internalError,
  invalidParams,
  invalidRequest,
  jsonRpcError,
  methodNotFound,
  parseError,
} from './errors.js';

describe('JSON-RPC error builders', () => {
  it.each([
    ['parseError', parseError(), { jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: 'Parse error' } }],
    [
      'invalidRequest',
      invalidRequest(1, 'bad'),
      { jsonrpc: '2.0', id: 1, error: { code: ErrorCode.InvalidRequest, message: 'bad' } },
    ],
    [
      'methodNotFound',
      methodNotFound('a'),
      { jsonrpc: '2.0', id: 'a', error: { code: ErrorCode.MethodNotFound, message: 'Method not found' } },
    ],
    [
      'invalidParams',
      invalidParams(2, 'Unknown tool: x'),
      { jsonrpc: '2.0', id: 2, error: { code: ErrorCode.InvalidParams, message: 'Unknown tool: x' } },
    ],
    [
      'internalError with data',
      internalError(3, 'Internal error', { reason: 'X' }),
      { jsonrpc: '2.0', id: 3, error: { code: ErrorCode.InternalError, message: 'Internal error', data: { reason: 'X' } } },
    ],
    [
      'jsonRpcError without data',
      jsonRpcError(4, -32050, 'custom'),
      { jsonrpc: '2.0', id: 4, error: { code: -32050, message: 'custom' } },
    ],
    [
      'headerMismatch',
      headerMismatch(5, 'Mcp-Method', 'is "a" but the body says "b"'),
      {
        jsonrpc: '2.0',
        id: 5,
        error: {
          code: HEADER_MISMATCH,
          message: 'HeaderMismatch: Mcp-Method is "a" but the body says "b"',
          data: { header: 'Mcp-Method' },
        },
      },
    ],
  ])('%s builds the exact body', (_name, built, expected) => {
    expect(built).toEqual(expected);
  });

  it('uses -32020 for HeaderMismatch', () => {
    expect(HEADER_MISMATCH).toBe(-32020);
  });
});
