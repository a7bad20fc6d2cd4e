/**
 * Explain (issue 8): what an API's policy chain would decide for a hypothetical MCP call and
 * caller, policy by policy in the applied order, decided by the gateway's own code
 * (libs/policy-engine): every enabled policy compiled from exactly what gateways receive
 * (snapshot.ts policyConfigs → compilePolicy), the request phase (mcpRequestPhase under a
 * HookRunner whose observer records each verdict) and, given the upstream's answer, the response
 * phase (mcpResponsePhase, reverse order).
 *
 * Where it differs from traffic, by design:
 * - nothing leaves the control plane: policies that would ask the upstream for its tool list
 *   (schema validation, tool pinning) learn it from `upstreamTools`, passed through the chain's
 *   tools/list response hooks first; without it they decide as when the upstream does not answer;
 * - pointcuts and upstream restrictions are not evaluated: every enabled policy runs, and those
 *   that have them say so in their trace;
 * - only the MCP message phases run: policies of the HTTP phase (authentication, IP lists, header
 *   edits) are listed as not simulated, and the caller's identity is given instead, as an
 *   authentication policy would have established it; policy state starts empty (counters,
 *   learned lists).
 */
import {
  type ChainPolicy,
  type ClientCall,
  compilePolicy,
  describeCall,
  type ExchangeContext,
  type GatewayError,
  type HookOutcome,
  HookRunner,
  IDENTITY_ATTRIBUTE,
  type Identity,
  MCP_SUPPORT_REQUIRED_MESSAGE,
  mcpRequestPhase,
  mcpResponsePhase,
  POLICY_REGISTRY,
  PolicyConfigError,
  PolicyStates,
  responders,
  toHttpStatus,
  toJsonRpcError,
  toPlainError,
} from '#portico/policy-engine';
import type { JsonRpcResponse } from '#portico/mcp-jsonrpc';
import { type Policy, PolicyMode } from '#portico/proto-ts';
import pino from 'pino';

/** A hypothetical call and caller (policies.dto.ts simulatePolicyBody). */
export interface SimulationInput {
  message: { method: string; params?: Record<string, unknown>; id?: string | number };
  protocolVersion?: string;
  caller?: { headers?: Record<string, string>; clientAddress?: string; identity?: Identity };
  upstreamTools?: Record<string, unknown>[];
  upstreamResult?: Record<string, unknown>;
  /** The URL the client addresses (the token audience of an OAuth protected resource). */
  resourceUrl?: string;
}

type Outcome = 'pass' | 'mutate' | 'reject' | 'respond' | 'error' | 'skipped';

/** What one policy decided in one phase, and why. */
export interface PolicyTrace {
  id: number;
  policyTemplateId: string;
  order: number;
  mode: 'enforce' | 'shadow';
  phase: 'request' | 'response';
  outcome: Outcome;
  /** false for a shadow policy's reject or mutate (logged and counted, not applied), and for skipped ones. */
  enforced: boolean;
  reason: string;
  /** For a reject: the JSON-RPC error (or HTTP status and body) it answers with. */
  error?: unknown;
  /** For a mutate: the message as the policy changed it. */
  message?: unknown;
}

export interface SimulationResult {
  decision: 'allowed' | 'denied' | 'unavailable';
  reason: string;
  /** When denied or unavailable: the HTTP status and body the client gets. */
  answer?: { httpStatus: number; body: unknown };
  /** When allowed: the message the upstream gets. */
  forwarded?: ClientCall;
  /** When allowed and `upstreamResult` was given: the response the client gets. */
  response?: JsonRpcResponse;
  policies: PolicyTrace[];
}

const MCP_SUPPORT = 'mcp-support';
const SILENT = pino({ level: 'silent' });

function answerFor(error: GatewayError, id: string | number | null): { httpStatus: number; body: unknown } {
  return { httpStatus: toHttpStatus(error), body: toJsonRpcError(error, id) ?? toPlainError(error) };
}

function errorText(error: GatewayError): string {
  return 'message' in error ? error.message : error.kind;
}

/** Nothing leaves the control plane: a policy that would call out (introspection, JWKS) fails as on an outage. */
const NO_FETCH: typeof fetch = () => Promise.reject(new Error('a simulation makes no outbound calls'));

/** Runs `policies` (proto, in order) of API `api` on `input`. */
export async function simulatePolicies(
  api: { id: string; name: string; publicUrl: string },
  policies: readonly Policy[],
  input: SimulationInput,
): Promise<SimulationResult> {
  const traces: PolicyTrace[] = [];
  const warnings: string[] = [];
  const states = new PolicyStates();
  const chain: ChainPolicy[] = [];
  const restricted = new Set<string>();
  for (const policy of policies) {
    const where = `policy ${policy.id} (${policy.type})`;
    try {
      chain.push(
        compilePolicy(
          { ...policy, mode: policy.mode === PolicyMode.POLICY_MODE_SHADOW ? 'shadow' : 'enforce' },
          'mcp',
          where,
          {
            policyId: policy.id,
            apiId: api.id,
            clock: { now: () => Date.now() },
            logger: SILENT,
            state: (key, create) => states.state(policy.id, key, create),
            redis: undefined,
            report: () => undefined,
            fetch: NO_FETCH,
          },
          POLICY_REGISTRY,
          warnings,
        ),
      );
    } catch (error) {
      if (!(error instanceof PolicyConfigError)) throw error;
      const reason = `the gateway does not serve this API: ${error.message}`;
      return { decision: 'unavailable', reason, answer: answerFor({ kind: 'api-unavailable' }, null), policies: [] };
    }
    if (policy.pointcuts.length > 0 || policy.upstreamIds.length > 0) restricted.add(policy.id);
  }
  if (!chain.some((p) => p.type === MCP_SUPPORT)) {
    return {
      decision: 'unavailable',
      reason: MCP_SUPPORT_REQUIRED_MESSAGE,
      answer: answerFor({ kind: 'mcp-support-required' }, null),
      policies: [],
    };
  }
  const order = new Map(chain.map((p, i) => [p, i + 1]));

  const headers = Object.fromEntries(Object.entries(input.caller?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (input.protocolVersion) headers['mcp-protocol-version'] = input.protocolVersion;
  const exchange: ExchangeContext = {
    requestId: 'simulation',
    api,
    upstreamId: '',
    httpMethod: 'POST',
    restPath: '',
    query: '',
    headers,
    clientAddress: input.caller?.clientAddress ?? '127.0.0.1',
    protocolVersion: input.protocolVersion,
    sessionId: undefined,
    resourceUrl: input.resourceUrl ?? `${api.publicUrl}/mcp`,
    logger: SILENT,
    metrics: { countMcpCall: () => undefined },
    attributes: new Map<string, unknown>(input.caller?.identity ? [[IDENTITY_ATTRIBUTE, input.caller.identity]] : []),
    // Findings feed a gateway's access logs; a simulation reports what policies decided in its trace.
    record: () => undefined,
  };

  // The upstream's tool list, seen by the policies that learn from it, before the call.
  if (input.upstreamTools) {
    const listing: ClientCall = { jsonrpc: '2.0', id: 'simulation-tools', method: 'tools/list' };
    const described = describeCall(listing, input.protocolVersion);
    if (described.ok) {
      await mcpResponsePhase(
        new HookRunner(() => undefined),
        { exchange, call: described.call },
        responders(chain, 'tools/list'),
        {
          jsonrpc: '2.0',
          id: 'simulation-tools',
          result: { tools: input.upstreamTools },
        },
      );
    }
  }

  let phase: 'request' | 'response' = 'request';
  /** A policy's trace, to be completed with what it decided. */
  const traceOf = (policy: ChainPolicy, outcome: Outcome, enforced: boolean, reason: string): PolicyTrace => ({
    id: Number(policy.id),
    policyTemplateId: policy.type,
    order: order.get(policy) ?? 0,
    mode: policy.mode,
    phase,
    outcome,
    enforced,
    reason,
  });
  const record = (policy: ChainPolicy, outcome: HookOutcome): void => {
    const shadow = policy.mode === 'shadow' && outcome.kind !== 'pass';
    const trace = traceOf(policy, outcome.kind, !shadow, 'passed');
    if (outcome.kind === 'reject') {
      trace.reason = `denied: ${errorText(outcome.error)}`;
      trace.error = answerFor(outcome.error, id).body;
    } else if (outcome.kind === 'mutate') {
      trace.reason = phase === 'request' ? 'changed the request' : 'changed the response';
      trace.message = outcome.message;
    } else if (outcome.kind === 'error') {
      const failOpen = policy.policy.failureMode === 'fail-open';
      trace.reason = `the policy failed (${(outcome.error as Error)?.message ?? String(outcome.error)}); ${failOpen ? 'fail-open: passed' : 'fail-closed: answered as an internal error'}`;
    }
    if (shadow) trace.reason += ' (shadow mode: logged and counted, not applied)';
    if (restricted.has(policy.id)) trace.reason += '; it has pointcuts or upstream restrictions, simulated as applying';
    traces.push(trace);
  };
  const hooks = new HookRunner(record);

  const notification = input.message.method.startsWith('notifications/');
  const id = notification ? null : (input.message.id ?? 1);
  const message: ClientCall = notification
    ? { jsonrpc: '2.0', method: input.message.method, ...(input.message.params ? { params: input.message.params } : {}) }
    : {
        jsonrpc: '2.0',
        id: id!,
        method: input.message.method,
        ...(input.message.params ? { params: input.message.params } : {}),
      };
  const described = describeCall(message, input.protocolVersion);
  if (!described.ok) {
    return {
      decision: 'denied',
      reason: `the gateway refuses the message: ${errorText(described.error)}`,
      answer: answerFor(described.error, id),
      policies: [],
    };
  }

  const requested = await mcpRequestPhase(hooks, exchange, chain, message, described.call);
  // The chain stops at an enforced reject: the last trace is that policy's.
  const deniedAt = requested.kind === 'reject' ? (traces.at(-1)?.order ?? 0) : Number.POSITIVE_INFINITY;
  const requestTraces = chain.map(
    (policy) =>
      traces.find((t) => t.id === Number(policy.id)) ??
      traceOf(
        policy,
        'skipped',
        false,
        order.get(policy)! > deniedAt
          ? 'not reached: an earlier policy denied the call'
          : policy.policy.onHttpRequest && !policy.policy.onRequest
            ? 'runs on the HTTP request before any MCP message (authentication, addresses, headers): not simulated; the caller identity given stands for what it establishes'
            : `no request hook for ${described.call.method}`,
      ),
  );
  if (requested.kind === 'reject') {
    const by = traces.at(-1);
    return {
      decision: 'denied',
      reason: `policy ${by?.id} (${by?.policyTemplateId}) ${by?.reason ?? 'denied the call'}`,
      answer: answerFor(requested.error, id),
      policies: requestTraces,
    };
  }
  const result: SimulationResult = {
    decision: 'allowed',
    reason: 'every policy passed the call',
    forwarded: requested.message,
    policies: requestTraces,
  };
  if (input.upstreamResult && id !== null) {
    phase = 'response';
    const before = traces.length;
    const upstream: JsonRpcResponse = { jsonrpc: '2.0', id, result: input.upstreamResult };
    result.response =
      (await mcpResponsePhase(hooks, { exchange, call: requested.call }, responders(chain, requested.call.method), upstream)) ??
      upstream;
    result.policies.push(...traces.slice(before));
  }
  return result;
}
