/**
 * The answers a gateway MCP API may give, as its error table (libs/policy-engine errors.ts)
 * documents them, for fuzz specs to judge any answer by. With a healthy upstream no answer is a
 * 5xx. An answer is documented when it is:
 * - the gateway's own: one of the table's 4xx (or 200/202) statuses, with a JSON-RPC error
 *   response of a documented code (an array of them for a batch) or the plain `{ code, message }`
 *   body, and the headers its row requires (401 `WWW-Authenticate`, 429 `Retry-After`);
 * - or the upstream's, relayed (the upstream saw the request): any status below 500 whose body is
 *   JSON-RPC (a JSON answer, an array of them, or an event stream of messages), the test MCP
 *   server's `{ error }` for a path it does not serve, or no body at all.
 * No body ever carries a stack trace.
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { HEADER_MISMATCH, isResponse, RATE_LIMITED, SseParser, validateMessage } from '#portico/mcp-jsonrpc';
import type { RawAnswer } from '#portico/testing';

/**
 * Statuses of the gateway's own answers to a client of an MCP API (no 5xx: the upstream is
 * healthy); 408, 417 and 431 answer bytes that are not a usable request (client-errors.ts).
 */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([200, 202, 400, 401, 403, 404, 406, 408, 413, 415, 417, 429, 431]);

/** JSON-RPC error codes an answer may carry: the gateway's table, the policies' and the MCP SDK server's. */
const DOCUMENTED_CODES: ReadonlySet<number> = new Set([
  ErrorCode.ParseError,
  ErrorCode.InvalidRequest,
  ErrorCode.MethodNotFound,
  ErrorCode.InvalidParams,
  ErrorCode.InternalError,
  HEADER_MISMATCH,
  RATE_LIMITED,
  // mcp-features.ts: a hidden resource is "Resource not found", as MCP servers say it.
  -32002,
  // The SDK server's own: ConnectionClosed (its generic "Bad Request: …") and the test server's unknown session.
  ErrorCode.ConnectionClosed,
  ErrorCode.RequestTimeout,
]);

/** A V8 stack frame after a newline, raw or escaped in a JSON string. */
const STACK_TRACE = /(?:\n|\\n)\s*at .+\(.+:\d+:\d+\)/;

/** How an answer came about, as far as the fuzz spec can tell. */
export interface AnswerContext {
  /** The request method (a HEAD answer has no body). */
  method: string;
  /** The upstream received a request while this one was served. */
  upstreamSaw: boolean;
}

/** Why `answer` is not a documented answer, or undefined when it is one. */
export function undocumented(answer: RawAnswer, context: AnswerContext): string | undefined {
  const { status, headers } = answer;
  const text = answer.body.toString('utf8');
  if (status >= 500) return `${status} while the upstream is healthy`;
  if (STACK_TRACE.test(text)) return 'the body carries a stack trace';
  if (!context.upstreamSaw && !GATEWAY_STATUSES.has(status)) return `${status} is not a status the gateway answers with`;
  if (status === 401 && !headers['www-authenticate']) return '401 without WWW-Authenticate';
  if (status === 429 && !/^\d+$/.test(headers['retry-after'] ?? '')) return '429 without a Retry-After in seconds';
  if (text === '') {
    const bodiless = context.method === 'HEAD' || status === 202 || status === 204 || context.upstreamSaw;
    return bodiless ? undefined : `${status} without a body`;
  }
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/event-stream') return status === 200 ? undocumentedEvents(text) : `${status} with an event stream`;
  if (type !== 'application/json') return `${status} with Content-Type ${JSON.stringify(headers['content-type'])}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `${status} with a body that is not JSON`;
  }
  if (status < 300) return undocumentedResponses(value);
  if (isPlainError(value)) return undefined;
  if (context.upstreamSaw && isUpstreamNotFound(status, value)) return undefined;
  // A batch's answer: the upstream's refusal and the errors of elements the gateway refused.
  const reason = undocumentedResponses(value);
  if (reason) return `${status} whose body is neither { code, message } nor JSON-RPC errors (${reason})`;
  return Array.isArray(value) || 'error' in (value as object) ? undefined : `${status} with a JSON-RPC result`;
}

/** The gateway's plain error body: exactly `{ code, message }`, the code in SCREAMING_SNAKE. */
function isPlainError(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { code, message, ...rest } = value as Record<string, unknown>;
  return typeof code === 'string' && /^[A-Z][A-Z_]*$/.test(code) && typeof message === 'string' && Object.keys(rest).length === 0;
}

/** The test MCP server's answer for a path it does not serve. */
function isUpstreamNotFound(status: number, value: unknown): boolean {
  return status === 404 && JSON.stringify(value) === '{"error":"not found"}';
}

/** A JSON answer to a POST: one JSON-RPC response or a non-empty array of them. */
function undocumentedResponses(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undocumentedResponse(value);
  if (value.length === 0) return 'an empty JSON array';
  for (const item of value) {
    const reason = undocumentedResponse(item);
    if (reason) return reason;
  }
  return undefined;
}

function undocumentedResponse(value: unknown): string | undefined {
  const checked = validateMessage(value);
  if (!checked.ok) return `not JSON-RPC: ${checked.reason}`;
  if (!isResponse(checked.message)) return 'a JSON-RPC request where a response belongs';
  return undocumentedCode(checked.message);
}

function undocumentedCode(message: object): string | undefined {
  if (!('error' in message)) return undefined;
  const code = (message.error as { code: number }).code;
  return DOCUMENTED_CODES.has(code) ? undefined : `JSON-RPC error code ${code} is not documented`;
}

/** An event stream: every event with data carries one JSON-RPC message (the server may send requests and notifications too). */
function undocumentedEvents(text: string): string | undefined {
  for (const event of new SseParser().push(text)) {
    if (event.data === undefined || event.data === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(event.data);
    } catch {
      return 'an event whose data is not JSON';
    }
    const checked = validateMessage(value);
    if (!checked.ok) return `an event that is not JSON-RPC: ${checked.reason}`;
    const reason = undocumentedCode(checked.message);
    if (reason) return reason;
  }
  return undefined;
}
