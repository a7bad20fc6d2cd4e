/**
 * The request path of the data plane, and the ONLY code that answers clients (policies return
 * verdicts, helpers return bytes; the SSE relay only copies body bytes into a response this
 * module has started). One client HTTP request becomes at most one upstream request.
 *
 * Flow, one module per step: route (data-plane/router.ts) → HTTP request phase (http-phases.ts)
 * → for an MCP POST: read, decode (mcp-codec.ts), MCP request phase per message
 * (mcp-request-phase.ts) → upstream (upstream/forward.ts) → HTTP response-head phase
 * (http-phases.ts) → MCP response phase where a policy inspects responses
 * (mcp-response-phase.ts) or the raw relay (data-plane/sse-relay.ts) → client.
 *
 * Policy:
 * - Host and Origin must name the API (data-plane/host-check.ts), else 403, before anything
 *   else about the API is told.
 * - Routing: API by base path, route, weighted upstream. No API or route: 404, with a JSON-RPC
 *   −32601 body for MCP APIs and MCP-looking requests. An API whose configuration failed answers
 *   503 (translate.ts); an MCP API without mcp-support answers 503.
 * - The HTTP request phase runs for EVERY request of an API (MCP POST, GET streams, DELETE, plain
 *   HTTP), before any body is read: the first reject answers (401, 403, 429, …); header edits
 *   apply to the upstream request. The response-head phase edits the headers of what the
 *   upstream answered (and of the gateway's own answers after the request phase).
 * - Agents (agent-access.ts): on an MCP API with agent access, the exchange's agent is recognised
 *   once the HTTP request phase established its identity (for an MCP POST, once its body is
 *   decoded, for the clientInfo it states); a restricted backend refuses any other with 403
 *   AGENT_NOT_ALLOWED before the MCP request phase.
 * - Plain HTTP APIs: a streaming reverse proxy; bodies are never parsed.
 * - MCP POST: the body is read up to the body limit (413), decoded once, then every JSON-RPC
 *   request/notification runs the MCP request phase. Responses the client sends (to sampling,
 *   elicitation, …) pass untouched. The original bytes are forwarded unless a policy changed
 *   something. A rejected single message is answered with its error; a rejected notification is
 *   dropped (202: JSON-RPC cannot answer a notification). In a batch, rejected elements are
 *   removed and their errors added to the upstream's answer (JSON array, extra SSE events, or
 *   instead of a 202). Errors without a JSON-RPC form (401, 429) end the whole exchange.
 * - Timeouts: connect (pool), response headers and whole non-SSE bodies (responseTimeoutMs or
 *   the API's); an open event stream never times out, and gets `: keepalive` comments, only ever
 *   between events, while the upstream is silent. Upstream down: 502; too slow: 504. A failure
 *   after the head was sent cuts the connection.
 * - A client that goes away aborts the upstream request (it does not cancel the MCP request:
 *   the upstream keeps the events for a Last-Event-ID resume).
 */
import { PROTECTED_RESOURCE_PREFIX, publicResourceUrl } from '../data-plane/public-url.js';
import { relayedChallenges, relayedResourceMetadata } from './relayed-resource.js';
import type { BlockList } from 'node:net';
import {
  errorMessage,
  toHttpHeaders,
  toHttpStatus,
  toJsonRpcError,
  toPlainError,
  type GatewayError,
  type HeaderEdit,
  isPromise,
  HookRunner,
  decodeBody,
  type ClientCall,
  mcpRequestPhase,
  mirroredHeaders,
  responders,
  type ProtectedResource,
  resourceMetadataUrl,
} from '#portico/policy-engine';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { serializeSseEvent, type JsonRpcErrorResponse, type JsonRpcId, type JsonRpcMessage } from '#portico/mcp-jsonrpc';
import type { Logger } from 'pino';
import type { Span } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import type { CompiledApi, CompiledConfig, CompiledPolicy, CompiledUpstream } from '../config/compiled-config.js';
import { readBody } from '../data-plane/body.js';
import type { HostCheck } from '../data-plane/host-check.js';
import {
  acceptsMcpAnswer,
  applyHeaderEdits,
  clientAddress,
  clientResponseHeaders,
  peerAddress,
  hasRequestBody,
  headerValue,
  isJsonMediaType,
  looksLikeMcp,
  mediaType,
  upstreamRequestHeaders,
} from '../data-plane/headers.js';
import { hasDotSegment, matchApi, pickUpstream, selectRoute } from '../data-plane/router.js';
import { relayBody, relayEvents } from '../data-plane/sse-relay.js';
import { EventTooLarge } from '../data-plane/event-stream.js';
import type { GatewayMetrics } from '../metrics.js';
import { limitOf, UpstreamCall, upstreamError, type UpstreamHead } from '../upstream/forward.js';
import { AccessLog } from '../access-log/access-log.js';
import { AccessRecord } from '../access-log/access-record.js';
import type { ExchangeTracer } from '../tracing/exchange-tracer.js';
import { admitAgent } from './agent-access.js';
import { applicablePolicies } from './applicable-policies.js';
import { answersRequests, AwaitedAnswers } from './awaited-answers.js';
import { Exchange } from './exchange.js';
import { InFlight, type InFlightEntry } from './in-flight.js';
import { httpRequestPhase, type HttpRequestOutcome, httpResponseEdits, NO_EDITS, UNCHANGED } from './http-phases.js';
import { idKey, McpResponsePhase, type PendingCall, type ResponsePlan, sessionKey } from './mcp-response-phase.js';
import { ResponseIdMap } from './response-ids.js';
import type { ToolsObserver } from './tools-observer.js';
import { MEMBER_HEADER } from '../federation/federation.js';

export interface PipelineOptions {
  bodyLimitBytes: number;
  /** The largest upstream answer read whole (to check or inspect it), and event held while inspecting a stream. */
  answerLimitBytes: number;
  /** An event stream whose upstream sends nothing this long is ended (0: never). */
  streamIdleMs: number;
  responseTimeoutMs: number;
  sseKeepAliveMs: number;
  hostCheck: HostCheck;
  /** Proxies whose X-Forwarded-For is believed; undefined: none. */
  trustedProxies: BlockList | undefined;
  /** PORTICO_GATEWAY_PUBLIC_URL (normalised). */
  publicUrl: string | undefined;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Where finished exchanges are logged; undefined: no access log (nothing of it runs). */
  accessLog: AccessLog | undefined;
  /** Traces exchanges (OpenTelemetry); undefined: tracing is off (nothing of it runs). */
  tracer: ExchangeTracer | undefined;
  /** Reports the tool lists MCP servers answer (AI inventory); undefined: nothing is observed. */
  tools?: ToolsObserver;
}

/** What an exchange runs on: one configuration and the upstream pools it holds. */
export interface Runtime {
  readonly config: CompiledConfig;
  dispatcher(upstream: CompiledUpstream): Dispatcher;
}

type Style = 'jsonrpc' | 'plain';

/** An exchange past routing: what every later step works with. */
interface Routed {
  readonly runtime: Runtime;
  readonly exchange: Exchange;
  readonly api: CompiledApi;
  readonly upstream: CompiledUpstream;
  /** The API's policies that apply to this exchange, in order. */
  readonly policies: readonly CompiledPolicy[];
  /** Header edits of the HTTP request phase, for the upstream request (set once that phase passed). */
  edits: readonly HeaderEdit[];
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly style: Style;
  /** The exchange's trace span when tracing is on. */
  readonly span: Span | undefined;
}

/** What the end of an exchange reports on: the exchange once made, the trace span when tracing is on. */
interface Served {
  exchange: Exchange | undefined;
  readonly span: Span | undefined;
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
  /** An MCP POST: the ids of its requests, whose responses the client waits for (awaited-answers.ts). */
  readonly awaiting: readonly JsonRpcId[];
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const RESPONSE_ID_LIMIT = 10_000;
const NONE_INJECTED: readonly JsonRpcErrorResponse[] = Object.freeze([]);
const NOT_AWAITING: readonly JsonRpcId[] = Object.freeze([]);
const SHUTTING_DOWN: GatewayError = Object.freeze({ kind: 'shutting-down' });
const NO_HOST: GatewayError = Object.freeze({ kind: 'invalid-request', message: 'An HTTP/1.1 request needs a Host header' });
/** The status of an answer the client did not wait for (nginx's). */
const CLIENT_CLOSED = 499;
const NO_ID = () => '';

export class Pipeline {
  private readonly ids = new ResponseIdMap(RESPONSE_ID_LIMIT);
  /** Open event streams on which the client awaits no answer (GET streams): ended by {@link endStreams}. */
  private readonly streams = new InFlight<UpstreamCall>();
  /** Every upstream call in flight: what {@link stop} ends. */
  private readonly calls = new InFlight<UpstreamCall>();
  private stopping = false;
  private readonly bootId = randomBytes(4).toString('hex');
  private sequence = 0;
  private readonly hooks: HookRunner;
  private readonly responses: McpResponsePhase;

  constructor(private readonly options: PipelineOptions) {
    this.hooks = new HookRunner((policy, outcome, exchange) => {
      options.metrics.countPolicyVerdict(policy.type, outcome.kind, policy.mode);
      // The pipeline hands hooks its own Exchange objects only.
      (exchange as Exchange).access?.verdict(policy, outcome);
    });
    this.responses = new McpResponsePhase(this.hooks, this.ids);
  }

  /** Serves one client request on `port` with `runtime`. Never throws; every failure is answered. */
  handle(runtime: Runtime, port: number, req: IncomingMessage, res: ServerResponse): void {
    const { accessLog, tracer } = this.options;
    const access = accessLog || tracer ? new AccessRecord(req) : undefined;
    const served: Served = { exchange: undefined, span: tracer?.start(req.method ?? 'GET', req.headers) };
    let serving: void | Promise<void>;
    try {
      serving = this.serve(runtime, port, req, res, access, served);
    } catch (err) {
      serving = this.unexpected(res, err, access);
    }
    if (serving) {
      const done = serving.catch((err: unknown) => this.unexpected(res, err, access));
      if (access) void done.then(() => this.ended(access, req, res, served));
    } else if (access) {
      this.ended(access, req, res, served);
    }
  }

  /**
   * Logs and ends the trace of an exchange whose answer ended (or whose client went away). Never
   * throws: it runs after the answer, where nobody could handle it.
   */
  private ended(access: AccessRecord, req: IncomingMessage, res: ServerResponse, served: Served): void {
    try {
      // Answered: the answer was ended, though its last bytes may still be on their way (Node 24
      // marks a response finished only once they are flushed; Node 20 often at once).
      const status = res.writableEnded ? res.statusCode : CLIENT_CLOSED;
      const { accessLog, tracer } = this.options;
      // A request no API took is nobody's to log.
      const events = access.apiId === '' ? [] : access.events(accessLog?.next ?? NO_ID, req, status, served.exchange);
      if (events.length > 0) accessLog?.write(events);
      if (served.span) tracer!.end(served.span, events[0], status);
    } catch (err) {
      this.options.logger.error({ err: errorMessage(err) }, 'the access event of an exchange could not be written');
    }
  }

  private unexpected(res: ServerResponse, err: unknown, access: AccessRecord | undefined): void {
    this.options.logger.error({ err: errorMessage(err) }, 'unexpected error while serving a request');
    this.answer(res, '', 'plain', { kind: 'internal' }, null, false, undefined, access);
  }

  /**
   * Shutdown, first step: ends the open event streams on which no client awaits an answer;
   * clients reconnect (to another replica), with Last-Event-ID where they can.
   */
  endStreams(): void {
    this.streams.forEach((call) => call.abort());
  }

  /**
   * Shutdown, once the drain period is over: every upstream call still in flight ends, and so
   * does any request that reaches the upstream step from now on. Their clients get the
   * `shutting-down` error: as the answer (503), or, on an event stream already open, as an error
   * event for each request not answered yet.
   */
  stop(): void {
    this.stopping = true;
    this.calls.forEach((call) => call.abort());
  }

  /**
   * The gateway's own answer; the only place error responses are written. With `routed` (past
   * the HTTP request phase) the response-head hooks may edit its headers.
   */
  private answer(
    res: ServerResponse,
    apiId: string,
    style: Style,
    error: GatewayError,
    id: JsonRpcId | null,
    close = false,
    routed?: Routed,
    access = routed?.exchange.access,
  ): void {
    if (access) access.gatewayError = error.kind;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const jsonRpc = style === 'jsonrpc' ? toJsonRpcError(error, id) : undefined;
    if (access && jsonRpc) access.errorCode = jsonRpc.error.code;
    const body = JSON.stringify(jsonRpc ?? toPlainError(error));
    const status = toHttpStatus(error);
    const headers: string[] = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))];
    for (const [name, value] of Object.entries(toHttpHeaders(error))) headers.push(name, value);
    if (close) headers.push('connection', 'close');
    res.writeHead(status, routed ? this.clientHead(routed, status, headers) : headers);
    res.end(body);
    this.options.metrics.countGatewayError(apiId, error.kind);
  }

  /** The gateway's answer to a request for `api` before the exchange is made (no response-head hooks run). */
  private refuse(
    res: ServerResponse,
    api: CompiledApi,
    style: Style,
    error: GatewayError,
    access: AccessRecord | undefined,
  ): void {
    this.answer(res, api.id, style, error, null, false, undefined, access);
  }

  /** `headers` (flat) of a response to `routed` with the response-head hooks' edits applied. */
  private clientHead<V extends string | string[]>(routed: Routed, status: number, headers: V[]): (V | string)[] {
    if (!routed.api.httpResponseHooks) return headers;
    const head = { status, headers: headerRecord(headers) };
    const edits = httpResponseEdits(this.hooks, routed.policies, { exchange: routed.exchange }, head);
    return edits.length ? applyHeaderEdits(headers, edits) : headers;
  }
  /**
   * The head of an upstream answer as the client gets it: an upstream's own OAuth challenge
   * pointed at the gateway (relayed-resource.ts), then the response-head hooks.
   */
  private upstreamHead<V extends string | string[]>(routed: Routed, status: number, headers: V[]): (V | string)[] {
    const relayed =
      (status === 401 || status === 403) && !routed.api.protectedResource
        ? relayedChallenges(headers, resourceMetadataUrl(routed.exchange.resourceUrl))
        : headers;
    return this.clientHead(routed, status, relayed);
  }

  /**
   * The upstream's own protected-resource metadata for an MCP API the gateway does not protect
   * itself, `resource` rewritten to the URL the client addresses (relayed-resource.ts); 404 when
   * the upstream has none.
   */
  private async relayResourceMetadata(
    runtime: Runtime,
    match: { api: CompiledApi; restPath: string },
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const { api, restPath } = match;
    const refusal = this.options.hostCheck.refusal(api, req.headers);
    if (refusal !== undefined) return this.answer(res, api.id, 'plain', { kind: 'host-not-allowed', message: refusal }, null);
    const route = selectRoute(api, 'GET', restPath, req.headers);
    const upstream = route && pickUpstream(route);
    const body =
      upstream &&
      (await relayedResourceMetadata(
        runtime.dispatcher(upstream),
        upstream,
        restPath,
        publicResourceUrl(api, restPath, req, this.options.publicUrl),
        res,
        api.responseTimeoutMs ?? this.options.responseTimeoutMs,
      ));
    if (body === undefined || !upstream) {
      return this.answer(
        res,
        api.id,
        'plain',
        { kind: 'method-not-found', message: 'No protected resource is described here' },
        null,
      );
    }
    this.writeMetadata(req, res, body);
  }

  /** Protected-resource metadata: public, so any origin may read it. */
  private writeMetadata(req: IncomingMessage, res: ServerResponse, body: string): void {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'max-age=300',
      'access-control-allow-origin': '*',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** RFC 9728 metadata of an API a policy makes a protected resource (describedResource). */
  private protectedResourceMetadata(
    match: { api: CompiledApi; restPath: string },
    metadata: ProtectedResource,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const refusal = this.options.hostCheck.refusal(match.api, req.headers);
    if (refusal !== undefined)
      return this.answer(res, match.api.id, 'plain', { kind: 'host-not-allowed', message: refusal }, null);
    const body = JSON.stringify({
      resource: publicResourceUrl(match.api, match.restPath, req, this.options.publicUrl),
      authorization_servers: metadata.authorizationServers,
      ...(metadata.scopesSupported.length > 0 ? { scopes_supported: metadata.scopesSupported } : {}),
      bearer_methods_supported: ['header'],
      resource_name: match.api.name,
    });
    this.writeMetadata(req, res, body);
  }

  /**
   * Routing and the HTTP request phase. Synchronous up to the first step that has to wait (a
   * hook that calls out, the request body, the upstream), so a request costs no promise for the
   * steps that do not.
   */
  private serve(
    runtime: Runtime,
    port: number,
    req: IncomingMessage,
    res: ServerResponse,
    access: AccessRecord | undefined,
    served: Served,
  ): void | Promise<void> {
    // RFC 9112 §3.2 (node:http's own check is off, listeners.ts, so that this answer has our shape).
    if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor === 1) {
      return this.answer(res, '', 'plain', NO_HOST, null, true);
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q);
    const apis = runtime.config.ports.get(port);
    const described = apis && describedResource(apis, path);
    if (described) {
      return described.metadata
        ? this.protectedResourceMetadata(described.match, described.metadata, req, res)
        : this.relayResourceMetadata(runtime, described.match, req, res);
    }
    const match = apis && path.startsWith('/') ? matchApi(apis, path) : undefined;
    if (!match) {
      const style = looksLikeMcp(req.headers) ? 'jsonrpc' : 'plain';
      return this.answer(res, '', style, { kind: 'method-not-found', message: `No API is served at ${path}` }, null);
    }
    const { api, restPath } = match;
    if (access) access.apiId = api.id;
    const style: Style = api.kind === 'mcp' ? 'jsonrpc' : 'plain';
    const refusal = this.options.hostCheck.refusal(api, req.headers);
    if (refusal !== undefined) return this.refuse(res, api, style, { kind: 'host-not-allowed', message: refusal }, access);
    if (api.unavailable !== undefined) return this.refuse(res, api, style, { kind: 'api-unavailable' }, access);
    if (api.disabled !== undefined)
      return this.refuse(res, api, style, { kind: 'backend-disabled', message: api.disabled }, access);
    if (hasDotSegment(restPath))
      return this.refuse(
        res,
        api,
        style,
        { kind: 'invalid-request', message: 'The path must not contain . or .. segments' },
        access,
      );
    const method = req.method ?? 'GET';
    const route = selectRoute(api, method, restPath, req.headers);
    if (!route)
      return this.refuse(
        res,
        api,
        style,
        { kind: 'method-not-found', message: `No route of this API matches ${method} ${path}` },
        access,
      );
    if (api.kind === 'mcp' && !api.mcpSupport) return this.refuse(res, api, 'jsonrpc', { kind: 'mcp-support-required' }, access);
    const upstream = pickUpstream(route);
    const incomingId = headerValue(req.headers, 'x-request-id');
    const exchange = new Exchange(
      incomingId !== undefined && REQUEST_ID.test(incomingId) ? incomingId : `${this.bootId}-${++this.sequence}`,
      api,
      upstream.id,
      method,
      restPath,
      q === -1 ? '' : url.slice(q + 1),
      req.headers,
      clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.options.trustedProxies),
      peerAddress(req.socket.remoteAddress),
      headerValue(req.headers, 'mcp-protocol-version'),
      headerValue(req.headers, 'mcp-session-id'),
      this.options.logger,
      this.options.metrics,
      req,
      this.options.publicUrl,
      access,
    );
    served.exchange = exchange;
    const policies = applicablePolicies(api, exchange);
    const phase = api.httpRequestHooks ? httpRequestPhase(this.hooks, policies, { exchange }) : UNCHANGED;
    const routed: Routed = { runtime, exchange, api, upstream, policies, edits: NO_EDITS, req, res, style, span: served.span };
    const upstreamPath = (restPath === '' ? upstream.path : upstream.pathPrefix + restPath) + query;
    if (isPromise(phase)) return phase.then((outcome) => this.dispatch(routed, outcome, upstreamPath, query));
    return this.dispatch(routed, phase, upstreamPath, query);
  }

  /** After the HTTP request phase: its reject answers, else the MCP POST path or the plain forward. */
  private dispatch(routed: Routed, phase: HttpRequestOutcome, upstreamPath: string, query: string): void | Promise<void> {
    const { api, req, res, style } = routed;
    if (phase.kind === 'reject') return this.answer(res, api.id, style, phase.error, null, hasRequestBody(req.headers), routed);
    if (phase.kind === 'respond') {
      const body = phase.body ?? '';
      const headers = [...Object.entries(phase.headers).flat(), 'content-length', String(Buffer.byteLength(body))];
      // A body the client sent along is not read: the connection cannot be reused after it.
      if (hasRequestBody(req.headers)) headers.push('connection', 'close');
      res.writeHead(phase.status, this.clientHead(routed, phase.status, headers));
      return void res.end(body);
    }
    routed.edits = phase.edits;
    if (api.kind === 'mcp' && req.method === 'POST') return this.post(routed, upstreamPath, query);
    if (api.agents !== undefined) {
      const refusal = admitAgent(api.agents, routed.exchange, undefined);
      if (refusal) return this.answer(res, api.id, style, refusal, null, hasRequestBody(req.headers), routed);
    }
    return this.forward(routed, {
      path: upstreamPath,
      body: hasRequestBody(req.headers) ? req : undefined,
      contentLength: undefined,
      plan: undefined,
      inspectStream: api.kind === 'mcp' && req.method === 'GET',
      replyId: null,
      awaiting: NOT_AWAITING,
    });
  }

  /** An MCP POST: read, decode, MCP request phase per message, then forward what is left. */
  private async post(routed: Routed, upstreamPath: string, query: string): Promise<void> {
    const { exchange, api, policies, req, res } = routed;
    const contentType = mediaType(req.headers['content-type']);
    if (!isJsonMediaType(contentType)) {
      const error: GatewayError = {
        kind: 'unsupported-media-type',
        message: 'Unsupported Media Type: Content-Type must be application/json',
      };
      return this.answer(res, api.id, 'jsonrpc', error, null, false, routed);
    }
    if (!acceptsMcpAnswer(req.headers.accept)) {
      const error: GatewayError = {
        kind: 'not-acceptable',
        message: 'Not Acceptable: Accept must allow application/json or text/event-stream',
      };
      return this.answer(res, api.id, 'jsonrpc', error, null, false, routed);
    }
    const read = await readBody(req, this.options.bodyLimitBytes);
    if (!read.ok) {
      if (read.reason === 'aborted') return;
      this.options.metrics.countLimitHit(api.id, 'body-size');
      const error: GatewayError = {
        kind: 'payload-too-large',
        message: `Payload Too Large: the request body exceeds ${this.options.bodyLimitBytes} bytes`,
      };
      return this.answer(res, api.id, 'jsonrpc', error, null, true, routed);
    }
    const access = exchange.access;
    if (access) access.requestBytes = read.body.length;
    const decoded = decodeBody(exchange, read.body);
    if (!decoded.ok) return this.answer(res, api.id, 'jsonrpc', decoded.error, decoded.id, false, routed);
    if (api.agents !== undefined) {
      const refusal = admitAgent(api.agents, exchange, decoded.messages);
      if (refusal) {
        if (access) access.calls = decoded.messages.flatMap((m) => (m.call ? [m.call] : []));
        const id = decoded.batch ? null : (decoded.messages[0]?.call?.id ?? null);
        return this.answer(res, api.id, 'jsonrpc', refusal, id, false, routed);
      }
    }
    if (api.ownRequests) {
      exchange.routeOwnRequests({
        dispatcher: routed.runtime.dispatcher(routed.upstream),
        path: upstreamPath,
        req,
        res,
        peerAddress: exchange.peerAddress,
        timeoutMs: api.responseTimeoutMs ?? this.options.responseTimeoutMs,
        answerLimitBytes: this.options.answerLimitBytes,
      });
    }

    const forwarded: JsonRpcMessage[] = [];
    const awaiting: JsonRpcId[] = [];
    const rejected: { call: { id: JsonRpcId | undefined }; error: GatewayError }[] = [];
    let pending: Map<string, PendingCall> | undefined;
    let changed = false;
    for (const item of decoded.messages) {
      if (!item.call) {
        forwarded.push(item.message);
        continue;
      }
      if (access) (access.calls ??= []).push(item.call);
      const phase = mcpRequestPhase(this.hooks, exchange, policies, item.message as ClientCall, item.call);
      const outcome = isPromise(phase) ? await phase : phase;
      if (outcome.kind === 'reject') {
        if (toJsonRpcError(outcome.error, null) === undefined)
          return this.answer(res, api.id, 'jsonrpc', outcome.error, null, false, routed);
        rejected.push(outcome);
        changed = true;
        continue;
      }
      if (outcome.message !== item.message) changed = true;
      forwarded.push(outcome.message);
      const call = outcome.call;
      if (call.id !== undefined) awaiting.push(call.id);
      if (call.id !== undefined && api.hasResponsePolicies) {
        const inspecting = responders(policies, call.method);
        if (inspecting.length > 0) {
          (pending ??= new Map()).set(idKey(call.id), { call, policies: inspecting });
          this.ids.remember(api.id, sessionKey(exchange, query), call);
        }
      }
      // The AI inventory (tools-observer.ts): the server's own tool list, before any response hook.
      const observe =
        call.id !== undefined && call.method === 'tools/list'
          ? this.options.tools?.listener(api, routed.upstream, outcome.message)
          : undefined;
      if (observe) {
        const key = idKey(call.id!);
        (pending ??= new Map()).set(key, { call, policies: pending.get(key)?.policies ?? [], observe });
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
        return this.answer(res, api.id, 'jsonrpc', only.error, only.call.id, false, routed);
      if (injected.length === 0) {
        res.writeHead(202, this.clientHead(routed, 202, [])).end();
        return;
      }
      return this.writeJson(routed, 200, [], JSON.stringify(injected));
    }
    const body = changed ? Buffer.from(JSON.stringify(decoded.batch ? forwarded : forwarded[0])) : read.body;
    // A rewritten message gets the headers that mirror it (2026-07-28 clients send no batches).
    const mirrored = changed && !decoded.batch ? mirroredHeaders(forwarded[0]!, exchange.protocolVersion) : undefined;
    if (mirrored) routed.edits = [...routed.edits, mirrored];
    const single = !decoded.batch ? decoded.messages[0]?.call : undefined;
    // Awaited, not returned: an async function resolving with a promise costs two more ticks.
    await this.forward(routed, {
      path: upstreamPath,
      body,
      contentLength: body.length,
      plan: pending || injected.length > 0 ? { pending: pending ?? new Map(), injected } : undefined,
      inspectStream: false,
      replyId: single?.id ?? null,
      awaiting,
    });
  }

  /** A JSON answer the gateway made (or rewrote); `headers` must not carry Content-Type or Content-Length. */
  private writeJson(routed: Routed, status: number, headers: (string | string[])[], body: string): void {
    headers.push('content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)));
    routed.res.writeHead(status, this.clientHead(routed, status, headers));
    routed.res.end(body);
  }

  /** The upstream step of an exchange: the request is sent, the answer relayed, inspected or checked. */
  private async forward(routed: Routed, request: ForwardRequest): Promise<void> {
    const { exchange, api, upstream, req, res, style } = routed;
    if (this.stopping) return this.answer(res, api.id, style, SHUTTING_DOWN, request.replyId, true, routed);
    const call = new UpstreamCall(res, api.responseTimeoutMs ?? this.options.responseTimeoutMs);
    const inFlight = this.calls.add(call);
    let stream: InFlightEntry<UpstreamCall> | undefined;
    try {
      const access = exchange.access;
      if (access && api.kind === 'mcp' && exchange.httpMethod === 'POST') call.watch = access.sniff;
      const plan = request.plan;
      const checks = request.awaiting.length > 0;
      const readsBody = plan !== undefined || request.inspectStream || checks;
      let head: UpstreamHead;
      try {
        const headers = upstreamRequestHeaders(req.headers, {
          peerAddress: exchange.peerAddress,
          overTls: (req.socket as TLSSocket).encrypted === true,
          contentLength: request.contentLength,
          identityEncoding: readsBody,
        });
        access?.upstreamStart();
        const edited = routed.edits.length === 0 ? headers : applyHeaderEdits(headers, routed.edits);
        head = await call.start(routed.runtime.dispatcher(upstream), {
          method: exchange.httpMethod,
          path: request.path,
          headers: routed.span ? this.options.tracer!.inject(routed.span, edited) : edited,
          body: request.body,
        });
      } catch (err) {
        if (call.aborted) return this.endedByGateway(routed, request.replyId);
        exchange.logger.warn({ upstream: upstream.id, err: errorMessage(err) }, 'upstream request failed');
        this.countLimitHit(api.id, limitOf(err));
        return this.answer(res, api.id, style, upstreamError(false, err), request.replyId, false, routed);
      }
      const { statusCode, headers, mediaType: type } = head;
      if (access) {
        access.upstreamHead();
        // Only the federation says which member answered; another upstream's header is not believed.
        const member = upstream.federation ? headers[MEMBER_HEADER] : undefined;
        access.upstreamName = typeof member === 'string' ? member : upstream.federation ? '' : upstream.label || upstream.id;
      }
      const eventStream = type === 'text/event-stream';
      const encoding = headers['content-encoding'];
      const identity = encoding === undefined || encoding === 'identity';
      // The answer the client's requests wait for (a compressed one, against what was asked, passes unchecked).
      const answering = checks && identity && answersRequests(statusCode);
      const session = readsBody
        ? sessionKey(exchange, request.path.includes('?') ? request.path.slice(request.path.indexOf('?')) : '')
        : '';
      try {
        if (plan && plan.injected.length > 0 && statusCode === 202) {
          call.discard();
          return this.writeJson(routed, 200, [], JSON.stringify(plan.injected));
        }
        const json = isJsonMediaType(type);
        if (answering && !json && !eventStream) {
          call.discard();
          const what = type === undefined ? 'without a Content-Type' : `with ${type}`;
          return this.invalidAnswer(routed, request.replyId, `The upstream answered ${what}, not JSON-RPC`);
        }
        if ((plan || answering) && json && identity) {
          const awaited = answering ? new AwaitedAnswers(request.awaiting) : undefined;
          const raw = await call.readAll(this.options.answerLimitBytes);
          return await this.bufferedJson(routed, plan, awaited, request.replyId, session, head, raw);
        }
        if (eventStream && identity && (plan !== undefined || request.inspectStream || answering)) {
          const outgoing = clientResponseHeaders(headers, { dropContentLength: true, eventStream: true });
          res.writeHead(statusCode, this.upstreamHead(routed, statusCode, outgoing));
          res.flushHeaders();
          call.watchIdle(this.options.streamIdleMs);
          const awaited = answering ? new AwaitedAnswers(request.awaiting) : undefined;
          if (!awaited) stream = this.streams.add(call);
          return await relayEvents(res, call.chunks(), {
            inspector: this.responses.streamInspector(api, exchange, upstream, plan, session, request, awaited),
            prelude: (plan?.injected ?? []).map((error) => serializeSseEvent({ event: 'message', data: JSON.stringify(error) })),
            keepAliveMs: this.options.sseKeepAliveMs,
            maxEventBytes: this.options.answerLimitBytes,
            closing: (failure) => (awaited && !awaited.done ? this.unanswered(routed, call, awaited, failure) : undefined),
          });
        }
        const outgoing = clientResponseHeaders(headers, { dropContentLength: false, eventStream });
        res.writeHead(statusCode, this.upstreamHead(routed, statusCode, outgoing));
        if (eventStream) {
          res.flushHeaders();
          call.watchIdle(this.options.streamIdleMs);
          if (!checks) stream = this.streams.add(call);
        }
        return await relayBody(res, call, eventStream, this.options.sseKeepAliveMs);
      } catch (err) {
        if (call.aborted) return this.endedByGateway(routed, request.replyId);
        // A silent stream nobody awaits an answer on just ends; its client reconnects.
        if (call.idle) {
          this.countLimitHit(api.id, 'stream-idle');
          return void res.end();
        }
        exchange.logger.warn(
          { upstream: upstream.id, err: call.timedOut ? 'response body timeout' : errorMessage(err) },
          'upstream response failed',
        );
        this.countLimitHit(api.id, limitOf(err));
        return this.answer(res, api.id, style, upstreamError(call.timedOut, err), request.replyId, false, routed);
      }
    } finally {
      call.finish();
      this.calls.remove(inFlight);
      if (stream) this.streams.remove(stream);
    }
  }

  /** Counts an exchange ended by `limit` (none: nothing to count). */
  private countLimitHit(apiId: string, limit: string | undefined): void {
    if (limit !== undefined) this.options.metrics.countLimitHit(apiId, limit);
  }

  /**
   * After a call was aborted: a client that went away gets nothing; otherwise only a shutdown
   * aborts, and the client gets `shutting-down` (an open stream just ends: what it owed was
   * written by its `closing`).
   */
  private endedByGateway(routed: Routed, replyId: JsonRpcId | null): void {
    const res = routed.res;
    if (res.destroyed) return;
    if (res.headersSent) return void res.end();
    this.answer(res, routed.api.id, routed.style, SHUTTING_DOWN, replyId, true, routed);
  }

  /** A 2xx upstream answer that is not an MCP answer: 502 with a JSON-RPC error. */
  private invalidAnswer(routed: Routed, replyId: JsonRpcId | null, message: string): void {
    routed.exchange.logger.warn({ upstream: routed.upstream.id, cause: message }, 'upstream answer is not MCP');
    this.answer(routed.res, routed.api.id, routed.style, { kind: 'upstream-invalid', message }, replyId, false, routed);
  }

  /**
   * The error events that close a POST's event stream which ended (`failure` undefined), failed
   * or was ended by a shutdown before answering every request: one per unanswered request.
   */
  private unanswered(routed: Routed, call: UpstreamCall, awaited: AwaitedAnswers, failure: unknown): string[] {
    const { exchange, api, upstream } = routed;
    const error: GatewayError =
      failure === undefined
        ? { kind: 'upstream-invalid', message: 'The upstream ended its event stream without answering the request' }
        : call.idle
          ? {
              kind: 'upstream-timeout',
              message: `The upstream sent nothing on its event stream for ${this.options.streamIdleMs} ms`,
            }
          : call.aborted
            ? SHUTTING_DOWN
            : failure instanceof EventTooLarge
              ? {
                  kind: 'upstream-invalid',
                  message: `An event of the upstream's stream is larger than ${failure.limitBytes} bytes`,
                }
              : { kind: 'upstream-unavailable', message: 'The upstream connection failed before the request was answered' };
    exchange.logger.warn(
      {
        upstream: upstream.id,
        unanswered: awaited.unanswered.length,
        err: failure === undefined ? undefined : errorMessage(failure),
      },
      'upstream event stream ended before answering every request',
    );
    const access = exchange.access;
    if (access) access.gatewayError = error.kind;
    this.options.metrics.countGatewayError(api.id, error.kind);
    this.countLimitHit(api.id, failure !== undefined && call.idle ? 'stream-idle' : limitOf(failure));
    return awaited.unanswered.map((id) => {
      const response = toJsonRpcError(error, id)!;
      if (access) access.errorCode = response.error.code;
      return serializeSseEvent({ event: 'message', data: JSON.stringify(response) });
    });
  }

  /**
   * An upstream JSON answer read whole: checked when the client's requests await it (`awaited`),
   * its responses inspected when a policy does (`plan`), rewritten only if something changed.
   */
  private async bufferedJson(
    routed: Routed,
    plan: ResponsePlan | undefined,
    awaited: AwaitedAnswers | undefined,
    replyId: JsonRpcId | null,
    session: string,
    head: UpstreamHead,
    raw: Buffer,
  ): Promise<void> {
    const { api, exchange, res } = routed;
    const { statusCode, headers } = head;
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      if (awaited) return this.invalidAnswer(routed, replyId, 'The upstream answered with a body that is not JSON');
      exchange.logger.warn({ status: statusCode }, 'upstream JSON answer does not parse; passed through uninspected');
      value = undefined;
    }
    let injected = plan?.injected ?? NONE_INJECTED;
    if (awaited) {
      if (!awaited.see(value)) return this.invalidAnswer(routed, replyId, 'The upstream answered with JSON that is not JSON-RPC');
      if (!awaited.done) {
        if (!Array.isArray(value))
          return this.invalidAnswer(routed, replyId, "The upstream's answer does not respond to the request");
        const missing: GatewayError = { kind: 'upstream-invalid', message: "The upstream's answer left this request unanswered" };
        injected = [...injected, ...awaited.unanswered.map((id) => toJsonRpcError(missing, id) as JsonRpcErrorResponse)];
      }
    }
    let out: unknown =
      value === undefined || !plan ? undefined : await this.responses.applyToValue(api, exchange, plan, session, value);
    if (injected.length > 0) {
      const base = out ?? value;
      out = base === undefined ? injected : [...(Array.isArray(base) ? base : [base]), ...injected];
    }
    if (out === undefined) {
      const outgoing = clientResponseHeaders(headers, { dropContentLength: false, eventStream: false });
      res.writeHead(statusCode, this.upstreamHead(routed, statusCode, outgoing));
      res.end(raw);
      return;
    }
    const rewritten = clientResponseHeaders(headers, { dropContentLength: true, dropContentType: true, eventStream: false });
    this.writeJson(routed, statusCode, rewritten, JSON.stringify(out));
  }
}

/** A flat header list as the record ResponseHead carries (lower-case names). */
function headerRecord(flat: readonly (string | string[])[]): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) record[String(flat[i]).toLowerCase()] = flat[i + 1]!;
  return record;
}

/**
 * The API a `/.well-known/oauth-protected-resource<path>` request describes: one of its policies
 * makes it a protected resource (`metadata`), or it is a served MCP API whose upstream may be one
 * (relayed-resource.ts). Otherwise the request is routed like any other.
 */
function describedResource(
  apis: readonly CompiledApi[],
  path: string,
): { match: { api: CompiledApi; restPath: string }; metadata: ProtectedResource | undefined } | undefined {
  if (!path.startsWith(PROTECTED_RESOURCE_PREFIX)) return undefined;
  const resourcePath = path.slice(PROTECTED_RESOURCE_PREFIX.length) || '/';
  if (!resourcePath.startsWith('/')) return undefined;
  const match = matchApi(apis, resourcePath);
  if (!match || hasDotSegment(match.restPath)) return undefined;
  const metadata = match.api.protectedResource;
  const relayable = match.api.kind === 'mcp' && match.api.mcpSupport && match.api.unavailable === undefined;
  return metadata || relayable ? { match, metadata } : undefined;
}
