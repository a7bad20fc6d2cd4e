import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { toHttpHeaders, toHttpStatus, toJsonRpcError, toPlainError, type GatewayError } from './errors.js';

/** One row per kind: the error, its status, its JSON-RPC body for id 7, its headers and its plain body. */
const TABLE: [GatewayError, number, unknown, Record<string, string>, { code: string; message: string }][] = [
  [
    { kind: 'parse-error', message: 'Parse error' },
    400,
    { jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: 'Parse error' } },
    {},
    { code: 'PARSE_ERROR', message: 'Parse error' },
  ],
  [
    { kind: 'invalid-request', message: 'Invalid Request: bad' },
    400,
    { jsonrpc: '2.0', id: 7, error: { code: ErrorCode.InvalidRequest, message: 'Invalid Request: bad' } },
    {},
    { code: 'INVALID_REQUEST', message: 'Invalid Request: bad' },
  ],
  [
    { kind: 'not-acceptable', message: 'Not Acceptable' },
    406,
    { jsonrpc: '2.0', id: 7, error: { code: ErrorCode.InvalidRequest, message: 'Not Acceptable' } },
    {},
    { code: 'NOT_ACCEPTABLE', message: 'Not Acceptable' },
  ],
  [
    { kind: 'unsupported-media-type', message: 'Unsupported Media Type' },
    415,
    { jsonrpc: '2.0', id: 7, error: { code: ErrorCode.InvalidRequest, message: 'Unsupported Media Type' } },
    {},
    { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Media Type' },
  ],
  [
    { kind: 'payload-too-large', message: 'Payload Too Large' },
    413,
    { jsonrpc: '2.0', id: 7, error: { code: ErrorCode.InvalidRequest, message: 'Payload Too Large' } },
    {},
    { code: 'PAYLOAD_TOO_LARGE', message: 'Payload Too Large' },
  ],
  [
    { kind: 'host-not-allowed', message: 'Host "evil.example" is not served by this gateway' },
    403,
    {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: ErrorCode.InvalidRequest,
        message: 'Host "evil.example" is not served by this gateway',
        data: { reason: 'HOST_NOT_ALLOWED' },
      },
    },
    {},
    { code: 'HOST_NOT_ALLOWED', message: 'Host "evil.example" is not served by this gateway' },
  ],
  [
    { kind: 'header-mismatch', header: 'Mcp-Name', message: 'HeaderMismatch: Mcp-Name differs' },
    400,
    { jsonrpc: '2.0', id: 7, error: { code: -32020, message: 'HeaderMismatch: Mcp-Name differs', data: { header: 'Mcp-Name' } } },
    {},
    { code: 'HEADER_MISMATCH', message: 'HeaderMismatch: Mcp-Name differs' },
  ],
  [
    { kind: 'method-not-found', message: 'No API is served at /x' },
    404,
    { jsonrpc: '2.0', id: 7, error: { code: ErrorCode.MethodNotFound, message: 'No API is served at /x' } },
    {},
    { code: 'NOT_FOUND', message: 'No API is served at /x' },
  ],
  [
    { kind: 'invalid-params', message: 'Unknown tool: x' },
    200,
    { jsonrpc: '2.0', id: 7, error: { code: ErrorCode.InvalidParams, message: 'Unknown tool: x' } },
    {},
    { code: 'INVALID_PARAMS', message: 'Unknown tool: x' },
  ],
  [
    { kind: 'policy-denied', policy: 'pii-redact', code: -32050, message: 'Denied', data: { field: 'email' } },
    200,
    {
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32050, message: 'Denied', data: { field: 'email', reason: 'POLICY_DENIED', policy: 'pii-redact' } },
    },
    {},
    { code: 'POLICY_DENIED', message: 'Denied' },
  ],
  [
    { kind: 'policy-denied', policy: 'tool-allowlist', code: ErrorCode.InvalidParams, message: 'Unknown tool: x', hide: true },
    200,
    { jsonrpc: '2.0', id: 7, error: { code: ErrorCode.InvalidParams, message: 'Unknown tool: x' } },
    {},
    { code: 'POLICY_DENIED', message: 'Unknown tool: x' },
  ],
  [
    { kind: 'unauthorized', message: 'Token expired', wwwAuthenticate: 'Bearer error="invalid_token"' },
    401,
    undefined,
    { 'www-authenticate': 'Bearer error="invalid_token"' },
    { code: 'UNAUTHORIZED', message: 'Token expired' },
  ],
  [
    { kind: 'forbidden', message: 'The client address is not allowed' },
    403,
    undefined,
    {},
    { code: 'FORBIDDEN', message: 'The client address is not allowed' },
  ],
  [
    {
      kind: 'forbidden',
      message: 'The token lacks a required scope',
      wwwAuthenticate: 'Bearer error="insufficient_scope", scope="tools:call"',
    },
    403,
    undefined,
    { 'www-authenticate': 'Bearer error="insufficient_scope", scope="tools:call"' },
    { code: 'FORBIDDEN', message: 'The token lacks a required scope' },
  ],
  [
    { kind: 'rate-limited', message: 'Too many requests', retryAfterSeconds: 1.2 },
    429,
    {
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32029, message: 'Too many requests', data: { reason: 'RATE_LIMITED', retryAfterSeconds: 2 } },
    },
    { 'retry-after': '2' },
    { code: 'RATE_LIMITED', message: 'Too many requests' },
  ],
  [
    { kind: 'upstream-unavailable', message: 'The upstream server is unavailable' },
    502,
    {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: ErrorCode.InternalError,
        message: 'The upstream server is unavailable',
        data: { reason: 'UPSTREAM_UNAVAILABLE' },
      },
    },
    {},
    { code: 'UPSTREAM_UNAVAILABLE', message: 'The upstream server is unavailable' },
  ],
  [
    { kind: 'upstream-timeout', message: 'The upstream server did not respond in time' },
    504,
    {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: ErrorCode.InternalError,
        message: 'The upstream server did not respond in time',
        data: { reason: 'UPSTREAM_TIMEOUT' },
      },
    },
    {},
    { code: 'UPSTREAM_TIMEOUT', message: 'The upstream server did not respond in time' },
  ],
  [
    { kind: 'upstream-invalid', message: 'The upstream answered text/html, not MCP' },
    502,
    {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: ErrorCode.InternalError,
        message: 'The upstream answered text/html, not MCP',
        data: { reason: 'UPSTREAM_INVALID' },
      },
    },
    {},
    { code: 'UPSTREAM_INVALID', message: 'The upstream answered text/html, not MCP' },
  ],
  [
    { kind: 'shutting-down' },
    503,
    {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: ErrorCode.InternalError,
        message: 'The gateway is shutting down; retry the request',
        data: { reason: 'GATEWAY_SHUTTING_DOWN' },
      },
    },
    {},
    { code: 'SHUTTING_DOWN', message: 'The gateway is shutting down; retry the request' },
  ],
  [
    { kind: 'session-not-found', message: 'Unknown Mcp-Session-Id' },
    404,
    undefined,
    {},
    { code: 'SESSION_NOT_FOUND', message: 'Unknown Mcp-Session-Id' },
  ],
  [
    { kind: 'mcp-support-required' },
    503,
    {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: ErrorCode.InternalError,
        message: 'The MCP Support policy is required on this MCP server instance; apply mcp-support',
        data: { reason: 'MCP_SUPPORT_REQUIRED' },
      },
    },
    {},
    {
      code: 'MCP_SUPPORT_REQUIRED',
      message: 'The MCP Support policy is required on this MCP server instance; apply mcp-support',
    },
  ],
  [
    { kind: 'api-unavailable' },
    503,
    {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: ErrorCode.InternalError,
        message: 'This API is not available: the gateway could not apply its configuration (its deployment status says why)',
        data: { reason: 'API_UNAVAILABLE' },
      },
    },
    {},
    {
      code: 'API_UNAVAILABLE',
      message: 'This API is not available: the gateway could not apply its configuration (its deployment status says why)',
    },
  ],
  [
    { kind: 'backend-disabled', message: 'The MCP backend github is disabled by its administrators' },
    503,
    {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: ErrorCode.InternalError,
        message: 'The MCP backend github is disabled by its administrators',
        data: { reason: 'BACKEND_DISABLED' },
      },
    },
    {},
    { code: 'BACKEND_DISABLED', message: 'The MCP backend github is disabled by its administrators' },
  ],
  [
    { kind: 'agent-not-allowed', message: 'Agent Cursor is not allowed to use MCP server github' },
    403,
    {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: ErrorCode.InvalidRequest,
        message: 'Agent Cursor is not allowed to use MCP server github',
        data: { reason: 'AGENT_NOT_ALLOWED' },
      },
    },
    {},
    { code: 'AGENT_NOT_ALLOWED', message: 'Agent Cursor is not allowed to use MCP server github' },
  ],
  [
    { kind: 'internal' },
    500,
    { jsonrpc: '2.0', id: 7, error: { code: ErrorCode.InternalError, message: 'Internal error' } },
    {},
    { code: 'INTERNAL', message: 'Internal error' },
  ],
];

describe('gateway error table', () => {
  it.each(TABLE)('maps %j to its status, JSON-RPC body, headers and plain body', (error, status, rpc, headers, plain) => {
    expect(toHttpStatus(error)).toBe(status);
    expect(toJsonRpcError(error, 7)).toEqual(rpc);
    expect(toHttpHeaders(error)).toEqual(headers);
    expect(toPlainError(error)).toEqual(plain);
  });

  it('covers every kind of the union', () => {
    expect(new Set(TABLE.map(([error]) => error.kind)).size).toBe(23);
  });

  it('never uses the SDK-reserved −32000 / −32001', () => {
    for (const [error] of TABLE) expect([-32000, -32001]).not.toContain(toJsonRpcError(error, 1)?.error.code);
  });

  it('writes id null for a parse error even when an id is offered', () => {
    expect(toJsonRpcError({ kind: 'parse-error', message: 'Parse error' }, 3)?.id).toBeNull();
  });
});
