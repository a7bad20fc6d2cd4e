/**
 * Header rules of the proxy. Hop-by-hop headers (RFC 9110 §7.6.1: Connection and every header
 * it names, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-*) never cross the
 * gateway in either direction; everything else does, so MCP's Mcp-Session-Id,
 * MCP-Protocol-Version, Last-Event-ID, Accept and Content-Type pass both ways untouched.
 *
 * Toward the upstream: Host is the upstream's (undici sets it from the origin), `Expect` is
 * dropped (the gateway already answered the 100-continue), X-Forwarded-For gets the client
 * address appended, X-Forwarded-Proto (`https` for a request that came over TLS, else `http`)
 * and X-Forwarded-Host are set unless a proxy in front of the gateway already set them. They are informational: the gateway does not authenticate them.
 */
import type { BlockList } from 'node:net';
import { inAddressList, unmappedAddress } from '#portico/policy-engine';
import { type HeaderEdit } from '#portico/policy-engine';
import type { IncomingHttpHeaders } from 'node:http';

const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'http2-settings',
  // the federation's note of the member that answered (federation.ts), for the access log only
  'x-portico-member',
]);

/** Header names listed in a Connection header value (none for the usual `keep-alive` / `close`). */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined;
  const tokens = new Set<string>();
  for (const part of Array.isArray(value) ? value : [value]) {
    for (const token of part.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') tokens.add(name);
    }
  }
  return tokens;
}

function isHopByHop(name: string, named: Set<string> | undefined): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || (named !== undefined && named.has(name));
}

export interface UpstreamHeaderOptions {
  /** The TCP peer, appended to X-Forwarded-For. */
  peerAddress: string;
  /** The client request came over TLS (an https listener). */
  overTls: boolean;
  /** Replaces Content-Length (the body was re-serialised); undefined keeps the client's. */
  contentLength?: number;
  /** Ask the upstream for an uncompressed body (the gateway must read it). */
  identityEncoding: boolean;
}

/**
 * The headers of the upstream request for a client request, as the flat name/value list undici
 * takes (no intermediate object).
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, options: UpstreamHeaderOptions): string[] {
  const named = connectionTokens(headers.connection);
  const out: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (
      value === undefined ||
      name === 'host' ||
      name === 'expect' ||
      name === 'x-forwarded-for' ||
      isHopByHop(name, named) ||
      (options.contentLength !== undefined && name === 'content-length') ||
      (options.identityEncoding && name === 'accept-encoding')
    ) {
      continue;
    }
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
  if (options.contentLength !== undefined) out.push('content-length', String(options.contentLength));
  if (options.identityEncoding) out.push('accept-encoding', 'identity');
  const forwardedFor = headers['x-forwarded-for'];
  out.push('x-forwarded-for', forwardedFor ? `${forwardedFor}, ${options.peerAddress}` : options.peerAddress);
  if (headers['x-forwarded-proto'] === undefined) out.push('x-forwarded-proto', options.overTls ? 'https' : 'http');
  if (headers['x-forwarded-host'] === undefined && headers.host !== undefined) out.push('x-forwarded-host', headers.host);
  return out;
}

/** What the gateway changes in an upstream answer it forwards. */
export interface ClientHeaderOptions {
  /** The gateway changes the body: the upstream's Content-Length no longer holds. */
  dropContentLength: boolean;
  /** The gateway sets its own Content-Type (a re-serialised JSON answer). */
  dropContentType?: boolean;
  eventStream: boolean;
}

/**
 * The headers of the client response for an upstream response, as the flat name/value list
 * `res.writeHead` takes. Event streams get `X-Accel-Buffering: no` so buffering proxies in front
 * of the gateway pass events at once.
 */
export function clientResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
  options: ClientHeaderOptions,
): (string | string[])[] {
  const named = connectionTokens(headers.connection);
  const out: (string | string[])[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || isHopByHop(name, named)) continue;
    if (options.dropContentLength && name === 'content-length') continue;
    if (options.dropContentType && name === 'content-type') continue;
    out.push(name, value);
  }
  if (options.eventStream) out.push('x-accel-buffering', 'no');
  return out;
}

/** A header edit as {@link applyHeaderEdits} applies it: the names it drops, the pairs it appends. */
interface PreparedEdit {
  readonly dropped: ReadonlySet<string>;
  readonly appended: readonly string[];
}

// Policies mostly hand out the same frozen edit objects (a constant, or one cached per token), so
// those are lower-cased and sorted out once per object; an edit made for one request (not frozen)
// is prepared for that request only, not remembered.
const preparedEdits = new WeakMap<HeaderEdit, PreparedEdit>();

function prepare(edit: HeaderEdit): PreparedEdit {
  const dropped = new Set<string>();
  const appended: string[] = [];
  if (edit.remove) for (const name of edit.remove) dropped.add(name.toLowerCase());
  if (edit.set) {
    for (const name in edit.set) {
      const lower = name.toLowerCase();
      dropped.add(lower);
      if (!isHopByHop(lower, undefined)) appended.push(lower, edit.set[name]!);
    }
  }
  return { dropped, appended };
}

function prepared(edit: HeaderEdit): PreparedEdit {
  if (!Object.isFrozen(edit)) return prepare(edit);
  let out = preparedEdits.get(edit);
  if (out === undefined) {
    out = prepare(edit);
    preparedEdits.set(edit, out);
  }
  return out;
}

/**
 * `headers` (a flat name/value list, lower-case names as node and undici give them) with
 * policies' header edits applied in order: each edit drops the names it removes or sets, then
 * appends what it sets. Hop-by-hop names are never set.
 */
export function applyHeaderEdits<V extends string | string[]>(headers: V[], edits: readonly HeaderEdit[]): (V | string)[] {
  let out: (V | string)[] = headers;
  for (const edit of edits) {
    const { dropped, appended } = prepared(edit);
    const next: (V | string)[] = [];
    for (let i = 0; i < out.length; i += 2) {
      if (!dropped.has(out[i] as string)) next.push(out[i]!, out[i + 1]!);
    }
    for (const item of appended) next.push(item);
    out = next;
  }
  return out;
}

/** The TCP peer's address without the IPv4-mapped IPv6 prefix. */
export function peerAddress(remoteAddress: string | undefined): string {
  return remoteAddress === undefined ? 'unknown' : unmappedAddress(remoteAddress);
}

/**
 * The client's address: the TCP peer's, unless the peer is a trusted proxy; then the right-most
 * `X-Forwarded-For` address that is not a trusted proxy (the left-most when they all are). Every
 * address left of it was written by whoever the first untrusted hop was, so it is not believed.
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList | undefined,
): string {
  const peer = peerAddress(remoteAddress);
  if (trusted === undefined || forwardedFor === undefined || inAddressList(trusted, peer) !== true) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmappedAddress(hops[i]!.trim());
    const known = inAddressList(trusted, hop);
    if (known === undefined) break;
    client = hop;
    if (!known) break;
  }
  return client;
}

/** The media type of a Content-Type value, lower case, without parameters. */
export function mediaType(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? (value[0] ?? '') : value;
  const semicolon = text.indexOf(';');
  return (semicolon === -1 ? text : text.slice(0, semicolon)).trim().toLowerCase();
}

/** A request header as one string (repeated headers joined with `, `). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** JSON media types: `application/json` and `application/*+json`. */
export function isJsonMediaType(type: string | undefined): boolean {
  return type === 'application/json' || (type !== undefined && type.startsWith('application/') && type.endsWith('+json'));
}

/** MCP clients send JSON or accept event streams; such requests get JSON-RPC error bodies. */
export function looksLikeMcp(headers: IncomingHttpHeaders): boolean {
  const accept = headers.accept ?? '';
  return (
    accept.includes('text/event-stream') ||
    mediaType(headers['content-type']) === 'application/json' ||
    headers['mcp-protocol-version'] !== undefined ||
    headers['mcp-session-id'] !== undefined
  );
}

const MCP_ANSWER_TYPES = ['application/json', 'text/event-stream', '*/*', 'application/*', 'text/*'];

/** An Accept header some MCP answer (JSON or an event stream) satisfies. A missing one accepts anything. */
export function acceptsMcpAnswer(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const value = accept.toLowerCase();
  return MCP_ANSWER_TYPES.some((type) => value.includes(type));
}

/** The request announces a body (a non-zero Content-Length, or any Transfer-Encoding). */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}
