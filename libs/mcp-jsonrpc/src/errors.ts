/**
 * Builders for JSON-RPC error responses. Codes come from the SDK's `ErrorCode` enum; MCP's
 * 2026-07-28 `HeaderMismatch` (−32020) is not in SDK 1.x, so it is defined here.
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { JsonRpcErrorResponse, JsonRpcId } from './message.js';

/** MCP 2026-07-28: an `Mcp-Method` / `Mcp-Name` header disagrees with the body. */
export const HEADER_MISMATCH = -32020;

/**
 * The gateway's: a rate limit refused the request (HTTP 429 with `Retry-After`). JSON-RPC leaves
 * −32000…−32099 to implementations; the SDK takes −32000/−32001, Portico this one ("429").
 */
export const RATE_LIMITED = -32029;

/** An error response with the given code, message and optional `data`. */
export function jsonRpcError(id: JsonRpcId | null, code: number, message: string, data?: unknown): JsonRpcErrorResponse {
  return data === undefined
    ? { jsonrpc: '2.0', id, error: { code, message } }
    : { jsonrpc: '2.0', id, error: { code, message, data } };
}

/** −32700: the body is not JSON. The id cannot be known, so it is null. */
export function parseError(message = 'Parse error'): JsonRpcErrorResponse {
  return jsonRpcError(null, ErrorCode.ParseError, message);
}

/** −32600: valid JSON that is not an acceptable JSON-RPC request. */
export function invalidRequest(id: JsonRpcId | null, message = 'Invalid Request'): JsonRpcErrorResponse {
  return jsonRpcError(id, ErrorCode.InvalidRequest, message);
}

/** −32601: nothing handles this method. */
export function methodNotFound(id: JsonRpcId | null, message = 'Method not found'): JsonRpcErrorResponse {
  return jsonRpcError(id, ErrorCode.MethodNotFound, message);
}

/** −32602: the params are not acceptable (MCP also uses it for an unknown tool). */
export function invalidParams(id: JsonRpcId | null, message = 'Invalid params'): JsonRpcErrorResponse {
  return jsonRpcError(id, ErrorCode.InvalidParams, message);
}

/** −32603: the request could not be completed; `data` may say why. */
export function internalError(id: JsonRpcId | null, message = 'Internal error', data?: unknown): JsonRpcErrorResponse {
  return jsonRpcError(id, ErrorCode.InternalError, message, data);
}

/** −32020: the named mirrored header does not match the body (MCP 2026-07-28). */
export function headerMismatch(id: JsonRpcId | null, header: string, detail: string): JsonRpcErrorResponse {
  return jsonRpcError(id, HEADER_MISMATCH, `HeaderMismatch: ${header} ${detail}`, { header });
}
