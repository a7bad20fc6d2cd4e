/**
 * MCP's JSON-RPC messages and Server-Sent Events for the gateway and tests: message types and
 * validation (`parse()`), error builders, the SSE parser/serializer, MCP 2026-07-28
 * mirrored-header encoding and the pinned part of a tool definition. Pure: no I/O.
 */
export {
  isNotification,
  isRequest,
  isResponse,
  messageKind,
  parse,
  validateMessage,
  type JsonRpcErrorObject,
  type JsonRpcErrorResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcMessageKind,
  type JsonRpcNotification,
  type JsonRpcParams,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type JsonRpcResultResponse,
  type ParseOptions,
  type ParseResult,
  type ValidationResult,
} from './message.js';
export {
  HEADER_MISMATCH,
  RATE_LIMITED,
  headerMismatch,
  internalError,
  invalidParams,
  invalidRequest,
  jsonRpcError,
  methodNotFound,
  parseError,
} from './errors.js';
export { SseBoundaryTracker, SseParser, serializeSseEvent, type SseEvent, type SseEventFields } from './sse.js';
export {
  MIRRORED_HEADERS_VERSION,
  decodeMirroredHeader,
  encodeMirroredHeader,
  requiresMirroredHeaders,
} from './mirrored-headers.js';
export { PINNED_TOOL_FIELDS, pinnedToolDefinition } from './tool-definition.js';
