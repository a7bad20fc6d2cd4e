/**
 * What policies know about the traffic they judge. An exchange is one client HTTP request (and
 * the one upstream request it becomes); a call is one JSON-RPC message inside it (a batch has
 * several). Contexts are created by the pipeline only.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { JsonRpcId, JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { Logger } from 'pino';

/** One client HTTP request routed to an API. */
export interface ExchangeContext {
  /** Correlates log lines of this exchange (the client's `x-request-id` when it sent a sane one). */
  readonly requestId: string;
  readonly api: { readonly id: string; readonly name: string };
  /** The upstream the route chose. */
  readonly upstreamId: string;
  readonly httpMethod: string;
  /** Path after the API's base path ('' for the base path itself), without the query. */
  readonly restPath: string;
  /** The query string without its `?` ('' when there is none). */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly clientAddress: string;
  /** `MCP-Protocol-Version` request header. */
  readonly protocolVersion: string | undefined;
  /** `Mcp-Session-Id` request header (the gateway keeps no session state). */
  readonly sessionId: string | undefined;
  /**
   * The public URL the client addressed, without the query: the API's public base URL and the
   * path after the base path. An OAuth protected resource announces it and expects it as the
   * token audience (RFC 8707).
   */
  readonly resourceUrl: string;
  readonly logger: Logger;
  readonly metrics: PolicyMetrics;
  /** Values policies share within the exchange, e.g. the identity an authentication policy found. */
  readonly attributes: Map<string, unknown>;
  /**
   * In the MCP message phases: sends a JSON-RPC request of the gateway's own to the exchange's
   * upstream on the client's session (its headers) and resolves with the response; it never
   * reaches the client. Rejects when the upstream does not answer it.
   */
  readonly upstream?: UpstreamRequester;
  /** Adds what a policy found to the exchange's access event (logs, analytics). */
  record(finding: Finding): void;
}

/**
 * Something a policy found in an exchange that the access logs show and filter on: sensitive data
 * a DLP guardrail found (the categories only, never the data) and what it did about it, or the
 * payload of a call or its response (already redacted) that an instance asked to be logged.
 */
export type Finding =
  | {
      readonly kind: 'dlp';
      readonly policyId: string;
      readonly direction: 'request' | 'response';
      readonly categories: readonly string[];
      readonly action: 'blocked' | 'redacted' | 'detected';
    }
  | {
      readonly kind: 'payload';
      readonly direction: 'request' | 'response';
      /** The JSON-RPC id of the call (undefined for a notification). */
      readonly id: JsonRpcId | undefined;
      readonly text: string;
    };

/** The counters policies feed (the gateway's Prometheus metrics implement them). */
export interface PolicyMetrics {
  /** One MCP request or notification of `method` to API `apiId` (mcp-support). */
  countMcpCall(apiId: string, method: string): void;
}

/** See {@link ExchangeContext.upstream}. */
export interface UpstreamRequester {
  request(method: string, params?: Record<string, unknown>): Promise<JsonRpcResponse>;
}

/** The `attributes` key under which an authentication policy leaves the {@link Identity} it established. */
export const IDENTITY_ATTRIBUTE = 'identity';

/** Who an authentication policy established for the exchange. */
export interface Identity {
  /** The user or client the credentials name (a token's `sub`, a client id, a username). */
  readonly principal?: string;
  readonly clientId?: string;
  readonly clientName?: string;
  /** The validated token's claims. */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** The context of an HTTP phase hook: the exchange (one client request). */
export interface HttpContext {
  readonly exchange: ExchangeContext;
}

/**
 * Header changes an HTTP phase hook asks for (`mutate`): `set` replaces or adds (lower-case
 * names), `remove` drops. Request edits apply to what is sent upstream, response edits to what
 * the client gets; hooks later in the order see the original request headers. An edit a policy
 * hands out for many requests should be frozen: the gateway prepares a frozen edit once.
 */
export interface HeaderEdit {
  readonly set?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
}

/** The status and headers about to be sent to the client. */
export interface ResponseHead {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What the pipeline read from an MCP client request or notification (method, id, target, arguments). */
export interface McpCall {
  readonly kind: 'request' | 'notification';
  readonly method: string;
  /** The JSON-RPC id; undefined for notifications. */
  readonly id: JsonRpcId | undefined;
  /** What the call names: a tool or prompt (`params.name`) or a resource (`params.uri`). */
  readonly target: { readonly type: 'tool' | 'prompt' | 'resource'; readonly name: string } | undefined;
  /** `params.arguments` of tools/call and prompts/get. */
  readonly arguments: Readonly<Record<string, unknown>> | undefined;
}

/** The context of one policy hook call: the exchange, and the call the message belongs to. */
export interface CallContext {
  readonly exchange: ExchangeContext;
  /** For onResponse: the request this response answers. */
  readonly call: McpCall;
}
