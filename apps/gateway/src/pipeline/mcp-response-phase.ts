/**
 * The MCP response phase: onResponse hooks run on the JSON-RPC responses to requests some policy
 * inspects (its method scope has the response phase), wherever the response arrives.
 *
 * - A POST's own answer: a JSON body is read whole, parsed and rewritten only if a hook changed
 *   something; an event stream is parsed event by event and only events carrying a response to
 *   an inspected request are rewritten (event ids kept); the rest stays raw bytes.
 * - A GET stream of an API with response hooks: a resumed stream carries responses to earlier
 *   POSTs, found by id (ResponseIdMap, per API + session).
 * - Errors for rejected batch elements are added to the upstream's answer (JSON array, extra SSE
 *   events before the upstream's).
 * - GET streams are also checked for a legacy (2024-11-05) `endpoint` event, whose URI is
 *   rewritten to the gateway's path; parsing stops at the first event with data.
 * Which hooks run and what their verdicts do is the policy engine's (its mcp-response-phase.ts).
 */
import { type ExchangeContext, type HookRunner, type McpCall, mcpResponsePhase, responders } from '#portico/policy-engine';
import {
  isResponse,
  serializeSseEvent,
  validateMessage,
  type JsonRpcErrorResponse,
  type JsonRpcId,
  type JsonRpcResponse,
  type SseEvent,
} from '#portico/mcp-jsonrpc';
import type { CompiledApi, CompiledPolicy, CompiledUpstream } from '../config/compiled-config.js';
import type { AwaitedAnswers } from './awaited-answers.js';
import type { EventStreamInspector } from '../data-plane/event-stream.js';
import { rewriteEndpoint } from '../data-plane/legacy-endpoint.js';
import { applicablePolicies } from './applicable-policies.js';
import type { ResponseIdMap } from './response-ids.js';

/** A request whose response some policy inspects. */
export interface PendingCall {
  readonly call: McpCall;
  readonly policies: readonly CompiledPolicy[];
  /** Sees the upstream's response before the policies do (tools-observer.ts). */
  readonly observe?: (response: JsonRpcResponse) => void;
}

/** What the response phase of a POST must do. */
export interface ResponsePlan {
  /** By {@link idKey}: requests of this exchange whose responses are inspected. */
  readonly pending: Map<string, PendingCall>;
  /** Errors for rejected batch elements, added to the upstream's answer. */
  readonly injected: readonly JsonRpcErrorResponse[];
}

export function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

/** The session a response id belongs to: Mcp-Session-Id, or the legacy transport's `sessionId` query. */
export function sessionKey(exchange: ExchangeContext, query: string): string {
  if (exchange.sessionId !== undefined) return exchange.sessionId;
  return query === '' ? '' : (new URLSearchParams(query).get('sessionId') ?? '');
}

export class McpResponsePhase {
  constructor(
    private readonly hooks: HookRunner,
    private readonly ids: ResponseIdMap,
  ) {}

  /** Runs the response hooks of `pending` on one response; undefined when nothing changed. */
  private run(exchange: ExchangeContext, pending: PendingCall, response: JsonRpcResponse): Promise<JsonRpcResponse | undefined> {
    pending.observe?.(response);
    return mcpResponsePhase(this.hooks, { exchange, call: pending.call }, pending.policies, response);
  }

  /** Finds the pending call for one message of an upstream answer (the POST plan, or the id map on GET streams). */
  private pendingFor(
    api: CompiledApi,
    exchange: ExchangeContext,
    plan: ResponsePlan | undefined,
    session: string,
    message: unknown,
  ): PendingCall | undefined {
    const checked = validateMessage(message);
    if (!checked.ok || !isResponse(checked.message) || checked.message.id === null) return undefined;
    const id = checked.message.id;
    if (plan) {
      const pending = plan.pending.get(idKey(id));
      if (pending) {
        plan.pending.delete(idKey(id));
        this.ids.take(api.id, session, id);
      }
      return pending;
    }
    const call = this.ids.take(api.id, session, id);
    if (!call) return undefined;
    const policies = responders(applicablePolicies(api, exchange), call.method);
    return policies.length > 0 ? { call, policies } : undefined;
  }

  /** Applies response hooks to a parsed JSON answer (a message or a batch); undefined when unchanged. */
  async applyToValue(
    api: CompiledApi,
    exchange: ExchangeContext,
    plan: ResponsePlan | undefined,
    session: string,
    value: unknown,
  ): Promise<unknown> {
    const messages = Array.isArray(value) ? value : [value];
    let changed = false;
    const out: unknown[] = [];
    for (const message of messages) {
      const pending = this.pendingFor(api, exchange, plan, session, message);
      const replaced = pending ? await this.run(exchange, pending, message as JsonRpcResponse) : undefined;
      if (replaced) changed = true;
      out.push(replaced ?? message);
    }
    if (!changed) return undefined;
    return Array.isArray(value) ? out : out[0];
  }

  /**
   * The inspector of an event stream: rewrites the events carrying inspected responses and, on a
   * GET, a legacy `endpoint` event; on a POST, records which of `awaited` got their responses.
   * `target` is the upstream URL the stream came from.
   */
  streamInspector(
    api: CompiledApi,
    exchange: ExchangeContext,
    upstream: CompiledUpstream,
    plan: ResponsePlan | undefined,
    session: string,
    request: { readonly path: string; readonly inspectStream: boolean },
    awaited: AwaitedAnswers | undefined,
  ): EventStreamInspector {
    let legacy = request.inspectStream;
    const resumed = request.inspectStream && api.hasResponsePolicies;
    const inspecting = () => resumed || (plan !== undefined && plan.pending.size > 0);
    const rewrite = (event: SseEvent, data: string): Uint8Array | string | Promise<Uint8Array | string> => {
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        return event.raw;
      }
      awaited?.see(value);
      if (!inspecting()) return event.raw;
      return this.applyToValue(api, exchange, plan, session, value).then((out) =>
        out === undefined
          ? event.raw
          : serializeSseEvent({
              comments: event.comments,
              event: event.event,
              id: event.id,
              retry: event.retry,
              data: JSON.stringify(out),
            }),
      );
    };
    return {
      get active() {
        return legacy || inspecting() || (awaited !== undefined && !awaited.done);
      },
      onEvent(event) {
        const data = event.data;
        if (data === undefined || data === '') return event.raw;
        if (legacy) {
          legacy = false;
          if (event.event === 'endpoint') {
            const target = rewriteEndpoint(data, `${upstream.origin}${request.path}`, upstream, api.basePath);
            if (target === undefined) {
              exchange.logger.warn(
                { upstream: upstream.id },
                'legacy endpoint event outside the upstream URL; passed through unchanged',
              );
              return event.raw;
            }
            return serializeSseEvent({
              comments: event.comments,
              event: event.event,
              id: event.id,
              retry: event.retry,
              data: target,
            });
          }
        }
        if (
          (event.event !== undefined && event.event !== 'message') ||
          (!inspecting() && (awaited === undefined || awaited.done))
        )
          return event.raw;
        const first = data.trimStart().charCodeAt(0);
        if (first !== 123 && first !== 91) return event.raw; // '{' or '['
        return rewrite(event, data);
      },
    };
  }
}
