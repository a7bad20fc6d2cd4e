/**
 * JSON-RPC 2.0 message shapes as MCP uses them, and `parse()`: bytes -> validated message(s).
 *
 * Validation is hand-written rather than a schema library: it runs once per proxied POST on the
 * gateway's hot path, and its messages name the offending member (`method must be a string`).
 * MCP narrows JSON-RPC: ids are strings or integers (never null in a request), `params` is an
 * object, and a response carries exactly one of `result` / `error`.
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';

/** A request id: MCP allows strings and integers (JSON-RPC's `null` is not allowed in requests). */
export type JsonRpcId = string | number;

/** `params` of a request or notification. MCP always uses an object; JSON-RPC also allows an array. */
export type JsonRpcParams = Record<string, unknown> | unknown[];

/** A call that expects a response. */
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: JsonRpcParams;
}

/** A call without an id: no response is sent. */
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: JsonRpcParams;
}

/** The `error` member of an error response. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** A successful response. */
export interface JsonRpcResultResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result: unknown;
}

/** An error response; `id` is null when the request's id could not be read. */
export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  error: JsonRpcErrorObject;
}

/** Either kind of response. */
export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;

/** Any single JSON-RPC message. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** What a message is, by its members. */
export type JsonRpcMessageKind = 'request' | 'notification' | 'response';

/** The outcome of {@link parse}. On failure, `id` is the request id when it could still be read. */
export type ParseResult =
  | { ok: true; batch: false; message: JsonRpcMessage }
  | { ok: true; batch: true; messages: JsonRpcMessage[] }
  | {
      ok: false;
      code: ErrorCode.ParseError | ErrorCode.InvalidRequest;
      message: string;
      id: JsonRpcId | null;
    };

/** Options of {@link parse}. */
export interface ParseOptions {
  /** Accept a top-level array (JSON-RPC batch; MCP 2025-03-26 only). Default false. */
  allowBatch?: boolean;
  /** Largest batch accepted (the SDK server's limit is 100). Default 100. */
  maxBatchSize?: number;
}

/** The outcome of {@link validateMessage}. */
export type ValidationResult = { ok: true; message: JsonRpcMessage } | { ok: false; reason: string; id: JsonRpcId | null };

const decoder = new TextDecoder('utf-8', { fatal: true });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}

/**
 * The deepest nesting of arrays and objects a body may have (Jackson's default). Deeper values
 * parse, but every recursive walk over them (a policy inspecting arguments, JSON.stringify of a
 * rewritten message) would overflow the stack: they are refused before any of that runs.
 */
export const MAX_NESTING_DEPTH = 1_000;

/** True when the JSON `text` nests arrays and objects deeper than `limit` (strings skipped). */
function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Parses a JSON-RPC body (UTF-8 bytes or text). Invalid JSON (or invalid UTF-8) is a
 * `ParseError`; valid JSON that is not a JSON-RPC message is an `InvalidRequest` whose message
 * names the member and, inside a batch, the element (`[2]: method must be a string`).
 */
export function parse(input: string | Uint8Array, options: ParseOptions = {}): ParseResult {
  let text: string;
  let value: unknown;
  try {
    text = typeof input === 'string' ? input : decoder.decode(input);
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.ParseError, message: 'Parse error: the body is not valid JSON', id: null };
  }
  // Only a text longer than the limit can nest past it: a usual message is not scanned.
  if (text.length > MAX_NESTING_DEPTH && nestedDeeperThan(text, MAX_NESTING_DEPTH)) {
    return {
      ok: false,
      code: ErrorCode.InvalidRequest,
      message: `Invalid Request: the body nests arrays and objects deeper than ${MAX_NESTING_DEPTH} levels`,
      id: null,
    };
  }
  if (!Array.isArray(value)) {
    const result = validateMessage(value);
    if (result.ok) return { ok: true, batch: false, message: result.message };
    return { ok: false, code: ErrorCode.InvalidRequest, message: `Invalid Request: ${result.reason}`, id: result.id };
  }
  if (!options.allowBatch) {
    return { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: batches are not supported', id: null };
  }
  const maxBatchSize = options.maxBatchSize ?? 100;
  if (value.length === 0) return { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid Request: empty batch', id: null };
  if (value.length > maxBatchSize) {
    return {
      ok: false,
      code: ErrorCode.InvalidRequest,
      message: `Invalid Request: a batch holds at most ${maxBatchSize} messages, got ${value.length}`,
      id: null,
    };
  }
  const messages: JsonRpcMessage[] = [];
  for (let i = 0; i < value.length; i++) {
    const result = validateMessage(value[i]);
    if (!result.ok)
      return { ok: false, code: ErrorCode.InvalidRequest, message: `Invalid Request: [${i}]: ${result.reason}`, id: null };
    messages.push(result.message);
  }
  return { ok: true, batch: true, messages };
}

/** Checks that an already-parsed JSON value is one JSON-RPC message as MCP uses them. */
export function validateMessage(value: unknown): ValidationResult {
  if (!isPlainObject(value)) return { ok: false, reason: 'a message must be a JSON object', id: null };
  const id = isId(value.id) ? value.id : null;
  if (value.jsonrpc !== '2.0') return { ok: false, reason: 'jsonrpc must be "2.0"', id };
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method === '')
      return { ok: false, reason: 'method must be a non-empty string', id };
    if ('params' in value && (typeof value.params !== 'object' || value.params === null)) {
      return { ok: false, reason: 'params must be an object or an array', id };
    }
    if (!('id' in value)) return { ok: true, message: value as unknown as JsonRpcNotification };
    if (!isId(value.id)) return { ok: false, reason: 'id must be a string or an integer', id: null };
    return { ok: true, message: value as unknown as JsonRpcRequest };
  }
  const hasResult = 'result' in value;
  const hasError = 'error' in value;
  if (!hasResult && !hasError) return { ok: false, reason: 'a message needs a method, a result or an error', id };
  if (hasResult && hasError) return { ok: false, reason: 'a response has either a result or an error, not both', id };
  if (hasResult) {
    if (!isId(value.id)) return { ok: false, reason: 'id must be a string or an integer', id: null };
    return { ok: true, message: value as unknown as JsonRpcResultResponse };
  }
  if (value.id !== null && !isId(value.id)) return { ok: false, reason: 'id must be a string, an integer or null', id: null };
  const error = value.error;
  if (
    !isPlainObject(error) ||
    typeof error.code !== 'number' ||
    !Number.isInteger(error.code) ||
    typeof error.message !== 'string'
  ) {
    return { ok: false, reason: 'error must be an object with an integer code and a string message', id };
  }
  return { ok: true, message: value as unknown as JsonRpcErrorResponse };
}

/** Tells requests, notifications and responses apart (the message must be valid). */
export function messageKind(message: JsonRpcMessage): JsonRpcMessageKind {
  if ('method' in message) return 'id' in message ? 'request' : 'notification';
  return 'response';
}

/** True for a request (a method and an id). */
export function isRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return 'method' in message && 'id' in message;
}

/** True for a notification (a method, no id). */
export function isNotification(message: JsonRpcMessage): message is JsonRpcNotification {
  return 'method' in message && !('id' in message);
}

/** True for a response (a result or an error). */
export function isResponse(message: JsonRpcMessage): message is JsonRpcResponse {
  return !('method' in message);
}
