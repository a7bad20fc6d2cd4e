/**
 * What an instance's enabled policies say about it in the AI inventory, decided from their stored
 * configuration (no traffic needed):
 *
 * - DLP: the `mcp-pii-detector` policies. Per direction (requests: tool arguments, prompts;
 *   responses: results, resource contents) the strongest action in force, block > redact > log;
 *   a policy in shadow mode only logs what it would do, so a direction covered by shadow policies
 *   alone shows their action with `mode: shadow`. `action` sums the row up for filtering: the
 *   strongest enforced action of either direction, else `shadow`, else `none`.
 * - Scopes: the bearer-token policies (`jwt-validation`, `oauth2-token-introspection`): the scopes
 *   a token must carry (`scopes`, with `scopeValidationCriteria`), and what a protected resource
 *   announces (`scopesSupported`, `authorizationServers`, RFC 9728).
 * - Authentication: the identity policies applied, in order.
 * - Tool visibility: which observed tools clients get in tools/list, as far as that does not
 *   depend on the caller, decided by the gateway's own code (libs/policy-engine): the enforced
 *   `mcp-tool-mapping` (disabled mappings, renames), `mcp-global-access-policy` and `mcp-acl`
 *   (without trigger conditions) policies run on the observed list in the gateway's response
 *   order; `mcp-tool-pinning` in hide mode hides a tool with a change awaiting a decision (and,
 *   with approveNewTools, one never approved); a federation's routes hide a member's tools they do
 *   not name. Policies whose decision depends on the caller (`mcp-access-control`'s Cedar rules,
 *   an `mcp-acl` with trigger conditions) are named in `callerDependent` and leave tools enabled;
 *   policies with pointcuts or upstream restrictions are not judged (they may not apply to a
 *   given request), nor is progressive disclosure (it hides tools from the list but they stay
 *   callable). A federated API's lists are judged under each member's own names (the `<label>_`
 *   prefix of names two members share is not applied).
 */
import {
  type ChainPolicy,
  compilePolicy,
  type ExchangeContext,
  HookRunner,
  mcpResponsePhase,
  POLICY_REGISTRY,
  PolicyConfigError,
  PolicyStates,
  responders,
} from '#portico/policy-engine';
import { AUTHENTICATION_TEMPLATES, TOKEN_VALIDATING_TEMPLATES } from '#portico/policy-catalog';
import type { JsonRpcResponse } from '#portico/mcp-jsonrpc';
import pino from 'pino';

/** An enabled applied policy, as the inventory reads it. */
export interface InventoryPolicy {
  id: number;
  assetId: string;
  assetVersion: string;
  configurationData: unknown;
  mode: string;
  pointcutData: unknown;
  upstreamIds: string[];
}

export type DlpAction = 'block' | 'redact' | 'log';
export const DLP_SUMMARIES = ['block', 'redact', 'log', 'shadow', 'none'] as const;
export type DlpSummary = (typeof DLP_SUMMARIES)[number];

export interface DlpDirection {
  action: DlpAction;
  mode: 'enforce' | 'shadow';
}

export interface DlpView {
  action: DlpSummary;
  requests: DlpDirection | null;
  responses: DlpDirection | null;
  policyIds: number[];
}

const DLP_POLICY = 'mcp-pii-detector';
const STRENGTH: Record<DlpAction, number> = { block: 3, redact: 2, log: 1 };
const ACTION_OF: Record<string, DlpAction> = { Block: 'block', Redact: 'redact', Log: 'log' };

type Config = Record<string, unknown>;
const config = (policy: InventoryPolicy): Config =>
  typeof policy.configurationData === 'object' && policy.configurationData !== null ? (policy.configurationData as Config) : {};

/** The stronger of two directions' settings: enforce beats shadow, then block > redact > log. */
function stronger(a: DlpDirection | null, b: DlpDirection): DlpDirection {
  if (!a) return b;
  if (a.mode !== b.mode) return a.mode === 'enforce' ? a : b;
  return STRENGTH[b.action] > STRENGTH[a.action] ? b : a;
}

export function dlpView(policies: readonly InventoryPolicy[]): DlpView {
  let requests: DlpDirection | null = null;
  let responses: DlpDirection | null = null;
  const policyIds: number[] = [];
  for (const policy of policies) {
    if (policy.assetId !== DLP_POLICY) continue;
    const c = config(policy);
    const direction: DlpDirection = {
      action: ACTION_OF[String(c.action ?? 'Block')] ?? 'block',
      mode: policy.mode === 'shadow' ? 'shadow' : 'enforce',
    };
    policyIds.push(policy.id);
    if (c.scanRequests !== false) requests = stronger(requests, direction);
    if (c.scanResponses !== false) responses = stronger(responses, direction);
  }
  const enforced = [requests, responses].filter((d): d is DlpDirection => d?.mode === 'enforce');
  const action: DlpSummary = enforced.length
    ? enforced.reduce((a, b) => (STRENGTH[b.action] > STRENGTH[a.action] ? b : a)).action
    : requests || responses
      ? 'shadow'
      : 'none';
  return { action, requests, responses, policyIds };
}

export interface ScopesView {
  /** Scopes a token must carry, of every bearer policy. */
  required: string[];
  /** AND: all of them; OR: any; null without required scopes. */
  criteria: 'AND' | 'OR' | null;
  /** Scopes the protected-resource metadata announces. */
  supported: string[];
  authorizationServers: string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export function scopesView(policies: readonly InventoryPolicy[]): ScopesView {
  const required = new Set<string>();
  const supported = new Set<string>();
  const servers = new Set<string>();
  let criteria: 'AND' | 'OR' | null = null;
  for (const policy of policies) {
    if (!TOKEN_VALIDATING_TEMPLATES.has(policy.assetId)) continue;
    const c = config(policy);
    const scopes = typeof c.scopes === 'string' ? c.scopes.split(/\s+/).filter(Boolean) : [];
    for (const scope of scopes) required.add(scope);
    if (scopes.length && criteria === null) criteria = c.scopeValidationCriteria === 'OR' ? 'OR' : 'AND';
    for (const scope of strings(c.scopesSupported)) supported.add(scope);
    for (const server of strings(c.authorizationServers)) servers.add(server);
  }
  return { required: [...required], criteria, supported: [...supported], authorizationServers: [...servers] };
}

/** The identity policies applied (asset ids, in order, each once). */
export function authenticationOf(policies: readonly InventoryPolicy[]): string[] {
  return [...new Set(policies.filter((p) => AUTHENTICATION_TEMPLATES.has(p.assetId)).map((p) => p.assetId))];
}

/** A tool whose visibility is judged. */
export interface JudgedTool {
  upstreamName: string;
  name: string;
  description: string | null;
}

export interface ToolVisibility {
  /** Clients get it in tools/list (as far as the caller-independent policies decide). */
  enabled: boolean;
  /** The name clients get it under (a mapping may rename it); null when hidden. */
  exposedName: string | null;
  /** What hides it. */
  hiddenBy: { policyId: number; policyType: string } | null;
}

export interface VisibilityInput {
  policies: readonly InventoryPolicy[];
  /** Tools with a recorded change awaiting a decision, and pinned ones (mcp-tool-pinning). */
  pendingChanges: ReadonlySet<string>;
  pinned: ReadonlySet<string>;
}

/** Run on the observed list in the gateway's response order: the decisions do not depend on the caller. */
const JUDGED_BY_ENGINE = new Set(['mcp-tool-mapping', 'mcp-global-access-policy', 'mcp-acl']);
const TOOL_PINNING = 'mcp-tool-pinning';
const ROUTER = 'mcp-transcoding-router';
const KEY = '__portico_inventory_key';
const SILENT = pino({ level: 'silent' });
const NO_FETCH: typeof fetch = () => Promise.reject(new Error('the inventory makes no outbound calls'));

/** True for a policy whose tool decisions depend on the caller. */
function callerDependent(policy: InventoryPolicy): boolean {
  if (policy.assetId === 'mcp-access-control') return true;
  if (policy.assetId !== 'mcp-acl') return false;
  const rules = config(policy).rules;
  return Array.isArray(rules) && rules.some((r) => typeof r === 'object' && r !== null && (r as Config).condition !== undefined);
}

/** Applies to every request (no pointcuts, no upstream restriction) and enforces. */
function judgeable(policy: InventoryPolicy): boolean {
  const pointcuts = Array.isArray(policy.pointcutData) && policy.pointcutData.length > 0;
  return policy.mode !== 'shadow' && !pointcuts && policy.upstreamIds.length === 0;
}

/**
 * Tool visibility (see the module comment), by index of `tools`, and the policies whose decisions
 * depend on the caller.
 */
export async function toolVisibility(
  tools: readonly JudgedTool[],
  input: VisibilityInput,
): Promise<{ tools: ToolVisibility[]; callerDependent: number[] }> {
  const { policies } = input;
  const result: ToolVisibility[] = tools.map((t) => ({ enabled: true, exposedName: t.name, hiddenBy: null }));
  const hide = (index: number, policy: InventoryPolicy) => {
    result[index] = { enabled: false, exposedName: null, hiddenBy: { policyId: policy.id, policyType: policy.assetId } };
  };
  const dependent = policies.filter((p) => p.mode !== 'shadow' && callerDependent(p)).map((p) => p.id);

  // Before the chain: the federation's routes, and pinning (applied last, nearest the upstream).
  const router = policies.find((p) => p.assetId === ROUTER);
  const routes = new Map<string, ReadonlySet<string>>();
  for (const route of router && Array.isArray(config(router).routes) ? (config(router).routes as Config[]) : [])
    if (typeof route.upstreamName === 'string' && Array.isArray(route.tools))
      routes.set(route.upstreamName, new Set(strings(route.tools)));
  for (const policy of policies.filter((p) => p.assetId === TOOL_PINNING && judgeable(p) && config(p).onChange !== 'report')) {
    const approveNewTools = config(policy).approveNewTools === true;
    tools.forEach((tool, i) => {
      if (result[i]!.enabled && (input.pendingChanges.has(tool.name) || (approveNewTools && !input.pinned.has(tool.name))))
        hide(i, policy);
    });
  }
  tools.forEach((tool, i) => {
    const named = routes.get(tool.upstreamName);
    if (router && named && !named.has(tool.name) && result[i]!.enabled) hide(i, router);
  });

  const chain: { policy: InventoryPolicy; compiled: ChainPolicy }[] = [];
  const states = new PolicyStates();
  for (const policy of policies) {
    if (!JUDGED_BY_ENGINE.has(policy.assetId) || !judgeable(policy) || callerDependent(policy)) continue;
    const id = String(policy.id);
    try {
      const compiled = compilePolicy(
        {
          id,
          type: policy.assetId,
          version: policy.assetVersion,
          configurationJson: JSON.stringify(config(policy)),
          managedJson: '',
          mode: 'enforce',
        },
        'mcp',
        `policy ${id} (${policy.assetId})`,
        {
          policyId: id,
          apiId: '',
          clock: { now: () => Date.now() },
          logger: SILENT,
          state: (key, create) => states.state(id, key, create),
          redis: undefined,
          report: () => undefined,
          fetch: NO_FETCH,
        },
        POLICY_REGISTRY,
        [],
      );
      chain.push({ policy, compiled });
    } catch (error) {
      // A configuration the gateway cannot compile fails the API there; it hides nothing here.
      if (!(error instanceof PolicyConfigError)) throw error;
    }
  }
  if (!chain.length) return { tools: result, callerDependent: dependent };

  const exchange = inventoryExchange();
  const hooks = new HookRunner(() => undefined);
  const call = { kind: 'request' as const, method: 'tools/list', id: 'inventory', target: undefined, arguments: undefined };
  let listed: Record<string, unknown>[] = tools.flatMap((tool, i) =>
    result[i]!.enabled
      ? [{ name: tool.name, ...(tool.description === null ? {} : { description: tool.description }), [KEY]: i }]
      : [],
  );
  // The gateway's response order: nearest the upstream first.
  for (const compiled of responders(
    chain.map((c) => c.compiled),
    'tools/list',
  )) {
    const policy = chain.find((c) => c.compiled === compiled)!.policy;
    const response: JsonRpcResponse = { jsonrpc: '2.0', id: 'inventory', result: { tools: listed } };
    const out = await mcpResponsePhase(hooks, { exchange, call }, [compiled], response);
    if (!out) continue;
    const kept = 'result' in out ? ((out.result as { tools?: Record<string, unknown>[] }).tools ?? []) : [];
    const still = new Set(kept.map((t) => t[KEY]));
    for (const tool of listed) if (!still.has(tool[KEY])) hide(tool[KEY] as number, policy);
    listed = kept;
  }
  for (const tool of listed) result[tool[KEY] as number]!.exposedName = tool.name as string;
  return { tools: result, callerDependent: dependent };
}

/** An exchange without a caller: the judged policies decide on names alone. */
function inventoryExchange(): ExchangeContext {
  return {
    requestId: 'inventory',
    api: { id: '', name: '' },
    upstreamId: '',
    httpMethod: 'POST',
    restPath: '',
    query: '',
    headers: {},
    clientAddress: '127.0.0.1',
    protocolVersion: undefined,
    sessionId: undefined,
    resourceUrl: '',
    logger: SILENT,
    metrics: { countMcpCall: () => undefined },
    attributes: new Map(),
    record: () => undefined,
  };
}
