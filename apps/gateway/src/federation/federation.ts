/**
 * A federated MCP endpoint (mcp-transcoding-router): the gateway is the MCP server toward the
 * client, over every upstream ("member") of the API.
 *
 * It stands where an upstream's connection pool stands: the pipeline forwards the client's
 * request to it through undici's dispatch() (FederationDispatcher), after the request phase of
 * the policy chain, and relays, inspects and logs its answer like any upstream's. So every other
 * policy applies to the federated endpoint as to a single server.
 *
 * - initialize: every member is initialized with the client's parameters (and sent
 *   notifications/initialized); the answer merges their capabilities (a capability any member
 *   has), takes the lowest protocol version, joins their instructions, and carries a session id
 *   holding each member's session (federated-session.ts). A member that fails is left out of the
 *   session; with none left the client gets the reasons.
 * - Lists are merged and paginated (merged-lists.ts); calls (tools/call, prompts/get,
 *   resources/read and (un)subscribe, completion/complete) go to the member that owns the name,
 *   with the member's own name, and its answer (JSON or an event stream, with progress, logging
 *   and requests of its own) is relayed. A request a member sends the client gets the id
 *   `<member>|<its id>` so the client's response finds its way back.
 * - Notifications (cancelled, roots changed) and logging/setLevel go to every member.
 * - A member that is down: its items disappear from lists; a call to it is answered with a
 *   JSON-RPC error naming it; the other members keep working.
 * - GET (the standalone event stream) merges the members' own; DELETE ends every member's session.
 * - A client of the stateless 2026-07-28 revision (`MCP-Protocol-Version` 2026-07-28 or later, no
 *   session) is served request by request: the members get a session for that request only
 *   (initialized with the client's `_meta` capabilities and info, deleted once the answer is
 *   out), results carry `resultType: "complete"`, and `server/discover` answers the merged
 *   capabilities. Requests members would send such a client (sampling, elicitation) have no way
 *   to it in that revision and end the call with a JSON-RPC error.
 */
import {
  encodeMirroredHeader,
  internalError,
  invalidParams,
  invalidRequest,
  isRequest,
  isResponse,
  jsonRpcError,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
  methodNotFound,
  parseError,
  requiresMirroredHeaders,
  serializeSseEvent,
  validateMessage,
} from '#portico/mcp-jsonrpc';
import { compileFullMatch, type FullMatch } from '#portico/policy-catalog';
import type { FederationRoute, FederationRouting } from '#portico/policy-engine';
import { decodeSession, encodeSession, type FederatedSession } from './federated-session.js';
import { callMember, type Member, type MemberAnswer, MemberUnavailable } from './member-client.js';
import { LIST_METHODS, type ListKind, type MergedList, mergeLists, type Owner, page } from './merged-lists.js';

/** What the federation answers: the head, and a JSON body or a stream of SSE event texts. */
export interface FederatedAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly events?: AsyncIterable<string>;
}

export interface FederatedRequest {
  readonly method: string;
  /** The path after the base path, query included. */
  readonly path: string;
  /** The headers the pipeline sends upstream (the policies' edits applied). */
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  readonly signal: AbortSignal;
}

/** Headers of the client's request that are about the client's connection or session, not the members'. */
const NOT_FORWARDED = new Set([
  'host',
  'mcp-method',
  'mcp-name',
  'connection',
  'content-length',
  'content-type',
  'accept',
  'accept-encoding',
  'transfer-encoding',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
]);

/** The stateless revision the federation speaks to clients, and the session revision it asks members for then. */
const STATELESS_VERSION = '2026-07-28';
const MEMBER_VERSION = '2025-11-25';
const META = 'io.modelcontextprotocol/';

/**
 * What the session keeps for a member of the stateless revision, which has no sessions: each
 * request to it carries the revision's `_meta` and mirrored headers, the federation being its
 * client (its own info, no client capabilities).
 */
const STATELESS_MEMBER = '~2026-07-28';

/** How long a session's merged lists are reused to find the owner of a name. */
const OWNERS_TTL_MS = 30_000;
/** Sessions whose lists are kept at once (the oldest go first, and any older than the TTL). */
const OWNERS_MAX = 1_000;

const SERVER_REQUEST_ID = /^pf:([^|]*)\|(.*)$/s;

/** Names the member that answered a routed call, for the access log; never sent to the client (headers.ts). */
export const MEMBER_HEADER = 'x-portico-member';

/**
 * Hears each member's whole tool list (every page) whenever the federation reads it, as the
 * member gave it (tools-observer.ts); `complete` is false when the list was cut at 100 pages.
 */
export type MemberToolsSink = (member: string, items: readonly Record<string, unknown>[], complete: boolean) => void;

export class Federation {
  private readonly routes: ReadonlyMap<string, FederationRoute>;
  private readonly owners = new Map<string, { at: number; list: MergedList }>();
  /** Ids of the federation's own requests: unique, as members match answers to requests by id. */
  private sequence = 0;

  constructor(
    readonly apiName: string,
    private readonly routing: FederationRouting,
    private readonly members: readonly Member[],
    private readonly timeoutMs: number,
    private readonly memberTools?: MemberToolsSink,
  ) {
    this.routes = new Map(routing.routes.map((r) => [r.upstreamName, r]));
  }

  async serve(request: FederatedRequest): Promise<FederatedAnswer> {
    const path = request.path.split('?')[0];
    if (path !== this.routing.transcodingPath) {
      return json(404, methodNotFound(null, `no MCP endpoint at ${path}: this API's is ${this.routing.transcodingPath}`));
    }
    const forwarded = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !NOT_FORWARDED.has(name)));
    const session = decodeSession(request.headers['mcp-session-id']);
    if (request.method === 'GET') {
      if (!session)
        return json(request.headers['mcp-session-id'] === undefined ? 400 : 404, invalidRequest(null, 'Session not found'));
      return this.listen(session, forwarded, request);
    }
    if (request.method === 'DELETE') {
      if (!session) return json(404, invalidRequest(null, 'Session not found'));
      await Promise.allSettled(
        this.withSessions(session).map(({ member, sessionId }) =>
          this.call(member, forwarded, session, sessionId, request, undefined, 'DELETE'),
        ),
      );
      return { status: 200, headers: {}, body: '' };
    }
    if (request.method !== 'POST') return { status: 405, headers: { allow: 'GET, POST, DELETE' }, body: '' };
    const checked = parseMessage(request.body);
    if ('error' in checked) return json(400, checked.error);
    const message = checked.message;
    if (isRequest(message) && message.method === 'initialize') return this.initialize(message, forwarded, request);
    if (!session && isStateless(request.headers['mcp-protocol-version'])) return this.stateless(message, forwarded, request);
    if (!session) {
      return request.headers['mcp-session-id'] === undefined
        ? json(400, invalidRequest(isRequest(message) ? message.id : null, 'Bad Request: Mcp-Session-Id header is required'))
        : json(404, invalidRequest(isRequest(message) ? message.id : null, 'Session not found'));
    }
    // Keyed by the members' sessions it names: spellings of one session share one entry.
    const context: Context = { session, forwarded, request, sessionId: JSON.stringify([...session.members]) };
    if (isResponse(message)) return this.answerToMember(message, context);
    if (!isRequest(message)) return this.notifyAll(message, context);
    return this.request(message, context);
  }

  private async initialize(
    message: JsonRpcRequest,
    forwarded: Record<string, string>,
    request: FederatedRequest,
  ): Promise<FederatedAnswer> {
    const joined = await this.join(message, forwarded, request);
    if ('error' in joined) return json(200, internalError(message.id, joined.error));
    const { protocolVersion, capabilities, instructions } = joined;
    const result = {
      protocolVersion,
      capabilities,
      serverInfo: { name: this.apiName, version: '1.0.0' },
      ...(instructions ? { instructions } : {}),
    };
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'mcp-session-id': encodeSession(joined.session) },
      body: JSON.stringify({ jsonrpc: '2.0', id: message.id, result }),
    };
  }

  /** Every member initialized with `message`: the session they make and what they offer together. */
  private async join(message: JsonRpcRequest, forwarded: Record<string, string>, request: FederatedRequest) {
    const outcomes = await Promise.allSettled(
      this.members.map((member) => this.initializeMember(member, message, forwarded, request)),
    );
    const joined = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [{ member: this.members[i]!, ...o.value }] : []));
    if (!joined.length) {
      const reasons = outcomes.map((o) => (o.status === 'rejected' ? reason(o.reason) : '')).join('; ');
      return { error: `no upstream of this federated endpoint is available: ${reasons}` };
    }
    const protocolVersion = joined.map((j) => String(j.result.protocolVersion ?? '')).sort()[0]!;
    const session: FederatedSession = {
      protocolVersion,
      members: new Map(joined.map((j) => [j.member.name, j.sessionId ?? ''])),
    };
    const instructions = joined
      .filter((j) => typeof j.result.instructions === 'string' && j.result.instructions)
      .map((j) => `[${j.member.name}]\n${j.result.instructions as string}`)
      .join('\n\n');
    return { protocolVersion, session, capabilities: mergeCapabilities(joined.map((j) => j.result.capabilities)), instructions };
  }

  /**
   * One request of a stateless (2026-07-28) client: the members get a session for it alone,
   * deleted once the answer is out; results are marked complete.
   */
  private async stateless(
    message: JsonRpcMessage,
    forwarded: Record<string, string>,
    request: FederatedRequest,
  ): Promise<FederatedAnswer> {
    if (!isRequest(message)) return { status: 202, headers: {}, body: '' };
    const meta = (((message.params ?? {}) as Record<string, unknown>)._meta ?? {}) as Record<string, unknown>;
    const initialize: JsonRpcRequest = {
      jsonrpc: '2.0',
      id: 'pf-initialize',
      method: 'initialize',
      params: {
        protocolVersion: MEMBER_VERSION,
        capabilities: meta[`${META}clientCapabilities`] ?? {},
        clientInfo: meta[`${META}clientInfo`] ?? { name: 'portico-federation', version: '1.0.0' },
      },
    };
    const joined = await this.join(initialize, forwarded, request);
    if ('error' in joined) return json(200, internalError(message.id, joined.error));
    const { session } = joined;
    // Ended before the answer goes out (a stream: once it ends), so no member session outlives its request.
    const close = () =>
      Promise.allSettled(
        this.withSessions(session).map(({ member, sessionId }) =>
          this.call(
            member,
            forwarded,
            session,
            sessionId,
            request,
            undefined,
            'DELETE',
            AbortSignal.timeout(this.timeoutMs),
          ).then(drain),
        ),
      );
    let answer: FederatedAnswer;
    try {
      answer =
        message.method === 'server/discover'
          ? json(200, {
              jsonrpc: '2.0',
              id: message.id,
              result: {
                supportedVersions: [STATELESS_VERSION],
                capabilities: joined.capabilities,
                _meta: { [`${META}serverInfo`]: { name: this.apiName, version: '1.0.0' } },
                ...(joined.instructions ? { instructions: joined.instructions } : {}),
              },
            })
          : await this.request(message, { session, sessionId: '', forwarded, request, stateless: true });
    } catch (err) {
      await close();
      throw err;
    }
    if (!answer.events) {
      await close();
      return answer.body ? { ...answer, body: JSON.stringify(complete(JSON.parse(answer.body) as JsonRpcMessage)) } : answer;
    }
    const events = answer.events;
    return {
      ...answer,
      events: (async function* () {
        try {
          yield* events;
        } finally {
          await close();
        }
      })(),
    };
  }

  /**
   * A member joins the client's session: `initialize` (and notifications/initialized) for a member
   * with sessions; a member that refuses initialize and answers `server/discover` speaks the
   * stateless revision, and joins without a session.
   */
  private async initializeMember(
    member: Member,
    message: JsonRpcRequest,
    forwarded: Record<string, string>,
    request: FederatedRequest,
  ): Promise<{ sessionId: string | undefined; result: Record<string, unknown> }> {
    try {
      return await this.sessionMember(member, message, forwarded, request);
    } catch (err) {
      if (!(err instanceof MemberUnavailable)) throw err;
      const discovered = await this.discover(member, forwarded, request).catch(() => undefined);
      if (!discovered) throw err;
      const requested = ((message.params ?? {}) as Record<string, unknown>).protocolVersion;
      return { sessionId: STATELESS_MEMBER, result: { ...discovered, protocolVersion: requested } };
    }
  }

  /** `server/discover` of a member of the stateless revision: its capabilities and instructions. */
  private async discover(member: Member, forwarded: Record<string, string>, request: FederatedRequest) {
    const message = { jsonrpc: '2.0', id: 'pf-discover', method: 'server/discover', params: {} };
    const answer = await this.call(member, forwarded, NO_SESSION, STATELESS_MEMBER, request, message, 'POST');
    const response = await responseTo(member, answer, message.id);
    if ('error' in response) throw new MemberUnavailable(member.name, response.error.message);
    return response.result as Record<string, unknown>;
  }

  private async sessionMember(
    member: Member,
    message: JsonRpcRequest,
    forwarded: Record<string, string>,
    request: FederatedRequest,
  ) {
    const answer = await callMember(member, {
      path: request.path,
      headers: forwarded,
      body: message,
      signal: this.bounded(request),
      timeoutMs: this.timeoutMs,
    });
    const response = await responseTo(member, answer, message.id);
    if ('error' in response) throw new MemberUnavailable(member.name, `initialize failed: ${response.error.message}`);
    const result = response.result as Record<string, unknown>;
    const headers = { ...forwarded, ...sessionHeaders(answer.sessionId, String(result.protocolVersion ?? '')) };
    await callMember(member, {
      path: request.path,
      headers,
      body: { jsonrpc: '2.0', method: 'notifications/initialized' },
      signal: this.bounded(request),
      timeoutMs: this.timeoutMs,
    }).then((a) => drain(a));
    return { sessionId: answer.sessionId, result };
  }

  private async request(message: JsonRpcRequest, context: Context): Promise<FederatedAnswer> {
    const method = message.method;
    if (method === 'ping') return json(200, { jsonrpc: '2.0', id: message.id, result: {} });
    const kind = LIST_METHODS[method];
    if (kind) {
      const params = (message.params ?? {}) as Record<string, unknown>;
      // A first page reads the members again; the next pages come from the same merged list.
      const merged = await this.merged(kind, context, params.cursor === undefined);
      const shown = page(merged.items, params.cursor, this.routing.pageSize);
      if (!shown) return json(200, invalidParams(message.id, 'Invalid cursor'));
      const { items, nextCursor } = shown;
      return json(200, {
        jsonrpc: '2.0',
        id: message.id,
        result: { [kind]: items, ...(nextCursor ? { nextCursor } : {}) },
      });
    }
    if (method === 'logging/setLevel') {
      await Promise.allSettled(
        this.inSession(context.session).map(({ member, sessionId }) =>
          this.forward(member, sessionId, message, context).then((a) => drain(a)),
        ),
      );
      return json(200, { jsonrpc: '2.0', id: message.id, result: {} });
    }
    const target = await this.target(message, context);
    if (!target) return json(200, methodNotFound(message.id, `Method not found: ${method}`));
    if ('error' in target) return json(200, target.error);
    const { member, sessionId, params } = target;
    const routed = { ...message, params };
    let answer: MemberAnswer;
    try {
      answer = await this.forward(member, sessionId, routed, context, true);
    } catch (err) {
      return json(200, internalError(message.id, reason(err)));
    }
    return relay(member, answer, message.id, context.stateless === true);
  }

  /** The member a call goes to, with the params it gets (its own name for the item); undefined: not a call method. */
  private async target(
    message: JsonRpcRequest,
    context: Context,
  ): Promise<{ member: Member; sessionId: string; params: Record<string, unknown> } | { error: JsonRpcMessage } | undefined> {
    const params = (message.params ?? {}) as Record<string, unknown>;
    const members = this.inSession(context.session);
    const by = async (kind: ListKind, field: 'name' | 'uri', value: unknown, into: (own: string) => Record<string, unknown>) => {
      if (typeof value !== 'string') return { error: invalidParams(message.id, `params.${field} is required`) };
      const owner =
        (await this.merged(kind, context, false)).owners.get(value) ??
        (await this.merged(kind, context, true)).owners.get(value) ??
        (kind === 'resources'
          ? templateOwner((await this.merged('resourceTemplates', context, false)).owners, value)
          : undefined);
      // A name no list shows: a lone member decides about it itself, as it would without federation.
      if (!owner && members.length === 1) return { ...members[0]!, params: into(value) };
      if (!owner) {
        return kind === 'resources' || kind === 'resourceTemplates'
          ? { error: jsonRpcError(message.id, -32002, 'Resource not found', { uri: value }) }
          : { error: invalidParams(message.id, `Unknown ${kind === 'tools' ? 'tool' : 'prompt'}: ${value}`) };
      }
      const member = members.find((m) => m.member.name === owner.member);
      if (!member) return { error: internalError(message.id, `upstream ${owner.member} is unavailable in this session`) };
      return { ...member, params: into(owner.name) };
    };
    switch (message.method) {
      case 'tools/call':
        return by('tools', 'name', params.name, (own) => ({ ...params, name: own }));
      case 'prompts/get':
        return by('prompts', 'name', params.name, (own) => ({ ...params, name: own }));
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        return by('resources', 'uri', params.uri, () => params);
      case 'completion/complete': {
        const ref = (params.ref ?? {}) as Record<string, unknown>;
        if (ref.type === 'ref/prompt')
          return by('prompts', 'name', ref.name, (own) => ({ ...params, ref: { ...ref, name: own } }));
        return by('resourceTemplates', 'uri', ref.uri, () => params);
      }
      default:
        return undefined;
    }
  }

  /**
   * The merged list of `kind` for the session: every member's pages, routed and merged. Kept a
   * while per session, to find owners of names and serve the later pages of a list; `fresh`
   * reads the members again (a list request's first page).
   */
  private async merged(kind: ListKind, context: Context, fresh: boolean): Promise<MergedList> {
    const key = `${context.sessionId}\0${kind}`;
    const kept = context.stateless ? undefined : this.owners.get(key);
    if (!fresh && kept && Date.now() - kept.at < OWNERS_TTL_MS) return kept.list;
    const method = Object.keys(LIST_METHODS).find((m) => LIST_METHODS[m] === kind)!;
    const lists = await Promise.all(
      this.inSession(context.session).map(async ({ member, sessionId }) => {
        try {
          const { items, complete } = await this.allPages(member, sessionId, method, kind, context);
          if (kind === 'tools') this.memberTools?.(member.name, items, complete);
          return { member: member.name, items };
        } catch {
          return { member: member.name, items: [] };
        }
      }),
    );
    const list = mergeLists(kind, lists, this.routes);
    if (context.stateless) return list;
    const now = Date.now();
    this.owners.delete(key);
    this.owners.set(key, { at: now, list });
    // Entries are in the order they were made: the oldest lead, expired or over the count.
    for (const [oldest, entry] of this.owners) {
      if (this.owners.size <= OWNERS_MAX && now - entry.at < OWNERS_TTL_MS) break;
      this.owners.delete(oldest);
    }
    return list;
  }

  /** Every page of the member's list (at most 100: `complete` says whether that was all). */
  private async allPages(member: Member, sessionId: string, method: string, kind: ListKind, context: Context) {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    let complete = false;
    for (let pages = 0; pages < 100; pages++) {
      const id = `pf-${(this.sequence = (this.sequence + 1) % Number.MAX_SAFE_INTEGER)}`;
      const answer = await this.forward(
        member,
        sessionId,
        { jsonrpc: '2.0', id, method, params: cursor ? { cursor } : {} },
        context,
      );
      const response = await responseTo(member, answer, id);
      if ('error' in response) {
        if (response.error.code === -32601) return { items, complete: true }; // the member does not have this kind
        throw new MemberUnavailable(member.name, response.error.message);
      }
      const result = response.result as Record<string, unknown>;
      items.push(...((result[kind] as Record<string, unknown>[] | undefined) ?? []));
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
      if (!cursor) {
        complete = true;
        break;
      }
    }
    return { items, complete };
  }

  /**
   * The standalone event stream: one GET stream per member of the session (those that offer
   * none, answering 405, are left out), merged into one; a member's requests get routable ids.
   * Event ids are not passed on: the merged stream cannot be resumed (the client opens a new one).
   */
  private async listen(
    session: FederatedSession,
    forwarded: Record<string, string>,
    request: FederatedRequest,
  ): Promise<FederatedAnswer> {
    const opened = await Promise.allSettled(
      this.withSessions(session).map(async ({ member, sessionId }) => ({
        member,
        answer: await this.call(member, forwarded, session, sessionId, request, undefined, 'GET', request.signal),
      })),
    );
    const streams = opened.flatMap((o) => (o.status === 'fulfilled' && o.value.answer.status === 200 ? [o.value] : []));
    if (!streams.length) return { status: 405, headers: { allow: 'POST, DELETE' }, body: '' };
    const events = mergeStreams(streams.map(({ member, answer }) => mapStream(answer.messages, (m) => forClient(member, m))));
    return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, events: sse(events) };
  }

  /** The client's response to a request a member sent: back to that member with its own id. */
  private async answerToMember(message: JsonRpcResponse, context: Context): Promise<FederatedAnswer> {
    const match = typeof message.id === 'string' ? SERVER_REQUEST_ID.exec(message.id) : null;
    const member = match && this.inSession(context.session).find((m) => m.member.name === match[1]);
    if (!match || !member) return { status: 202, headers: {}, body: '' };
    let id: JsonRpcId;
    try {
      id = JSON.parse(match[2]!) as JsonRpcId;
    } catch {
      return { status: 202, headers: {}, body: '' };
    }
    await this.forward(member.member, member.sessionId, { ...message, id }, context).then(drain, () => undefined);
    return { status: 202, headers: {}, body: '' };
  }

  private async notifyAll(message: JsonRpcMessage, context: Context): Promise<FederatedAnswer> {
    if ((message as { method?: string }).method !== 'notifications/initialized') {
      await Promise.allSettled(
        this.inSession(context.session).map(({ member, sessionId }) =>
          this.forward(member, sessionId, message, context).then(drain),
        ),
      );
    }
    return { status: 202, headers: {}, body: '' };
  }

  /** `routed`: the client's own call, whose answer may take as long as it takes (a stream). */
  private forward(member: Member, sessionId: string, body: unknown, context: Context, routed = false): Promise<MemberAnswer> {
    const { forwarded, session, request } = context;
    return this.call(member, forwarded, session, sessionId, request, body, 'POST', routed ? request.signal : undefined);
  }

  private call(
    member: Member,
    forwarded: Record<string, string>,
    session: FederatedSession,
    sessionId: string,
    request: FederatedRequest,
    body: unknown,
    method: 'GET' | 'POST' | 'DELETE',
    signal: AbortSignal = this.bounded(request),
  ): Promise<MemberAnswer> {
    const stateless = sessionId === STATELESS_MEMBER;
    return callMember(member, {
      method,
      path: request.path,
      headers: { ...forwarded, ...(stateless ? statelessHeaders(body) : sessionHeaders(sessionId, session.protocolVersion)) },
      body: stateless ? this.withMeta(body) : body,
      signal,
      timeoutMs: this.timeoutMs,
    });
  }

  /**
   * The federation's own exchanges with members (initialize, lists, notifications, DELETE) end
   * with the client's request or after the response timeout, whichever comes first: a member that
   * stalls cannot hold the client's request. A routed call's answer is the client's to wait for.
   */
  private bounded(request: FederatedRequest): AbortSignal {
    return AbortSignal.any([request.signal, AbortSignal.timeout(this.timeoutMs)]);
  }

  /** A request to a member of the stateless revision: its params carry the revision's `_meta`. */
  private withMeta(body: unknown): unknown {
    if (typeof body !== 'object' || body === null || !('method' in body)) return body;
    const message = body as JsonRpcRequest;
    const params = (message.params ?? {}) as Record<string, unknown>;
    const meta = {
      ...((params._meta ?? {}) as Record<string, unknown>),
      [`${META}protocolVersion`]: STATELESS_VERSION,
      [`${META}clientInfo`]: { name: this.apiName, version: '1.0.0' },
      [`${META}clientCapabilities`]: {},
    };
    return { ...message, params: { ...params, _meta: meta } };
  }

  /** The members of the session that keep sessions of their own (GET streams and DELETE are theirs only). */
  private withSessions(session: FederatedSession) {
    return this.inSession(session).filter(({ sessionId }) => sessionId !== STATELESS_MEMBER);
  }

  /** The members the session has, with their session ids. */
  private inSession(session: FederatedSession) {
    return this.members.flatMap((member) => {
      const sessionId = session.members.get(member.name);
      return sessionId === undefined ? [] : [{ member, sessionId }];
    });
  }
}

interface Context {
  readonly session: FederatedSession;
  readonly sessionId: string;
  /** a request of a stateless (2026-07-28) client: nothing is kept after it */
  readonly stateless?: boolean;
  readonly forwarded: Record<string, string>;
  readonly request: FederatedRequest;
}

const NO_SESSION: FederatedSession = { protocolVersion: STATELESS_VERSION, members: new Map() };

/** The headers a request of the stateless revision mirrors its body in. */
function statelessHeaders(body: unknown): Record<string, string> {
  const message = (body ?? {}) as { method?: string; params?: Record<string, unknown> };
  if (!message.method) return { 'mcp-protocol-version': STATELESS_VERSION };
  const name = message.method === 'resources/read' ? message.params?.uri : message.params?.name;
  const named = ['tools/call', 'prompts/get', 'resources/read'].includes(message.method) && typeof name === 'string';
  return {
    'mcp-protocol-version': STATELESS_VERSION,
    'mcp-method': encodeMirroredHeader(message.method),
    ...(named ? { 'mcp-name': encodeMirroredHeader(name) } : {}),
  };
}

function sessionHeaders(sessionId: string | undefined, protocolVersion: string): Record<string, string> {
  return {
    ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    ...(protocolVersion ? { 'mcp-protocol-version': protocolVersion } : {}),
  };
}

function parseMessage(body: Buffer | undefined): { message: JsonRpcMessage } | { error: JsonRpcMessage } {
  let value: unknown;
  try {
    value = JSON.parse(body?.toString('utf8') ?? '');
  } catch {
    return { error: parseError() };
  }
  if (Array.isArray(value))
    return { error: invalidRequest(null, 'a federated endpoint takes one JSON-RPC message per request, not a batch') };
  const checked = validateMessage(value);
  return checked.ok ? { message: checked.message } : { error: invalidRequest(checked.id, checked.reason) };
}

function json(status: number, message: unknown): FederatedAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) };
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reads a member's answer until the response to `id` (what comes before it is dropped). */
async function responseTo(member: Member, answer: MemberAnswer, id: JsonRpcId) {
  const iterator = answer.messages[Symbol.asyncIterator]();
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const message = next.value;
    if (isResponse(message) && message.id === id) {
      readRest(iterator);
      return message;
    }
  }
  throw new MemberUnavailable(member.name, `ended without answering request ${JSON.stringify(id)}`);
}

/**
 * Reads what is left of a member's answer once the response is in (an event stream's end), in
 * the background: a body left unread would hold its connection, one cut would lose it for reuse.
 */
function readRest(iterator: AsyncIterator<JsonRpcMessage>): void {
  void (async () => {
    try {
      while (!(await iterator.next()).done);
    } catch {
      // the member's stream failed after its answer: nothing is waiting for it
    }
  })();
}

async function drain(answer: MemberAnswer): Promise<void> {
  for await (const _ of answer.messages);
}

/**
 * A member's answer to a routed request, for the client: one JSON message, or an event stream
 * whose requests of the member's own get ids the client's responses can be routed back by.
 */
async function relay(member: Member, answer: MemberAnswer, id: JsonRpcId, stateless: boolean): Promise<FederatedAnswer> {
  const iterator = answer.messages[Symbol.asyncIterator]();
  let first: IteratorResult<JsonRpcMessage>;
  try {
    first = await iterator.next();
  } catch (err) {
    return json(200, internalError(id, reason(err)));
  }
  if (first.done) return json(200, internalError(id, `upstream ${member.name} did not answer`));
  if (isResponse(first.value) && first.value.id === id) {
    readRest(iterator);
    const answer = json(200, first.value);
    return { ...answer, headers: { ...answer.headers, [MEMBER_HEADER]: member.name } };
  }
  async function* events(): AsyncIterable<string> {
    let next: IteratorResult<JsonRpcMessage> = first;
    let answered = false;
    try {
      while (!next.done) {
        const message = next.value;
        if (isResponse(message) && message.id === id) answered = true;
        if (stateless && isRequest(message)) {
          // The stateless revision has no server-to-client requests: the call cannot go on.
          const refused = internalError(
            id,
            `upstream ${member.name} sent ${message.method}, which a stateless client cannot answer`,
          );
          yield serializeSseEvent({ event: 'message', data: JSON.stringify(refused) });
          readRest(iterator);
          return;
        }
        const shown = stateless ? complete(message) : forClient(member, message);
        yield serializeSseEvent({ event: 'message', data: JSON.stringify(shown) });
        if (answered) {
          readRest(iterator);
          return;
        }
        next = await iterator.next();
      }
    } catch (err) {
      if (!answered) yield serializeSseEvent({ event: 'message', data: JSON.stringify(internalError(id, reason(err))) });
      return;
    }
    if (!answered)
      yield serializeSseEvent({
        event: 'message',
        data: JSON.stringify(internalError(id, `upstream ${member.name} ended the stream without an answer`)),
      });
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', [MEMBER_HEADER]: member.name },
    events: events(),
  };
}

/** Resource templates as full-match patterns (RE2: linear time, whatever URI a client sends), compiled once each. */
const templatePatterns = new Map<string, FullMatch>();
const TEMPLATE_PATTERNS_MAX = 10_000;
/** A longer URI is not matched against templates. */
const URI_MAX = 8_192;

/** The member of the first resource template (RFC 6570, `{…}` standing for any text) that `uri` matches. */
function templateOwner(templates: ReadonlyMap<string, Owner>, uri: string): Owner | undefined {
  if (uri.length > URI_MAX) return undefined;
  for (const [template, owner] of templates) {
    let pattern = templatePatterns.get(template);
    if (!pattern) {
      const source = template
        .split(/\{[^}]*\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('(?s:.+)');
      pattern = compileFullMatch(source);
      if (templatePatterns.size >= TEMPLATE_PATTERNS_MAX) templatePatterns.clear();
      templatePatterns.set(template, pattern);
    }
    if (pattern.test(uri)) return { member: owner.member, name: uri };
  }
  return undefined;
}

async function* mapStream<T, U>(source: AsyncIterable<T>, map: (item: T) => U): AsyncIterable<U> {
  for await (const item of source) yield map(item);
}

async function* sse(messages: AsyncIterable<JsonRpcMessage>): AsyncIterable<string> {
  for await (const message of messages) yield serializeSseEvent({ event: 'message', data: JSON.stringify(message) });
}

/** The items of every source as each comes; a source that fails ends alone, the others go on. */
async function* mergeStreams<T>(sources: AsyncIterable<T>[]): AsyncIterable<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const next = (i: number) =>
    iterators[i]!.next().then(
      (result) => ({ i, result }),
      () => ({ i, result: { done: true, value: undefined } as IteratorResult<T> }),
    );
  const pending = new Map(iterators.map((_, i) => [i, next(i)]));
  try {
    while (pending.size) {
      const { i, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(i);
        continue;
      }
      pending.set(i, next(i));
      yield result.value;
    }
  } finally {
    for (const [i] of pending) void iterators[i]!.return?.();
  }
}

/** Whether a client on `version` speaks the stateless revision (2026-07-28 and later). */
function isStateless(version: string | undefined): boolean {
  return requiresMirroredHeaders(version);
}

/** A result of the stateless revision: every result says it is complete (there is no input_required here). */
function complete(message: JsonRpcMessage): JsonRpcMessage {
  if (!isResponse(message) || !('result' in message) || typeof message.result !== 'object' || message.result === null)
    return message;
  return { ...message, result: { resultType: 'complete', ...message.result } };
}

/** A member's message as the client sees it: a request of the member's own gets a routable id. */
function forClient(member: Member, message: JsonRpcMessage): JsonRpcMessage {
  if (!isRequest(message)) return message;
  return { ...message, id: `pf:${member.name}|${JSON.stringify(message.id)}` };
}

/** The capabilities any member has, merged one level deep (a flag set by any member is set). */
function mergeCapabilities(all: unknown[]): Record<string, unknown> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const capabilities of all) {
    if (typeof capabilities !== 'object' || capabilities === null) continue;
    for (const [name, value] of Object.entries(capabilities)) {
      const into = (merged[name] ??= {});
      if (typeof value === 'object' && value !== null) {
        for (const [flag, set] of Object.entries(value)) if (into[flag] === undefined || set === true) into[flag] = set;
      }
    }
  }
  return merged;
}
