/**
 * MCP Support: the policy every MCP API needs (an MCP API without it answers 503, see errors.ts).
 * It owns the MCP wire format: the pipeline decodes each POST body with its codec once, and later
 * policies read the result from `CallContext.call` (method, id, tool/prompt name or resource URI,
 * arguments) instead of parsing again. Its own hook counts calls in `portico_mcp_calls_total`.
 *
 * Decoding rules:
 * - one JSON-RPC message; a batch array only for clients on 2025-03-26 or earlier (no
 *   `MCP-Protocol-Version` header means 2025-03-26, as the spec says), each element checked
 *   (one malformed element fails the whole body, which names the element);
 * - `tools/call` and `prompts/get` need a string `params.name`, `resources/read`,
 *   `resources/subscribe` and `resources/unsubscribe` a string `params.uri`: without them a
 *   policy keyed on names could be bypassed, so they are answered −32602 here;
 * - on 2026-07-28 and later, `Mcp-Method` (and `Mcp-Name` where the body has a name) must match
 *   the body, else 400 −32020 naming the header. Earlier versions' mirrored headers are not
 *   trusted for policy and are passed through unchecked.
 */
import {
  decodeMirroredHeader,
  isResponse,
  parse,
  requiresMirroredHeaders,
  type JsonRpcNotification,
  type JsonRpcRequest,
} from '#portico/mcp-jsonrpc';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayError } from '../../errors.js';
import type { ExchangeContext, McpCall } from '../../pipeline/context.js';
import { PASS } from '../../pipeline/verdict.js';
import type { DecodedMessage, DecodeResult, MessageCodec, PolicyFactory } from '../policy.js';

/** Client-to-server methods of MCP (2025-11-25 and 2026-07-28); others are counted as `other`. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'server/discover',
  'subscriptions/listen',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/tasks/status',
]);

const NAMED: Readonly<Record<string, { type: 'tool' | 'prompt' | 'resource'; param: 'name' | 'uri' }>> = {
  'tools/call': { type: 'tool', param: 'name' },
  'prompts/get': { type: 'prompt', param: 'name' },
  'resources/read': { type: 'resource', param: 'uri' },
  'resources/subscribe': { type: 'resource', param: 'uri' },
  'resources/unsubscribe': { type: 'resource', param: 'uri' },
};

/** Methods whose `Mcp-Name` header mirrors the body (2026-07-28). */
const MIRRORED_NAME_METHODS: ReadonlySet<string> = new Set(['tools/call', 'resources/read', 'prompts/get']);

/** Protocol versions whose clients may send JSON-RPC batches. */
function allowsBatch(protocolVersion: string | undefined): boolean {
  return protocolVersion === undefined || protocolVersion <= '2025-03-26';
}

function describe(
  message: JsonRpcRequest | JsonRpcNotification,
): { ok: true; call: McpCall } | { ok: false; error: GatewayError } {
  const params = message.params !== undefined && !Array.isArray(message.params) ? message.params : undefined;
  const named = NAMED[message.method];
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

const codec: MessageCodec = {
  describe,
  decode(exchange: ExchangeContext, body: Buffer): DecodeResult {
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
      const described = describe(message);
      if (!described.ok) return { ok: false, error: described.error, id: 'id' in message ? message.id : null };
      if (mirrored) {
        const mismatch = checkMirroredHeaders(exchange, described.call);
        if (mismatch) return { ok: false, error: mismatch, id: described.call.id ?? null };
      }
      decoded.push({ message, call: described.call });
    }
    return { ok: true, batch: parsed.batch, messages: decoded };
  },
};

/** The `mcp-support` factory: no configuration; provides the MCP codec and counts calls. */
export const mcpSupportFactory: PolicyFactory = {
  type: 'mcp-support',
  compile() {
    return {
      warnings: [],
      codec,
      policy: {
        name: 'mcp-support',
        methods: { '*': 'request' },
        onRequest(ctx) {
          const method = KNOWN_METHODS.has(ctx.call.method) ? ctx.call.method : 'other';
          ctx.exchange.metrics.countMcpCall(ctx.exchange.api.id, method);
          return PASS;
        },
      },
    };
  },
};
