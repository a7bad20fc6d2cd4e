/**
 * The MCP features access policies govern (tools, prompts, resources) and what they share
 * (issue 8's "semantics every access policy shares"):
 * - which methods list a feature's items and which call one, and the name an item goes by (a
 *   tool's or prompt's `name`, a resource's `uri`, a resource template's `uriTemplate`);
 * - hiding: a list answer loses the hidden items (every page is filtered as it passes, so
 *   pagination keeps working), and a call of a hidden item is answered as the MCP specification
 *   answers a call of an item that does not exist: −32602 `Unknown tool: x` / `Unknown prompt: x`,
 *   −32002 `Resource not found` with `data.uri`, with nothing telling a policy answered.
 */
import type { JsonRpcResponse } from '#portico/mcp-jsonrpc';
import type { GatewayError } from '../errors.js';
import type { MethodScope } from '../policy-contract/policy.js';
import { PASS, type Verdict } from '../policy-contract/verdict.js';

export type Feature = 'tools' | 'prompts' | 'resources';

/** A list method: the feature it lists, and where its answer keeps the items. */
interface ListMethod {
  readonly feature: Feature;
  readonly resultKey: string;
  readonly nameKey: string;
}

export const LIST_METHODS: Readonly<Record<string, ListMethod>> = {
  'tools/list': { feature: 'tools', resultKey: 'tools', nameKey: 'name' },
  'prompts/list': { feature: 'prompts', resultKey: 'prompts', nameKey: 'name' },
  'resources/list': { feature: 'resources', resultKey: 'resources', nameKey: 'uri' },
  'resources/templates/list': { feature: 'resources', resultKey: 'resourceTemplates', nameKey: 'uriTemplate' },
};

/** Methods that act on one item (the pipeline's McpCall.target names it), by feature. */
export const CALL_METHODS: Readonly<Record<string, Feature>> = {
  'tools/call': 'tools',
  'prompts/get': 'prompts',
  'resources/read': 'resources',
  'resources/subscribe': 'resources',
  'resources/unsubscribe': 'resources',
};

/** The method that lists the items a call method acts on (for "is this item visible?"). */
export const LIST_OF: Readonly<Record<Feature, string>> = {
  tools: 'tools/list',
  prompts: 'prompts/list',
  resources: 'resources/list',
};

/** The method scope of a policy that filters every list and judges every call. */
export const LISTS_AND_CALLS: MethodScope = Object.freeze({
  ...Object.fromEntries(Object.keys(LIST_METHODS).map((method) => [method, 'response' as const])),
  ...Object.fromEntries(Object.keys(CALL_METHODS).map((method) => [method, 'request' as const])),
});

/**
 * What a `completion/complete` request completes arguments of: a prompt (`ref/prompt`, by name)
 * or a resource template (`ref/resource`, by URI template), with the list method that shows it.
 */
export function completionRef(params: unknown): { feature: Feature; name: string; listMethod: string } | undefined {
  const ref = (params as { ref?: { type?: unknown; name?: unknown; uri?: unknown } } | undefined)?.ref;
  if (ref?.type === 'ref/prompt' && typeof ref.name === 'string')
    return { feature: 'prompts', name: ref.name, listMethod: 'prompts/list' };
  if (ref?.type === 'ref/resource' && typeof ref.uri === 'string')
    return { feature: 'resources', name: ref.uri, listMethod: 'resources/templates/list' };
  return undefined;
}

/** The answer to a call of an item that does not exist (or is hidden), as the MCP specification words it. */
export function unknownItem(feature: Feature, name: string, policy: string): GatewayError {
  switch (feature) {
    case 'tools':
      return { kind: 'policy-denied', policy, hide: true, code: -32602, message: `Unknown tool: ${name}` };
    case 'prompts':
      return { kind: 'policy-denied', policy, hide: true, code: -32602, message: `Unknown prompt: ${name}` };
    case 'resources':
      return { kind: 'policy-denied', policy, hide: true, code: -32002, message: 'Resource not found', data: { uri: name } };
  }
}

/**
 * The refusal of a call: of an item its list shows, a policy denial (−32602 `Access denied to: x`
 * with POLICY_DENIED data); of one the list hides, the answer for an item that does not exist.
 */
export function refusedCall(listed: boolean, feature: Feature, name: string, policy: string): Verdict<never> {
  return {
    kind: 'reject',
    error: listed
      ? { kind: 'policy-denied', policy, code: -32602, message: `Access denied to: ${name}` }
      : unknownItem(feature, name, policy),
  };
}

/**
 * `response` (an answer to `method`, a list method) without the items `visible` refuses; PASS
 * when it keeps them all, or when the answer is an error or not a list.
 */
export function filterList(
  method: string,
  response: JsonRpcResponse,
  visible: (name: string, item: Record<string, unknown>) => boolean,
): Verdict<JsonRpcResponse> {
  const list = LIST_METHODS[method];
  if (!list || !('result' in response)) return PASS;
  const result = response.result as Record<string, unknown> | null;
  const items = result?.[list.resultKey];
  if (!Array.isArray(items)) return PASS;
  const kept = items.filter((item: unknown) => {
    if (typeof item !== 'object' || item === null) return false;
    const name = (item as Record<string, unknown>)[list.nameKey];
    return typeof name === 'string' && visible(name, item as Record<string, unknown>);
  });
  if (kept.length === items.length) return PASS;
  return { kind: 'mutate', message: { ...response, result: { ...result, [list.resultKey]: kept } } };
}
