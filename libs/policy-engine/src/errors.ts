/**
 * Every way the gateway itself answers a request instead of the upstream, and how each maps to
 * HTTP and JSON-RPC. This is the one table (house-style "How errors map"); each row has a test.
 *
 * | kind                   | HTTP | JSON-RPC error                                              |
 * |------------------------|------|-------------------------------------------------------------|
 * | parse-error            | 400  | −32700 Parse error, id null                                 |
 * | invalid-request        | 400  | −32600                                                      |
 * | not-acceptable         | 406  | −32600                                                      |
 * | unsupported-media-type | 415  | −32600                                                      |
 * | payload-too-large      | 413  | −32600                                                      |
 * | host-not-allowed       | 403  | −32600, data.reason HOST_NOT_ALLOWED (DNS rebinding)        |
 * | header-mismatch        | 400  | −32020 HeaderMismatch (MCP 2026-07-28), data.header         |
 * | method-not-found       | 404  | −32601                                                      |
 * | invalid-params         | 200  | −32602 (`Unknown tool: x` hides a tool's existence)         |
 * | policy-denied          | 200  | the policy's code; data {reason:'POLICY_DENIED', policy}    |
 * | unauthorized           | 401  | — (`WWW-Authenticate`; answered before JSON-RPC parsing)    |
 * | forbidden              | 403  | — (`WWW-Authenticate` for insufficient_scope; before parsing)|
 * | rate-limited           | 429  | −32029, data.reason RATE_LIMITED; `Retry-After`             |
 * | upstream-unavailable   | 502  | −32603, data.reason UPSTREAM_UNAVAILABLE                    |
 * | upstream-timeout       | 504  | −32603, data.reason UPSTREAM_TIMEOUT                        |
 * | upstream-invalid       | 502  | −32603, data.reason UPSTREAM_INVALID (not an MCP answer)    |
 * | shutting-down          | 503  | −32603, data.reason GATEWAY_SHUTTING_DOWN                   |
 * | session-not-found      | 404  | —                                                           |
 * | mcp-support-required   | 503  | −32603, data.reason MCP_SUPPORT_REQUIRED                    |
 * | api-unavailable        | 503  | −32603, data.reason API_UNAVAILABLE (the cause only in logs)|
 * | backend-disabled       | 503  | −32603, data.reason BACKEND_DISABLED                        |
 * | agent-not-allowed      | 403  | −32600, data.reason AGENT_NOT_ALLOWED                       |
 * | internal               | 500  | −32603 Internal error (details only in logs)                |
 *
 * −32000 / −32001 are never used: the SDK reserves them for ConnectionClosed / RequestTimeout.
 * Rows without a JSON-RPC error, and every answer on a plain HTTP API, use the body
 * `{ code, message }` of {@link toPlainError}.
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { HEADER_MISMATCH, jsonRpcError, type JsonRpcErrorResponse, type JsonRpcId, RATE_LIMITED } from '#portico/mcp-jsonrpc';

/** A reason the gateway answers by itself. `message` is public: it never carries secrets or internals. */
export type GatewayError =
  | { kind: 'parse-error'; message: string }
  | { kind: 'invalid-request'; message: string }
  | { kind: 'not-acceptable'; message: string }
  | { kind: 'unsupported-media-type'; message: string }
  | { kind: 'payload-too-large'; message: string }
  | { kind: 'host-not-allowed'; message: string }
  | { kind: 'header-mismatch'; header: string; message: string }
  | { kind: 'method-not-found'; message: string }
  | { kind: 'invalid-params'; message: string }
  | {
      kind: 'policy-denied';
      policy: string;
      code: number;
      message: string;
      /**
       * Answer as if the item did not exist: no POLICY_DENIED `data`, so the client cannot tell a
       * policy answered (a hidden tool); `data` goes out as it is (a hidden resource's `{ uri }`).
       */
      hide?: boolean;
      data?: Record<string, unknown>;
    }
  | { kind: 'unauthorized'; message: string; wwwAuthenticate: string }
  /** A client the gateway knows and refuses (its address, its token's scopes). */
  | { kind: 'forbidden'; message: string; wwwAuthenticate?: string }
  | { kind: 'rate-limited'; message: string; retryAfterSeconds: number }
  | { kind: 'upstream-unavailable'; message: string }
  | { kind: 'upstream-timeout'; message: string }
  /** The upstream answered, but not with MCP (wrong media type, not JSON-RPC, no answer to a request). */
  | { kind: 'upstream-invalid'; message: string }
  /** The gateway stopped before the upstream answered (its drain period ended). */
  | { kind: 'shutting-down' }
  | { kind: 'session-not-found'; message: string }
  | { kind: 'mcp-support-required' }
  /** The API's configuration failed (the gateway's translate.ts); the cause goes to logs and the control plane, never to clients. */
  | { kind: 'api-unavailable' }
  /** The MCP backend is switched off by its administrators; `message` names it. */
  | { kind: 'backend-disabled'; message: string }
  /** The backend admits only the agents mapped to it, and this client is not one (its agent, or an unrecognised one). */
  | { kind: 'agent-not-allowed'; message: string }
  | { kind: 'internal' };

/** The message of the `mcp-support-required` row, as Anypoint words it. */
export const MCP_SUPPORT_REQUIRED_MESSAGE = 'The MCP Support policy is required on this MCP server instance; apply mcp-support';

/** The message of the `api-unavailable` row. */
export const API_UNAVAILABLE_MESSAGE =
  'This API is not available: the gateway could not apply its configuration (its deployment status says why)';

/** The message of the `shutting-down` row. */
export const SHUTTING_DOWN_MESSAGE = 'The gateway is shutting down; retry the request';

function assertNever(value: never): never {
  throw new Error(`unhandled gateway error ${JSON.stringify(value)}`);
}

/** The HTTP status of the answer. */
export function toHttpStatus(error: GatewayError): number {
  switch (error.kind) {
    case 'parse-error':
    case 'invalid-request':
    case 'header-mismatch':
      return 400;
    case 'not-acceptable':
      return 406;
    case 'unsupported-media-type':
      return 415;
    case 'payload-too-large':
      return 413;
    case 'host-not-allowed':
    case 'forbidden':
    case 'agent-not-allowed':
      return 403;
    case 'method-not-found':
    case 'session-not-found':
      return 404;
    case 'invalid-params':
    case 'policy-denied':
      return 200;
    case 'unauthorized':
      return 401;
    case 'rate-limited':
      return 429;
    case 'upstream-unavailable':
    case 'upstream-invalid':
      return 502;
    case 'upstream-timeout':
      return 504;
    case 'mcp-support-required':
    case 'api-unavailable':
    case 'backend-disabled':
    case 'shutting-down':
      return 503;
    case 'internal':
      return 500;
    default:
      return assertNever(error);
  }
}

/**
 * The JSON-RPC error response for `id` (null when unknown), or undefined for the rows answered
 * before or outside JSON-RPC (401, 429, unknown session).
 */
export function toJsonRpcError(error: GatewayError, id: JsonRpcId | null): JsonRpcErrorResponse | undefined {
  switch (error.kind) {
    case 'parse-error':
      return jsonRpcError(null, ErrorCode.ParseError, error.message);
    case 'invalid-request':
    case 'not-acceptable':
    case 'unsupported-media-type':
    case 'payload-too-large':
      return jsonRpcError(id, ErrorCode.InvalidRequest, error.message);
    case 'host-not-allowed':
      return jsonRpcError(id, ErrorCode.InvalidRequest, error.message, { reason: 'HOST_NOT_ALLOWED' });
    case 'header-mismatch':
      return jsonRpcError(id, HEADER_MISMATCH, error.message, { header: error.header });
    case 'method-not-found':
      return jsonRpcError(id, ErrorCode.MethodNotFound, error.message);
    case 'invalid-params':
      return jsonRpcError(id, ErrorCode.InvalidParams, error.message);
    case 'policy-denied':
      return error.hide
        ? jsonRpcError(id, error.code, error.message, error.data)
        : jsonRpcError(id, error.code, error.message, { ...error.data, reason: 'POLICY_DENIED', policy: error.policy });
    case 'upstream-unavailable':
      return jsonRpcError(id, ErrorCode.InternalError, error.message, { reason: 'UPSTREAM_UNAVAILABLE' });
    case 'upstream-timeout':
      return jsonRpcError(id, ErrorCode.InternalError, error.message, { reason: 'UPSTREAM_TIMEOUT' });
    case 'upstream-invalid':
      return jsonRpcError(id, ErrorCode.InternalError, error.message, { reason: 'UPSTREAM_INVALID' });
    case 'shutting-down':
      return jsonRpcError(id, ErrorCode.InternalError, SHUTTING_DOWN_MESSAGE, { reason: 'GATEWAY_SHUTTING_DOWN' });
    case 'mcp-support-required':
      return jsonRpcError(id, ErrorCode.InternalError, MCP_SUPPORT_REQUIRED_MESSAGE, { reason: 'MCP_SUPPORT_REQUIRED' });
    case 'api-unavailable':
      return jsonRpcError(id, ErrorCode.InternalError, API_UNAVAILABLE_MESSAGE, { reason: 'API_UNAVAILABLE' });
    case 'backend-disabled':
      return jsonRpcError(id, ErrorCode.InternalError, error.message, { reason: 'BACKEND_DISABLED' });
    case 'agent-not-allowed':
      return jsonRpcError(id, ErrorCode.InvalidRequest, error.message, { reason: 'AGENT_NOT_ALLOWED' });
    case 'internal':
      return jsonRpcError(id, ErrorCode.InternalError, 'Internal error');
    case 'rate-limited':
      return jsonRpcError(id, RATE_LIMITED, error.message, {
        reason: 'RATE_LIMITED',
        retryAfterSeconds: retryAfterSeconds(error),
      });
    case 'unauthorized':
    case 'forbidden':
    case 'session-not-found':
      return undefined;
    default:
      return assertNever(error);
  }
}

/** Whole seconds, rounded up: what `Retry-After` says. */
function retryAfterSeconds(error: { retryAfterSeconds: number }): number {
  return Math.max(0, Math.ceil(error.retryAfterSeconds));
}

/** Response headers the row requires (`WWW-Authenticate`, `Retry-After`). */
export function toHttpHeaders(error: GatewayError): Record<string, string> {
  switch (error.kind) {
    case 'unauthorized':
      return { 'www-authenticate': error.wwwAuthenticate };
    case 'forbidden':
      return error.wwwAuthenticate === undefined ? {} : { 'www-authenticate': error.wwwAuthenticate };
    case 'rate-limited':
      return { 'retry-after': String(retryAfterSeconds(error)) };
    default:
      return {};
  }
}

/** The `{ code, message }` body used where no JSON-RPC error applies (plain HTTP APIs, 401, 403, 429, 404 session). */
export function toPlainError(error: GatewayError): { code: string; message: string } {
  switch (error.kind) {
    case 'mcp-support-required':
      return { code: 'MCP_SUPPORT_REQUIRED', message: MCP_SUPPORT_REQUIRED_MESSAGE };
    case 'api-unavailable':
      return { code: 'API_UNAVAILABLE', message: API_UNAVAILABLE_MESSAGE };
    case 'shutting-down':
      return { code: 'SHUTTING_DOWN', message: SHUTTING_DOWN_MESSAGE };
    case 'internal':
      return { code: 'INTERNAL', message: 'Internal error' };
    case 'policy-denied':
      return { code: 'POLICY_DENIED', message: error.message };
    case 'method-not-found':
      return { code: 'NOT_FOUND', message: error.message };
    default:
      return { code: error.kind.toUpperCase().replace(/-/g, '_'), message: error.message };
  }
}

/** How an unexpected error is described in logs (never in an answer): its code or name, and message. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err);
}
