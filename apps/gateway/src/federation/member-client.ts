/**
 * The federation's side toward one member: a JSON-RPC message POSTed to the member's MCP
 * endpoint on its own connection pool (the address policy and TLS context of that upstream
 * apply), and the answer read as it comes: a JSON body (one message or a batch), an event
 * stream (each `data:` a message), or 202 without a body.
 *
 * A member that cannot be reached, answers an HTTP error or something that is not JSON-RPC
 * throws a MemberUnavailable naming the member and the cause; the federation turns it into a
 * JSON-RPC error for that member only.
 */
import { type JsonRpcMessage, SseParser, validateMessage } from '#portico/mcp-jsonrpc';
import type { Dispatcher } from 'undici';
import type { CompiledUpstream } from '../config/compiled-config.js';

/** One upstream of a federated API. */
export interface Member {
  /** The upstream's label (its id when it has none): what routes and prefixed names use. */
  readonly name: string;
  readonly upstream: CompiledUpstream;
  readonly dispatcher: Dispatcher;
}

/** The member did not give a usable answer. */
export class MemberUnavailable extends Error {
  override readonly name = 'MemberUnavailable';
  constructor(
    readonly member: string,
    cause: string,
  ) {
    super(`upstream ${member} is unavailable: ${cause}`);
  }
}

/** What a member answered: its session id (on initialize) and the messages of the answer, as they arrive. */
export interface MemberAnswer {
  readonly status: number;
  readonly sessionId: string | undefined;
  readonly messages: AsyncIterable<JsonRpcMessage>;
}

export interface MemberRequest {
  /** The path after the upstream's path prefix (the client's rest path, query included). */
  readonly path: string;
  /** Headers for the member: the client's (as the policies left them), with its session's. */
  readonly headers: Record<string, string>;
  readonly body?: unknown;
  readonly method?: 'POST' | 'GET' | 'DELETE';
  /** Aborts the request (the client went away). */
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
}

/** Sends `request` to `member`; resolves once the answer's head is in. */
export async function callMember(member: Member, request: MemberRequest): Promise<MemberAnswer> {
  const method = request.method ?? 'POST';
  let response: Dispatcher.ResponseData;
  try {
    response = await member.dispatcher.request({
      origin: member.upstream.origin,
      path: `${member.upstream.pathPrefix}${request.path}`,
      method,
      headers: {
        ...request.headers,
        accept: 'application/json, text/event-stream',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: request.signal,
      headersTimeout: request.timeoutMs,
      bodyTimeout: 0,
    });
  } catch (err) {
    throw new MemberUnavailable(member.name, err instanceof Error ? err.message : String(err));
  }
  const sessionId = single(response.headers['mcp-session-id']);
  if (response.statusCode >= 400) {
    const text = await response.body.text().catch(() => '');
    throw new MemberUnavailable(member.name, `HTTP ${response.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
  const type = single(response.headers['content-type'])?.split(';')[0]?.trim().toLowerCase();
  if (response.statusCode === 202 || type === undefined) {
    await response.body.dump();
    return { status: response.statusCode, sessionId, messages: none() };
  }
  if (type === 'text/event-stream') return { status: response.statusCode, sessionId, messages: events(member, response.body) };
  if (type === 'application/json') return { status: response.statusCode, sessionId, messages: json(member, response.body) };
  await response.body.dump();
  throw new MemberUnavailable(member.name, `answered ${type}, not JSON-RPC`);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function* none(): AsyncIterable<JsonRpcMessage> {}

async function* json(member: Member, body: Dispatcher.ResponseData['body']): AsyncIterable<JsonRpcMessage> {
  let value: unknown;
  try {
    value = await body.json();
  } catch (err) {
    throw new MemberUnavailable(member.name, `answered invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  for (const item of Array.isArray(value) ? value : [value]) yield message(member, item);
}

async function* events(member: Member, body: Dispatcher.ResponseData['body']): AsyncIterable<JsonRpcMessage> {
  const parser = new SseParser();
  for await (const chunk of body) {
    for (const event of parser.push(chunk as Buffer)) {
      if (!event.data || (event.event !== undefined && event.event !== 'message')) continue;
      let value: unknown;
      try {
        value = JSON.parse(event.data);
      } catch {
        throw new MemberUnavailable(member.name, 'sent an event that is not JSON');
      }
      yield message(member, value);
    }
  }
}

function message(member: Member, value: unknown): JsonRpcMessage {
  const checked = validateMessage(value);
  if (!checked.ok) throw new MemberUnavailable(member.name, `sent a message that is not JSON-RPC (${checked.reason})`);
  return checked.message;
}
