/**
 * `mcp-tools-progressive-disclosure` (MuleSoft's "MCP Tools Progressive Disclosure"): keeps a
 * large tool catalog out of the client's context. tools/list shows three discovery tools
 * (discovery-tools.ts) and the configured `hotTools`; the rest of the catalog is found on demand.
 *
 * Apply it right after MCP Support (and the transcoding router), before the access, mapping and
 * validation policies: every discovery call becomes an ordinary MCP request that goes through
 * them to the upstream, so they judge what it really does.
 * - tools/list answers (each page): the upstream's tools are replaced by the discovery tools (on
 *   the first page only) followed by the hot tools the page lists; `nextCursor` is kept so that
 *   hot tools of later pages show up too.
 * - `search_tools` and `describe_tool` are sent upstream as a tools/list of the page their
 *   `cursor` names (the first by default). The page the client would get, with the later policies'
 *   filtering and renaming done, becomes the call's result: the matches (tool-search.ts), with the
 *   page's `nextCursor` when there are more; or the named tool's definition (the pinned fields of
 *   #portico/mcp-jsonrpc), an `isError` result `Unknown tool: x` when the page lacks it. Nothing is
 *   cached: every search reads the catalog as it is for this client now.
 * - `invoke_tool {name, arguments}` is sent upstream as `tools/call` of that tool (with the call's
 *   other params, `_meta` and `task`, so progress and tasks still work); the upstream's answer,
 *   an unknown tool's error included, is the client's.
 * - A direct tools/call of a tool tools/list does not show passes unchanged: the tool is hidden
 *   from the list, not disabled (an agent may call a name it learned from search_tools).
 * - A discovery tool's name shadows an upstream tool of the same name in tools/list and calls;
 *   invoke_tool still reaches the upstream's.
 * - Malformed discovery arguments are −32602 `Invalid params: arguments.<name>: <reason>`.
 * Which request a tools/list answer answers is kept in the exchange's attributes by JSON-RPC id,
 * so the policy needs the answer in the exchange that sent the request: an answer the client
 * only gets on a resumed GET stream (after its POST's stream broke) reaches it unconverted.
 */
import {
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  PINNED_TOOL_FIELDS,
} from '#portico/mcp-jsonrpc';
import type { ExchangeContext } from '../../policy-contract/context.js';
import type { PolicyFactory } from '../../policy-contract/policy.js';
import { PASS, type Verdict } from '../../policy-contract/verdict.js';
import {
  DESCRIBE_TOOL,
  DISCOVERY_TOOL_NAMES,
  discoveryTools,
  errorResult,
  MAX_SEARCH_LIMIT,
  SEARCH_TOOLS,
  structuredResult,
} from './discovery-tools.js';
import { queryWords, searchTools } from './tool-search.js';

const POLICY = 'mcp-tools-progressive-disclosure';
const DEFAULT_SEARCH_LIMIT = 10;

interface ProgressiveDisclosureConfig {
  hotTools?: string[];
  searchLimit?: number;
}

/** A discovery call sent upstream as a tools/list, waiting for its answer. */
type Discovery =
  | { readonly kind: 'search'; readonly words: readonly string[]; readonly limit: number }
  | { readonly kind: 'describe'; readonly name: string };

/** What a tools/list request sent in this exchange is for, besides listing the first page. */
type Pending = Discovery | { readonly kind: 'later-page' };

const LATER_PAGE: Pending = Object.freeze({ kind: 'later-page' });
const NO_ARGUMENTS: Readonly<Record<string, unknown>> = Object.freeze({});

type Message = JsonRpcRequest | JsonRpcNotification;

function invalid(message: string): Verdict<never> {
  return { kind: 'reject', error: { kind: 'invalid-params', message: `Invalid params: ${message}` } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `undefined`, or the string `value` is; false when it is something else. */
function optionalString(value: unknown): string | undefined | false {
  return value === undefined || typeof value === 'string' ? value : false;
}

function listRequest(id: JsonRpcId, cursor: string | undefined): JsonRpcRequest {
  return { jsonrpc: '2.0', id, method: 'tools/list', params: cursor === undefined ? {} : { cursor } };
}

/** The fields of `tool` a model reads and acts on. */
function definition(tool: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of PINNED_TOOL_FIELDS) if (tool[field] !== undefined) fields[field] = tool[field];
  return fields;
}

/** The tools/call result a search or a description makes of the tools/list answer it was sent as. */
function discoveryResult(pending: Discovery, response: JsonRpcResponse): Record<string, unknown> {
  if (!('result' in response)) return errorResult(`The tool catalog could not be read: ${response.error.message}`);
  const result = response.result as { tools?: unknown; nextCursor?: unknown } | null;
  if (!Array.isArray(result?.tools)) return errorResult('The tool catalog could not be read: the upstream listed no tools');
  const nextCursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
  if (pending.kind === 'search') {
    const tools = searchTools(result.tools, pending.words, pending.limit);
    return structuredResult(nextCursor === undefined ? { tools } : { tools, nextCursor });
  }
  const { name } = pending;
  const tool = (result.tools as unknown[]).find((t): t is Record<string, unknown> => isObject(t) && t.name === name);
  if (tool) return structuredResult(definition(tool));
  return errorResult(
    nextCursor === undefined
      ? `Unknown tool: ${name}`
      : `Unknown tool: ${name} on this page of the catalog; call describe_tool again with cursor ${JSON.stringify(nextCursor)}`,
  );
}

export const mcpToolsProgressiveDisclosureFactory: PolicyFactory<ProgressiveDisclosureConfig> = {
  type: POLICY,
  compile(config, ctx) {
    const searchLimit = config.searchLimit ?? DEFAULT_SEARCH_LIMIT;
    const hotTools = config.hotTools ?? [];
    const warnings = hotTools
      .filter((name) => DISCOVERY_TOOL_NAMES.has(name))
      .map(
        (name) => `hotTools: ${name} is a discovery tool's name; the upstream tool of that name is reached with invoke_tool only`,
      );
    const hot: ReadonlySet<string> = new Set(hotTools.filter((name) => !DISCOVERY_TOOL_NAMES.has(name)));
    const listed = discoveryTools(searchLimit);
    const attribute = `${POLICY}:${ctx.policyId}`;

    const remember = (exchange: ExchangeContext, id: JsonRpcId, pending: Pending): void => {
      let byId = exchange.attributes.get(attribute) as Map<JsonRpcId, Pending> | undefined;
      if (!byId) exchange.attributes.set(attribute, (byId = new Map()));
      byId.set(id, pending);
    };
    const take = (exchange: ExchangeContext, id: JsonRpcId): Pending | undefined => {
      const byId = exchange.attributes.get(attribute) as Map<JsonRpcId, Pending> | undefined;
      const pending = byId?.get(id);
      if (pending) byId!.delete(id);
      return pending;
    };

    const search = (exchange: ExchangeContext, id: JsonRpcId, args: Readonly<Record<string, unknown>>): Verdict<Message> => {
      if (typeof args.query !== 'string') return invalid('arguments.query: must be a string');
      const limit = args.limit ?? searchLimit;
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)
        return invalid('arguments.limit: must be an integer of at least 1');
      const cursor = optionalString(args.cursor);
      if (cursor === false) return invalid('arguments.cursor: must be a string');
      remember(exchange, id, { kind: 'search', words: queryWords(args.query), limit: Math.min(limit, MAX_SEARCH_LIMIT) });
      return { kind: 'mutate', message: listRequest(id, cursor) };
    };

    const describe = (exchange: ExchangeContext, id: JsonRpcId, args: Readonly<Record<string, unknown>>): Verdict<Message> => {
      if (typeof args.name !== 'string' || args.name === '') return invalid('arguments.name: must be a tool name');
      const cursor = optionalString(args.cursor);
      if (cursor === false) return invalid('arguments.cursor: must be a string');
      remember(exchange, id, { kind: 'describe', name: args.name });
      return { kind: 'mutate', message: listRequest(id, cursor) };
    };

    const invoke = (message: JsonRpcRequest, args: Readonly<Record<string, unknown>>): Verdict<Message> => {
      const { name, arguments: toolArguments } = args;
      if (typeof name !== 'string' || name === '') return invalid('arguments.name: must be a tool name');
      if (toolArguments !== undefined && !isObject(toolArguments)) return invalid('arguments.arguments: must be an object');
      const params: Record<string, unknown> = { ...(message.params as Record<string, unknown>), name };
      if (toolArguments === undefined) delete params.arguments;
      else params.arguments = toolArguments;
      return { kind: 'mutate', message: { jsonrpc: '2.0', id: message.id, method: 'tools/call', params } };
    };

    return {
      warnings,
      policy: {
        name: POLICY,
        methods: { 'tools/list': 'both', 'tools/call': 'request' },
        onRequest({ exchange, call }, message) {
          if (call.id === undefined) return PASS;
          if (call.method === 'tools/list') {
            const params = (message as JsonRpcRequest).params;
            if (isObject(params) && params.cursor !== undefined) remember(exchange, call.id, LATER_PAGE);
            return PASS;
          }
          const tool = call.target?.name;
          if (tool === undefined || !DISCOVERY_TOOL_NAMES.has(tool)) return PASS;
          const args = call.arguments ?? NO_ARGUMENTS;
          if (tool === SEARCH_TOOLS) return search(exchange, call.id, args);
          if (tool === DESCRIBE_TOOL) return describe(exchange, call.id, args);
          return invoke(message as JsonRpcRequest, args);
        },
        onResponse({ exchange, call }, response) {
          const pending = call.id === undefined ? undefined : take(exchange, call.id);
          if (pending && pending.kind !== 'later-page') {
            return { kind: 'mutate', message: { jsonrpc: '2.0', id: call.id!, result: discoveryResult(pending, response) } };
          }
          if (!('result' in response)) return PASS;
          const result = response.result as Record<string, unknown> | null;
          if (!Array.isArray(result?.tools)) return PASS;
          const tools: unknown[] = pending ? [] : [...listed];
          if (hot.size > 0) {
            for (const tool of result.tools as unknown[]) {
              if (isObject(tool) && typeof tool.name === 'string' && hot.has(tool.name)) tools.push(tool);
            }
          }
          return { kind: 'mutate', message: { ...response, result: { ...result, tools } } };
        },
      },
    };
  },
};
