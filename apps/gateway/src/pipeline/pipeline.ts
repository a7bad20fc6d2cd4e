/**
 * The request path of the data plane: routing, the request and response policy phases, and the
 * ONLY code that answers clients (policies return verdicts, helpers return bytes; the SSE relay
 * only copies body bytes into a response this module has started). One client HTTP request
 * becomes at most one upstream request.
 *
 * Module split: `upstream/forward.ts` makes the upstream call (timeouts, abort, error mapping),
 * `data-plane/sse-relay.ts` copies bodies and event streams with keep-alives, `exchange.ts` is
 * the per-request context; this module decides what happens and writes every status and header.
 *
 * Policy:
 * - Routing: API by base path, route, weighted upstream (router.ts). No API or route: 404, with
 *   a JSON-RPC −32601 body for MCP APIs and MCP-looking requests.
 * - Plain HTTP APIs: a streaming reverse proxy; bodies are never parsed.
 * - MCP APIs need mcp-support (503 otherwise). A POST body is read up to the body limit (413),
 *   decoded once by the mcp-support codec, then every JSON-RPC request/notification runs the
 *   ordered request hooks: the first enforce-mode reject ends it, a mutate replaces the message
 *   for the next policy, shadow mode logs and counts instead of rejecting (and never mutates).
 *   Responses the client sends (to sampling, elicitation, …) pass untouched. The original bytes
 *   are forwarded unless a policy changed something.
 * - A rejected single message is answered with its error; a rejected notification is dropped
 *   (202: JSON-RPC cannot answer a notification). In a batch, rejected elements are removed and
 *   their errors added to the upstream's answer (JSON array, extra SSE events, or instead of a
 *   202). Errors without a JSON-RPC form (401, 429) end the whole exchange.
 * - Response hooks run only where a policy has one for the method. JSON answers are then read
 *   whole; event streams are parsed event by event and only events carrying a response to an
 *   inspected request are rewritten (event ids kept); the rest of the stream is raw bytes.
 *   GET streams of APIs with response hooks are parsed too, since a resumed stream carries
 *   responses to earlier POSTs (see ResponseIdMap).
 * - GET streams are checked for a legacy (2024-11-05) `endpoint` event, whose URI is rewritten to
 *   the gateway's path; parsing stops at the first event with data.
 * - Timeouts: connect (pool), response headers and whole non-SSE bodies (responseTimeoutMs or
 *   the API's); an open event stream never times out, and gets `: keepalive` comments, only ever
 *   between events, while the upstream is silent. Upstream down: 502; too slow: 504. A failure
 *   after the head was sent cuts the connection.
 * - A client that goes away aborts the upstream request (it does not cancel the MCP request:
 *   the upstream keeps the events for a Last-Event-ID resume).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  isResponse,
  serializeSseEvent,
  validateMessage,
  type JsonRpcErrorResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type SseEvent,
} from '#portico/mcp-jsonrpc';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { CompiledApi, CompiledConfig, CompiledPolicy, CompiledUpstream } from '../config/compiled-config.js';
import { readBody } from '../data-plane/body.js';
import type { EventStreamInspector } from '../data-plane/event-stream.js';
import {
  acceptsMcpAnswer,
  clientAddress,
  clientResponseHeaders,
  hasRequestBody,
  headerValue,
  isJsonMediaType,
  looksLikeMcp,
  mediaType,
  upstreamRequestHeaders,
} from '../data-plane/headers.js';
import { rewriteEndpoint } from '../data-plane/legacy-endpoint.js';
import { hasDotSegment, matchApi, pickUpstream, selectRoute } from '../data-plane/router.js';
import { relayBody, relayEvents } from '../data-plane/sse-relay.js';
import { errorMessage, toHttpHeaders, toHttpStatus, toJsonRpcError, toPlainError, type GatewayError } from '../errors.js';
import type { GatewayMetrics } from '../metrics.js';
import type { MessageCodec } from '../policies/policy.js';
import { isPromise } from '../promises.js';
import { UpstreamCall, upstreamError, type UpstreamHead, type UpstreamHeaders } from '../upstream/forward.js';
import type { CallContext, ExchangeContext, McpCall } from './context.js';
import { Exchange } from './exchange.js';
import { HookRunner } from './hook-runner.js';
import { ResponseIdMap } from './response-ids.js';
import type { Verdict } from './verdict.js';

export interface PipelineOptions {
  bodyLimitBytes: number;
  responseTimeoutMs: number;
  sseKeepAliveMs: number;
  logger: Logger;
  metrics: GatewayMetrics;
}

/** What an exchange runs on: one configuration and the upstream pools it holds. */
export interface Runtime {
  readonly config: CompiledConfig;
  dispatcher(upstream: CompiledUpstream): Dispatcher;
}

type Style = 'jsonrpc' | 'plain';
type ClientCall = JsonRpcRequest | JsonRpcNotification;

/** A request whose response some policy inspects. */
interface PendingCall {
  readonly call: McpCall;
  readonly policies: readonly CompiledPolicy[];
}

/** What the response phase of an exchange must do. */
interface ResponsePlan {
  /** By {@link idKey}: requests of this exchange whose responses are inspected. */
  readonly pending: Map<string, PendingCall>;
  /** Errors for rejected batch elements, added to the upstream's answer. */
  readonly injected: readonly JsonRpcErrorResponse[];
}

interface ForwardRequest {
  readonly path: string;
  readonly body: Buffer | IncomingMessage | undefined;
  readonly contentLength: number | undefined;
  readonly plan: ResponsePlan | undefined;
  /** GET on an MCP API: watch for a legacy endpoint event and resumed responses. */
  readonly inspectStream: boolean;
  /** The id an error answer carries (a single JSON-RPC request), else null. */
  readonly replyId: JsonRpcId | null;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const RESPONSE_ID_LIMIT = 10_000;

function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

type RequestOutcome =
  { kind: 'pass'; message: ClientCall; call: McpCall } | { kind: 'reject'; call: McpCall; error: GatewayError };

const NONE_INJECTED: readonly JsonRpcErrorResponse[] = Object.freeze([]);

/** What one request-hook verdict makes of the message: the next message (re-described after a mutate), or a reject. */
function applyRequestVerdict(
  codec: MessageCodec,
  message: ClientCall,
  call: McpCall,
  verdict: Verdict<ClientCall>,
): RequestOutcome {
  if (verdict.kind === 'reject') return { kind: 'reject', call, error: verdict.error };
  if (verdict.kind === 'pass') return { kind: 'pass', message, call };
  const described = codec.describe(verdict.message);
  if (!described.ok) return { kind: 'reject', call, error: described.error };
  return { kind: 'pass', message: verdict.message, call: described.call };
}

export class Pipeline {
  private readonly ids = new ResponseIdMap(RESPONSE_ID_LIMIT);
  /** Open event streams to clients, ended by {@link endStreams}. */
  private readonly streams = new Map<ServerResponse, UpstreamCall>();
  private readonly bootId = randomBytes(4).toString('hex');
  private sequence = 0;
  private readonly hooks: HookRunner;

  constructor(private readonly options: PipelineOptions) {
    this.hooks = new HookRunner(options.metrics);
  }

  /** Serves one client request on `port` with `runtime`. Never throws; every failure is answered. */
  handle(runtime: Runtime, port: number, req: IncomingMessage, res: ServerResponse): void {
    this.serve(runtime, port, req, res).catch((err: unknown) => {
      this.options.logger.error({ err: errorMessage(err) }, 'unexpected error while serving a request');
      this.answer(res, '', 'plain', { kind: 'internal' }, null);
    });
  }

  /** Ends every open event stream (shutdown); clients reconnect, with Last-Event-ID where they can. */
  endStreams(): void {
    for (const call of this.streams.values()) call.abort();
  }

  /** The gateway's own answer; the only place error responses are written. */
  private answer(
    res: ServerResponse,
    apiId: string,
    style: Style,
    error: GatewayError,
    id: JsonRpcId | null,
    close = false,
  ): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify((style === 'jsonrpc' ? toJsonRpcError(error, id) : undefined) ?? toPlainError(error));
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...toHttpHeaders(error),
    };
    if (close) headers.connection = 'close';
    res.writeHead(toHttpStatus(error), headers);
    res.end(body);
    this.options.metrics.countGatewayError(apiId, error.kind);
  }

  private async serve(runtime: Runtime, port: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q);
    const apis = runtime.config.ports.get(port);
    const match = apis && path.startsWith('/') ? matchApi(apis, path) : undefined;
    if (!match) {
      const style = looksLikeMcp(req.headers) ? 'jsonrpc' : 'plain';
      return this.answer(res, '', style, { kind: 'method-not-found', message: `No API is served at ${path}` }, null);
    }
    const { api, restPath } = match;
    const style: Style = api.kind === 'mcp' ? 'jsonrpc' : 'plain';
    if (api.unavailable !== undefined) return this.answer(res, api.id, style, { kind: 'api-unavailable' }, null);
    if (hasDotSegment(restPath)) {
      return this.answer(
        res,
        api.id,
        style,
        { kind: 'invalid-request', message: 'The path must not contain . or .. segments' },
        null,
      );
    }
    const method = req.method ?? 'GET';
    const route = selectRoute(api, method, restPath, req.headers);
    if (!route) {
      return this.answer(
        res,
        api.id,
        style,
        { kind: 'method-not-found', message: `No route of this API matches ${method} ${path}` },
        null,
      );
    }
    const upstream = pickUpstream(route);
    const incomingId = headerValue(req.headers, 'x-request-id');
    const exchange = new Exchange(
      incomingId !== undefined && REQUEST_ID.test(incomingId) ? incomingId : `${this.bootId}-${++this.sequence}`,
      api,
      upstream.id,
      method,
      restPath,
      req.headers,
      clientAddress(req.socket.remoteAddress),
      headerValue(req.headers, 'mcp-protocol-version'),
      headerValue(req.headers, 'mcp-session-id'),
      this.options.logger,
      this.options.metrics,
    );
    const upstreamPath = (restPath === '' ? upstream.path : upstream.pathPrefix + restPath) + query;
    if (api.kind === 'mcp' && !api.codec) {
      return this.answer(res, api.id, 'jsonrpc', { kind: 'mcp-support-required' }, null);
    }
    if (api.kind === 'mcp' && api.codec && method === 'POST') {
      return this.post(runtime, exchange, api, api.codec, upstream, upstreamPath, query, req, res);
    }
    return this.forward(runtime, exchange, api, upstream, req, res, {
      path: upstreamPath,
      body: hasRequestBody(req.headers) ? req : undefined,
      contentLength: undefined,
      plan: undefined,
      inspectStream: api.kind === 'mcp' && method === 'GET',
      replyId: null,
    });
  }

  /** Policies that apply to this exchange by pointcut (HTTP method + path) and upstream. */
  private applicable(api: CompiledApi, exchange: ExchangeContext): readonly CompiledPolicy[] {
    const fixed = api.policiesByUpstream?.get(exchange.upstreamId);
    if (fixed) return fixed;
    const path = exchange.restPath === '' ? '/' : exchange.restPath;
    return api.policies.filter(
      (p) =>
        (p.upstreamIds === undefined || p.upstreamIds.has(exchange.upstreamId)) &&
        (p.pointcuts.length === 0 ||
          p.pointcuts.some((pc) => (!pc.method || pc.method.test(exchange.httpMethod)) && (!pc.path || pc.path.test(path)))),
    );
  }

  private async post(
    runtime: Runtime,
    exchange: Exchange,
    api: CompiledApi,
    codec: MessageCodec,
    upstream: CompiledUpstream,
    upstreamPath: string,
    query: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const contentType = mediaType(req.headers['content-type']);
    if (!isJsonMediaType(contentType)) {
      const error: GatewayError = {
        kind: 'unsupported-media-type',
        message: 'Unsupported Media Type: Content-Type must be application/json',
      };
      return this.answer(res, api.id, 'jsonrpc', error, null);
    }
    if (!acceptsMcpAnswer(req.headers.accept)) {
      const error: GatewayError = {
        kind: 'not-acceptable',
        message: 'Not Acceptable: Accept must allow application/json or text/event-stream',
      };
      return this.answer(res, api.id, 'jsonrpc', error, null);
    }
    const read = await readBody(req, this.options.bodyLimitBytes);
    if (!read.ok) {
      if (read.reason === 'aborted') return;
      const error: GatewayError = {
        kind: 'payload-too-large',
        message: `Payload Too Large: the request body exceeds ${this.options.bodyLimitBytes} bytes`,
      };
      return this.answer(res, api.id, 'jsonrpc', error, null, true);
    }
    const decoded = codec.decode(exchange, read.body);
    if (!decoded.ok) return this.answer(res, api.id, 'jsonrpc', decoded.error, decoded.id);

    const policies = this.applicable(api, exchange);
    const forwarded: JsonRpcMessage[] = [];
    const rejected: { call: McpCall; error: GatewayError }[] = [];
    let pending: Map<string, PendingCall> | undefined;
    let changed = false;
    for (const item of decoded.messages) {
      if (!item.call) {
        forwarded.push(item.message);
        continue;
      }
      const phase = this.requestPhase(exchange, policies, codec, item.message as ClientCall, item.call, 0);
      const outcome = isPromise(phase) ? await phase : phase;
      if (outcome.kind === 'reject') {
        if (toJsonRpcError(outcome.error, null) === undefined) return this.answer(res, api.id, 'jsonrpc', outcome.error, null);
        rejected.push(outcome);
        changed = true;
        continue;
      }
      if (outcome.message !== item.message) changed = true;
      forwarded.push(outcome.message);
      const call = outcome.call;
      if (call.id !== undefined && api.hasResponsePolicies) {
        const responders = policies.filter((p) => p.policy.onResponse !== undefined && p.scope.phases(call.method).response);
        if (responders.length > 0) {
          (pending ??= new Map()).set(idKey(call.id), { call, policies: responders });
          this.ids.remember(api.id, this.sessionKey(exchange, query), call);
        }
      }
    }

    const injected =
      rejected.length === 0
        ? NONE_INJECTED
        : rejected
            .filter((r) => r.call.id !== undefined)
            .map((r) => toJsonRpcError(r.error, r.call.id ?? null) as JsonRpcErrorResponse);
    if (forwarded.length === 0) {
      const only = rejected[0];
      if (!decoded.batch && only && only.call.id !== undefined)
        return this.answer(res, api.id, 'jsonrpc', only.error, only.call.id);
      if (injected.length === 0) {
        res.writeHead(202).end();
        return;
      }
      return this.writeJson(res, 200, [], JSON.stringify(injected));
    }
    const body = changed ? Buffer.from(JSON.stringify(decoded.batch ? forwarded : forwarded[0])) : read.body;
    const single = !decoded.batch ? decoded.messages[0]?.call : undefined;
    return this.forward(runtime, exchange, api, upstream, req, res, {
      path: upstreamPath,
      body,
      contentLength: body.length,
      plan: pending || injected.length > 0 ? { pending: pending ?? new Map(), injected } : undefined,
      inspectStream: false,
      replyId: single?.id ?? null,
    });
  }

  /**
   * Runs the request hooks of `policies` from index `from` on one message. Synchronous while the
   * hooks are (the common case), so a request costs no promise per policy.
   */
  private requestPhase(
    exchange: ExchangeContext,
    policies: readonly CompiledPolicy[],
    codec: MessageCodec,
    message: ClientCall,
    call: McpCall,
    from: number,
  ): RequestOutcome | Promise<RequestOutcome> {
    for (let i = from; i < policies.length; i++) {
      const policy = policies[i]!;
      if (!policy.policy.onRequest || !policy.scope.phases(call.method).request) continue;
      const result = this.hooks.run(policy, 'onRequest', { exchange, call }, message);
      if (isPromise(result)) {
        return result.then((verdict) => {
          const outcome = applyRequestVerdict(codec, message, call, verdict);
          return outcome.kind === 'reject'
            ? outcome
            : this.requestPhase(exchange, policies, codec, outcome.message, outcome.call, i + 1);
        });
      }
      const outcome = applyRequestVerdict(codec, message, call, result);
      if (outcome.kind === 'reject') return outcome;
      message = outcome.message;
      call = outcome.call;
    }
    return { kind: 'pass', message, call };
  }

  /** Runs the response hooks of `pending` on one response; undefined when nothing changed. */
  private async responsePhase(
    exchange: ExchangeContext,
    pending: PendingCall,
    response: JsonRpcResponse,
  ): Promise<JsonRpcResponse | undefined> {
    let current = response;
    let changed = false;
    const ctx: CallContext = { exchange, call: pending.call };
    for (const policy of pending.policies) {
      const result = this.hooks.run(policy, 'onResponse', ctx, current);
      const verdict = isPromise(result) ? await result : result;
      if (verdict.kind === 'reject') {
        return (
          toJsonRpcError(verdict.error, response.id) ??
          (toJsonRpcError({ kind: 'internal' }, response.id) as JsonRpcErrorResponse)
        );
      }
      if (verdict.kind === 'mutate') {
        current = verdict.message;
        changed = true;
      }
    }
    return changed ? current : undefined;
  }

  /** The session a response id belongs to: Mcp-Session-Id, or the legacy transport's `sessionId` query. */
  private sessionKey(exchange: ExchangeContext, query: string): string {
    if (exchange.sessionId !== undefined) return exchange.sessionId;
    return query === '' ? '' : (new URLSearchParams(query).get('sessionId') ?? '');
  }

  /** Finds the pending call for one message of an upstream answer (POST plan, or the id map on GET streams). */
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
    const policies = this.applicable(api, exchange).filter(
      (p) => p.policy.onResponse !== undefined && p.scope.phases(call.method).response,
    );
    return policies.length > 0 ? { call, policies } : undefined;
  }

  /** Applies response hooks to a parsed JSON answer (a message or a batch); undefined when unchanged. */
  private async applyToValue(
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
      const replaced = pending ? await this.responsePhase(exchange, pending, message as JsonRpcResponse) : undefined;
      if (replaced) changed = true;
      out.push(replaced ?? message);
    }
    if (!changed) return undefined;
    return Array.isArray(value) ? out : out[0];
  }

  /** A JSON answer the gateway made (or rewrote); `headers` must not carry Content-Type or Content-Length. */
  private writeJson(res: ServerResponse, status: number, headers: (string | string[])[], body: string): void {
    headers.push('content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)));
    res.writeHead(status, headers);
    res.end(body);
  }

  private async forward(
    runtime: Runtime,
    exchange: Exchange,
    api: CompiledApi,
    upstream: CompiledUpstream,
    req: IncomingMessage,
    res: ServerResponse,
    request: ForwardRequest,
  ): Promise<void> {
    const style: Style = api.kind === 'mcp' ? 'jsonrpc' : 'plain';
    const call = new UpstreamCall(res, api.responseTimeoutMs ?? this.options.responseTimeoutMs);
    const plan = request.plan;
    const readsBody = plan !== undefined || request.inspectStream;
    let head: UpstreamHead;
    try {
      head = await call.start(runtime.dispatcher(upstream), {
        method: exchange.httpMethod,
        path: request.path,
        headers: upstreamRequestHeaders(req.headers, {
          clientAddress: exchange.clientAddress,
          contentLength: request.contentLength,
          identityEncoding: readsBody,
        }),
        body: request.body,
      });
    } catch (err) {
      if (call.aborted) return;
      exchange.logger.warn({ upstream: upstream.id, err: errorMessage(err) }, 'upstream request failed');
      return this.answer(res, api.id, style, upstreamError(false, err), request.replyId);
    }
    const { statusCode, headers, mediaType: type } = head;
    const eventStream = type === 'text/event-stream';
    const encoding = headers['content-encoding'];
    const identity = encoding === undefined || encoding === 'identity';
    const session = readsBody
      ? this.sessionKey(exchange, request.path.includes('?') ? request.path.slice(request.path.indexOf('?')) : '')
      : '';
    try {
      if (plan && plan.injected.length > 0 && statusCode === 202) {
        call.discard();
        return this.writeJson(res, 200, [], JSON.stringify(plan.injected));
      }
      if (plan && isJsonMediaType(type) && identity) {
        return await this.bufferedJson(api, exchange, plan, session, statusCode, headers, await call.readAll(), res);
      }
      if (eventStream && identity && (plan !== undefined || request.inspectStream)) {
        res.writeHead(statusCode, clientResponseHeaders(headers, { dropContentLength: true, eventStream: true }));
        res.flushHeaders();
        this.streams.set(res, call);
        const prelude = (plan?.injected ?? []).map((error) =>
          serializeSseEvent({ event: 'message', data: JSON.stringify(error) }),
        );
        const inspector = this.streamInspector(api, exchange, upstream, plan, session, request);
        return await relayEvents(res, call.chunks(), inspector, prelude, this.options.sseKeepAliveMs);
      }
      res.writeHead(statusCode, clientResponseHeaders(headers, { dropContentLength: false, eventStream }));
      if (eventStream) {
        res.flushHeaders();
        this.streams.set(res, call);
      }
      return await relayBody(res, call, eventStream, this.options.sseKeepAliveMs);
    } catch (err) {
      if (call.aborted) {
        if (this.streams.has(res) || res.headersSent) res.end();
        return;
      }
      exchange.logger.warn(
        { upstream: upstream.id, err: call.timedOut ? 'response body timeout' : errorMessage(err) },
        'upstream response failed',
      );
      return this.answer(res, api.id, style, upstreamError(call.timedOut, err), request.replyId);
    } finally {
      call.finish();
      this.streams.delete(res);
    }
  }

  private async bufferedJson(
    api: CompiledApi,
    exchange: ExchangeContext,
    plan: ResponsePlan,
    session: string,
    statusCode: number,
    headers: UpstreamHeaders,
    raw: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      exchange.logger.warn({ status: statusCode }, 'upstream JSON answer does not parse; passed through uninspected');
      value = undefined;
    }
    let out: unknown = value === undefined ? undefined : await this.applyToValue(api, exchange, plan, session, value);
    if (plan.injected.length > 0) {
      const base = out ?? value;
      out = base === undefined ? plan.injected : [...(Array.isArray(base) ? base : [base]), ...plan.injected];
    }
    if (out === undefined) {
      res.writeHead(statusCode, clientResponseHeaders(headers, { dropContentLength: false, eventStream: false }));
      res.end(raw);
      return;
    }
    const rewritten = clientResponseHeaders(headers, { dropContentLength: true, dropContentType: true, eventStream: false });
    this.writeJson(res, statusCode, rewritten, JSON.stringify(out));
  }

  private streamInspector(
    api: CompiledApi,
    exchange: ExchangeContext,
    upstream: CompiledUpstream,
    plan: ResponsePlan | undefined,
    session: string,
    request: ForwardRequest,
  ): EventStreamInspector {
    let legacy = request.inspectStream;
    const resumed = request.inspectStream && api.hasResponsePolicies;
    const rewrite = async (event: SseEvent, data: string): Promise<Uint8Array | string> => {
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        return event.raw;
      }
      const out = await this.applyToValue(api, exchange, plan, session, value);
      if (out === undefined) return event.raw;
      return serializeSseEvent({
        comments: event.comments,
        event: event.event,
        id: event.id,
        retry: event.retry,
        data: JSON.stringify(out),
      });
    };
    return {
      get active() {
        return legacy || resumed || (plan !== undefined && plan.pending.size > 0);
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
        if ((event.event !== undefined && event.event !== 'message') || (!resumed && !(plan && plan.pending.size > 0)))
          return event.raw;
        const first = data.trimStart().charCodeAt(0);
        if (first !== 123 && first !== 91) return event.raw; // '{' or '['
        return rewrite(event, data);
      },
    };
  }
}
