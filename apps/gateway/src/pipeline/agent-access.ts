/**
 * Agents at the gateway (issue 20): which agent (MCP client) an exchange comes from, whether the
 * MCP backend admits it, and which of the backend's tools it sees. Api.agent_access is compiled
 * once per push into lookup maps and prepared refusals; an API without it costs one field check.
 *
 * Recognition, per exchange (the gateway keeps no session state):
 * 1. When an authentication policy established a client id (Identity.clientId), it alone decides:
 *    the agent whose client ids (its applications' included) or client metadata URLs hold it (a
 *    CIMD client's client id is its URL), or none.
 * 2. Otherwise the clientInfo name the exchange's messages state: `initialize`'s
 *    `params.clientInfo.name`, or a 2026-07-28 request's `_meta["io.modelcontextprotocol/clientInfo"]`
 *    (that revision repeats it on every request), compared case-insensitively. A later request of
 *    a 2025-era session states none, so it names no agent.
 *
 * Admission on a restricted backend (AgentAccess.restricted): a recognised agent that is not mapped
 * is refused, 403 AGENT_NOT_ALLOWED "Agent X is not allowed to use MCP server Y"; an exchange that
 * establishes a client id, states a clientInfo name or opens a session (`initialize`) and is not
 * recognised is refused as "unrecognised agent"; any other exchange (a later request of a session
 * whose `initialize` was admitted, a GET stream, a DELETE) passes. clientInfo is self-asserted (a
 * client may claim any name), so a restriction resting on it is advisory; rules on client ids an
 * authentication policy verified are the enforcement.
 *
 * Tools: a mapped agent's `tools` (when not empty) are the only tools it lists and calls on the
 * backend, restricted or not. The `agent-access` policy appended to the API's chain (nearest the
 * upstream, so it judges the upstream's names, after any renaming or progressive disclosure)
 * filters tools/list pages and answers a call of another tool as one that does not exist
 * (−32602 `Unknown tool: x`), with the pipeline's method scoping and verdict accounting.
 */
import type { JsonRpcResponse } from '#portico/mcp-jsonrpc';
import {
  type CallContext,
  compileMethodScope,
  type DecodedMessage,
  filterList,
  type GatewayError,
  IDENTITY_ATTRIBUTE,
  type Identity,
  type MethodScope,
  PASS,
  type Policy,
  unknownItem,
} from '#portico/policy-engine';
import type { AgentAccess } from '#portico/proto-ts';
import type { CompiledPolicy } from '../config/compiled-config.js';

/** The `attributes` key under which the pipeline leaves the exchange's recognised {@link CompiledAgent}. */
export const AGENT_ATTRIBUTE = 'portico.agent';

/** The name the agent-access policy goes by in verdicts, metrics and the access log. */
export const AGENT_ACCESS_POLICY = 'agent-access';

const CLIENT_INFO_META = 'io.modelcontextprotocol/clientInfo';

/** One agent as a backend recognises it. */
export interface CompiledAgent {
  readonly name: string;
  readonly mapped: boolean;
  /** A mapped agent's tools; undefined: every tool. */
  readonly tools: ReadonlySet<string> | undefined;
  /** `tools.has`, made once for list filtering. */
  readonly visible: ((name: string) => boolean) | undefined;
  /** Its refusal on a restricted backend that does not map it. */
  readonly refusal: GatewayError;
}

/** Api.agent_access compiled (see the header). */
export interface CompiledAgentAccess {
  readonly restricted: boolean;
  /** Client ids and client metadata URLs -> agent. */
  readonly byClientId: ReadonlyMap<string, CompiledAgent>;
  /** Lower-case clientInfo names -> agent. */
  readonly byClientInfoName: ReadonlyMap<string, CompiledAgent>;
  readonly unrecognised: GatewayError;
  /** Some mapped agent has a tool list: the API's chain ends with {@link AGENT_TOOLS_POLICY}. */
  readonly filtersTools: boolean;
}

/**
 * Compiles `access` for the API named `apiName`. A client id or clientInfo name two agents claim
 * is the first one's (the control plane refuses such agents; this only happens across a race),
 * with a warning.
 */
export function compileAgentAccess(where: string, apiName: string, access: AgentAccess, warnings: string[]): CompiledAgentAccess {
  const byClientId = new Map<string, CompiledAgent>();
  const byClientInfoName = new Map<string, CompiledAgent>();
  let filtersTools = false;
  const claim = (map: Map<string, CompiledAgent>, key: string, agent: CompiledAgent, what: string) => {
    const owner = map.get(key);
    if (owner === undefined) map.set(key, agent);
    else if (owner !== agent) {
      warnings.push(`${where}: agent_access: ${what} ${JSON.stringify(key)} of agent ${agent.name} is agent ${owner.name}'s`);
    }
  };
  for (const rule of access.agents) {
    const tools = rule.mapped && rule.tools.length > 0 ? new Set(rule.tools) : undefined;
    if (tools) filtersTools = true;
    const agent: CompiledAgent = Object.freeze({
      name: rule.name,
      mapped: rule.mapped,
      tools,
      visible: tools && ((name: string) => tools.has(name)),
      refusal: Object.freeze({
        kind: 'agent-not-allowed',
        message: `Agent ${rule.name} is not allowed to use MCP server ${apiName}`,
      }),
    });
    for (const id of [...rule.clientIds, ...rule.clientMetadataUrls]) claim(byClientId, id, agent, 'client id');
    for (const name of rule.clientInfoNames) claim(byClientInfoName, name.toLowerCase(), agent, 'clientInfo name');
  }
  return Object.freeze({
    restricted: access.restricted,
    byClientId,
    byClientInfoName,
    unrecognised: Object.freeze({
      kind: 'agent-not-allowed',
      message: `MCP server ${apiName} serves only the agents mapped to it, and this client is an unrecognised agent`,
    }),
    filtersTools,
  });
}

/** What {@link admitAgent} reads and writes of an exchange. */
export interface AgentExchange {
  readonly attributes: Map<string, unknown>;
  readonly access: { agent: string } | undefined;
}

/**
 * Recognises the agent of `exchange` (see the header) from its identity, else from `messages` (an
 * MCP POST's, undefined for other requests); leaves it in the exchange's attributes and access
 * record; answers the refusal when the backend does not admit the exchange.
 */
export function admitAgent(
  access: CompiledAgentAccess,
  exchange: AgentExchange,
  messages: readonly DecodedMessage[] | undefined,
): GatewayError | undefined {
  const clientId = (exchange.attributes.get(IDENTITY_ATTRIBUTE) as Identity | undefined)?.clientId;
  let agent: CompiledAgent | undefined;
  let stated = false;
  if (clientId !== undefined) {
    agent = access.byClientId.get(clientId);
    stated = true;
  } else if (messages !== undefined) {
    for (const item of messages) {
      if (item.call === undefined) continue;
      const name = clientInfoName(item.message as { method: string; params?: unknown });
      if (name !== undefined) {
        agent = access.byClientInfoName.get(name) ?? access.byClientInfoName.get(name.toLowerCase());
        stated = true;
        break;
      }
      if (item.call.method === 'initialize') stated = true;
    }
  }
  if (agent !== undefined) {
    exchange.attributes.set(AGENT_ATTRIBUTE, agent);
    if (exchange.access) exchange.access.agent = agent.name;
  }
  if (!access.restricted) return undefined;
  if (agent !== undefined) return agent.mapped ? undefined : agent.refusal;
  return stated ? access.unrecognised : undefined;
}

/** The clientInfo name a message states: initialize's `clientInfo`, else its `_meta` one (2026-07-28). */
export function clientInfoName(message: { method: string; params?: unknown }): string | undefined {
  const params = message.params as
    { clientInfo?: { name?: unknown }; _meta?: Record<string, { name?: unknown } | undefined> } | undefined;
  if (typeof params !== 'object' || params === null) return undefined;
  const info = message.method === 'initialize' ? params.clientInfo : undefined;
  const name = info?.name ?? params._meta?.[CLIENT_INFO_META]?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

const TOOLS_SCOPE: MethodScope = Object.freeze({ 'tools/call': 'request', 'tools/list': 'response' });

/** Hides the tools a mapped agent may not use (see the header); it reads the exchange's agent. */
const TOOLS_POLICY: Policy = Object.freeze({
  name: AGENT_ACCESS_POLICY,
  methods: TOOLS_SCOPE,
  onRequest(ctx: CallContext) {
    const agent = ctx.exchange.attributes.get(AGENT_ATTRIBUTE) as CompiledAgent | undefined;
    const name = ctx.call.target?.name;
    if (agent?.tools === undefined || name === undefined || agent.tools.has(name)) return PASS;
    return { kind: 'reject' as const, error: unknownItem('tools', name, AGENT_ACCESS_POLICY) };
  },
  onResponse(ctx: CallContext, response: JsonRpcResponse) {
    const agent = ctx.exchange.attributes.get(AGENT_ATTRIBUTE) as CompiledAgent | undefined;
    return agent?.visible === undefined ? PASS : filterList(ctx.call.method, response, agent.visible);
  },
});

/** The policy filtering a mapped agent's tools, appended to the chain of an API that needs it: one for every API. */
export const AGENT_TOOLS_POLICY: CompiledPolicy = Object.freeze({
  id: AGENT_ACCESS_POLICY,
  type: AGENT_ACCESS_POLICY,
  mode: 'enforce' as const,
  scope: compileMethodScope(TOOLS_SCOPE),
  pointcuts: Object.freeze([]),
  upstreamIds: undefined,
  policy: TOOLS_POLICY,
});
