/**
 * A JSON-RPC request of the gateway's own to an exchange's upstream, sent on the client's behalf
 * (ExchangeContext.upstream): a policy that needs what the upstream would tell the client (the
 * tool list, to check a call's arguments) asks it itself instead of waiting for the client to.
 *
 * It goes to the exchange's upstream path with the client's request headers (so its session,
 * protocol version and credentials), a fresh id, `Content-Length` of its own body, and on the
 * 2026-07-28 era an `Mcp-Method` that mirrors it (no `Mcp-Name`). The answer may be JSON or an
 * event stream; the response carrying the request's id is returned. It never reaches the client.
 * Failures reject with an Error saying why (unreachable, timeout, status, no answer).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isResponse, type JsonRpcResponse, parse, SseParser } from '#portico/mcp-jsonrpc';
import type { Dispatcher } from 'undici';
import { upstreamRequestHeaders } from '../data-plane/headers.js';
import { UpstreamCall } from '../upstream/forward.js';

export interface OwnRequestTarget {
  readonly dispatcher: Dispatcher;
  /** The upstream path and query of the exchange. */
  readonly path: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly peerAddress: string;
  readonly timeoutMs: number;
  /** The largest answer read (the gateway's upstream answer limit). */
  readonly answerLimitBytes: number;
}

/** The response to `id` in an answer body (a JSON message or batch, or an event stream). */
function responseIn(body: Buffer, eventStream: boolean, id: string): JsonRpcResponse | undefined {
  let bodies: (string | Buffer)[] = [body];
  if (eventStream) {
    const parser = new SseParser();
    bodies = [...parser.push(body), ...parser.end().events].map((event) => event.data ?? '');
  }
  for (const data of bodies) {
    const parsed = parse(data, { allowBatch: true });
    if (!parsed.ok) continue;
    for (const message of parsed.batch ? parsed.messages : [parsed.message]) {
      if (isResponse(message) && message.id === id) return message;
    }
  }
  return undefined;
}

/** Sends `method` with `params` to the exchange's upstream; the response to it. */
export async function ownRequest(
  target: OwnRequestTarget,
  method: string,
  params: Record<string, unknown> | undefined,
): Promise<JsonRpcResponse> {
  const id = `portico-${randomUUID()}`;
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }));
  const headers = upstreamRequestHeaders(target.req.headers, {
    peerAddress: target.peerAddress,
    overTls: (target.req.socket as TLSSocket).encrypted === true,
    contentLength: body.length,
    identityEncoding: true,
  });
  const own: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name === 'mcp-name') continue;
    own.push(name, name === 'mcp-method' ? method : headers[i + 1]!);
  }
  const call = new UpstreamCall(target.res, target.timeoutMs);
  try {
    const head = await call.start(target.dispatcher, { method: 'POST', path: target.path, headers: own, body });
    const answer = await call.readAll(target.answerLimitBytes);
    if (head.statusCode !== 200) throw new Error(`the upstream answered ${method} with HTTP ${head.statusCode}`);
    const response = responseIn(answer, head.mediaType === 'text/event-stream', id);
    if (!response) throw new Error(`the upstream's answer to ${method} carries no response to it`);
    return response;
  } finally {
    call.finish();
  }
}
