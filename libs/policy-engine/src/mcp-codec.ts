/**
 * The MCP wire format, the pipeline's: a POST body is decoded once, before the ordered policies
 * run, and later policies read the result from `CallContext.call` (method, id, tool/prompt name
 * or resource URI, arguments) instead of parsing again. A message a policy mutated is described
 * again.
 *
 * Decoding rules:
 * - one JSON-RPC message; a batch array only for clients on 2025-03-26 or earlier (no
 *   `MCP-Protocol-Version` header means 2025-03-26, as the spec says), each element checked
 *   (one malformed element fails the whole body, which names the element);
 * - `tools/call` and `prompts/get` need a string `params.name`, `resources/read` a string
 *   `params.uri`, and up to 2025-11-25 `resources/subscribe` and `resources/unsubscribe` too:
 *   without them a policy keyed on names could be bypassed, so they are answered −32602 here.
 *   A method the client's revision does not have (2026-07-28 removed the resource
 *   subscriptions) is not the gateway's to judge: it goes to the upstream, whose answer (−32601
 *   from a conformant server) comes back unchanged;
 * - on 2026-07-28 and later, `Mcp-Method` (and `Mcp-Name` where the body has a name) must match
 *   the body, else 400 −32020 naming the header. Earlier versions' mirrored headers are not
 *   trusted for policy and are passed through unchecked.
 */
import {
  decodeMirroredHeader,
  encodeMirroredHeader,
  isResponse,
  parse,
  requiresMirroredHeaders,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
} from '#portico/mcp-jsonrpc';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayError } from './errors.js';
import type { ExchangeContext, HeaderEdit, McpCall } from './policy-contract/context.js';

/** A decoded POST body: one message, or a batch of them. */
export type DecodeResult =
  { ok: true; batch: boolean; messages: DecodedMessage[] } | { ok: false; error: GatewayError; id: string | number | null };

/** A message with what it calls (requests and notifications; responses the client sends have none). */
export interface DecodedMessage {
  readonly message: JsonRpcMessage;
  readonly call: McpCall | undefined;
}

type Named = { type: 'tool' | 'prompt' | 'resource'; param: 'name' | 'uri' };

/** Methods naming a tool, prompt or resource, in every revision. */
const NAMED: Readonly<Record<string, Named>> = {
  'tools/call': { type: 'tool', param: 'name' },
  'prompts/get': { type: 'prompt', param: 'name' },
  'resources/read': { type: 'resource', param: 'uri' },
};

/** ... and those up to 2025-11-25 only (2026-07-28 replaced them with subscriptions/listen). */
const NAMED_BEFORE_2026: Readonly<Record<string, Named>> = {
  ...NAMED,
  'resources/subscribe': { type: 'resource', param: 'uri' },
  'resources/unsubscribe': { type: 'resource', param: 'uri' },
};

/** Methods whose `Mcp-Name` header mirrors the body (2026-07-28). */
const MIRRORED_NAME_METHODS: ReadonlySet<string> = new Set(['tools/call', 'resources/read', 'prompts/get']);

/** Protocol versions whose clients may send JSON-RPC batches. */
function allowsBatch(protocolVersion: string | undefined): boolean {
  return protocolVersion === undefined || protocolVersion <= '2025-03-26';
}

/**
 * What `message` calls, for a client on `protocolVersion`; an error when a method that names
 * something lacks the name.
 */
export function describeCall(
  message: JsonRpcRequest | JsonRpcNotification,
  protocolVersion: string | undefined,
): { ok: true; call: McpCall } | { ok: false; error: GatewayError } {
  const params = message.params !== undefined && !Array.isArray(message.params) ? message.params : undefined;
  const named = (requiresMirroredHeaders(protocolVersion) ? NAMED : NAMED_BEFORE_2026)[message.method];
  let target: McpCall['target'];
  if (named) {
    const value = params?.[named.param];
    if (typeof value !== 'string' || value === '') {
      return {
        ok: false,
        error: { kind: 'invalid-params', message: `Invalid params: ${message.method} needs a string params.${named.param}` },
      };
    }
    target = { type: named.type, name: value };
  }
  const args = params?.arguments;
  const call: McpCall = {
    kind: 'id' in message ? 'request' : 'notification',
    method: message.method,
    id: 'id' in message ? message.id : undefined,
    target,
    arguments:
      (message.method === 'tools/call' || message.method === 'prompts/get') &&
      typeof args === 'object' &&
      args !== null &&
      !Array.isArray(args)
        ? (args as Record<string, unknown>)
        : undefined,
  };
  return { ok: true, call };
}

function headerValue(exchange: ExchangeContext, name: string): string | undefined {
  const value = exchange.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** MCP 2026-07-28 header–body validation of one request or notification. */
function checkMirroredHeaders(exchange: ExchangeContext, call: McpCall): GatewayError | undefined {
  const method = headerValue(exchange, 'mcp-method');
  if (method === undefined)
    return { kind: 'header-mismatch', header: 'Mcp-Method', message: 'HeaderMismatch: Mcp-Method is required' };
  if (decodeMirroredHeader(method) !== call.method) {
    return {
      kind: 'header-mismatch',
      header: 'Mcp-Method',
      message: `HeaderMismatch: Mcp-Method does not match the body's method ${JSON.stringify(call.method)}`,
    };
  }
  if (call.target === undefined || !MIRRORED_NAME_METHODS.has(call.method)) return undefined;
  const name = headerValue(exchange, 'mcp-name');
  if (name === undefined)
    return { kind: 'header-mismatch', header: 'Mcp-Name', message: `HeaderMismatch: Mcp-Name is required for ${call.method}` };
  if (decodeMirroredHeader(name) !== call.target.name) {
    return {
      kind: 'header-mismatch',
      header: 'Mcp-Name',
      message: `HeaderMismatch: Mcp-Name does not match the body's ${call.target.type === 'resource' ? 'params.uri' : 'params.name'}`,
    };
  }
  return undefined;
}

/**
 * The Mcp-Method / Mcp-Name headers that mirror `message` (MCP 2026-07-28), as a header edit: what
 * the upstream must get when a policy rewrote the message (a renamed tool, a discovery call turned
 * into tools/call), or it would refuse the request as a HeaderMismatch. Undefined for a client on
 * an earlier revision, which mirrors nothing.
 */
export function mirroredHeaders(message: JsonRpcMessage, protocolVersion: string | undefined): HeaderEdit | undefined {
  if (!requiresMirroredHeaders(protocolVersion) || !('method' in message)) return undefined;
  const named = MIRRORED_NAME_METHODS.has(message.method) ? NAMED[message.method] : undefined;
  const params = (message.params ?? {}) as Record<string, unknown>;
  const name = named && params[named.param];
  return typeof name === 'string'
    ? { set: { 'mcp-method': encodeMirroredHeader(message.method), 'mcp-name': encodeMirroredHeader(name) } }
    : { set: { 'mcp-method': encodeMirroredHeader(message.method) }, remove: ['mcp-name'] };
}

/** Decodes one POST body of `exchange` (see the header for the rules). */
export function decodeBody(exchange: ExchangeContext, body: Buffer): DecodeResult {
  const parsed = parse(body, { allowBatch: allowsBatch(exchange.protocolVersion) });
  if (!parsed.ok) {
    const error: GatewayError =
      parsed.code === ErrorCode.ParseError
        ? { kind: 'parse-error', message: 'Parse error' }
        : { kind: 'invalid-request', message: parsed.message };
    return { ok: false, error, id: parsed.id };
  }
  const messages = parsed.batch ? parsed.messages : [parsed.message];
  const decoded: DecodedMessage[] = [];
  const mirrored = requiresMirroredHeaders(exchange.protocolVersion);
  for (const message of messages) {
    if (isResponse(message)) {
      decoded.push({ message, call: undefined });
      continue;
    }
    const described = describeCall(message, exchange.protocolVersion);
    if (!described.ok) return { ok: false, error: described.error, id: 'id' in message ? message.id : null };
    if (mirrored) {
      const mismatch = checkMirroredHeaders(exchange, described.call);
      if (mismatch) return { ok: false, error: mismatch, id: described.call.id ?? null };
    }
    decoded.push({ message, call: described.call });
  }
  return { ok: true, batch: parsed.batch, messages: decoded };
}
