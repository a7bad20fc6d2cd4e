/**
 * Probes an MCP endpoint for the credentials it wants: one `initialize` without any, then, when
 * refused, the OAuth metadata the refusal points at (RFC 9728, RFC 8414, OpenID discovery, in the
 * MCP authorization specification's order) or the API key it names. The verdict documents are
 * probe-verdict.ts's.
 *
 * Contract:
 * - Every request goes through `context.fetch`, which the caller holds to its address policy; a URL
 *   the server chose (metadata, an authorization server, a redirect) whose host is an IP address
 *   the policy denies is reported in the steps and not sent at all, one whose name resolves only to
 *   denied addresses is refused by the connection. Only the probed URL itself being denied throws
 *   ({@link ProbeAddressDenied}): that is the caller's input, the rest is the server's answer.
 * - Bounded: one deadline (`context.signal`) for the whole probe, bodies read up to a size, at most
 *   {@link MAX_REDIRECTS} redirects per metadata document and none for initialize. Every body is
 *   cancelled once read; a session the server opened is ended with DELETE (best effort).
 * - Nothing is sent but the probe's own requests: no credentials, no cookies.
 */
import { AddressDenied } from '#portico/outbound-address';
import { authorizationServerMetadataUrls, protectedResourceMetadataUrls, sameIssuer } from './metadata-urls.js';
import type { ProbeStep, ProbeVerdict } from './mcp-probe.dto.js';
import {
  apiKeyVerdict,
  describeFetchFailure,
  explicitApiKeyHint,
  guessedApiKeyHint,
  type InitializeFacts,
  noneVerdict,
  type OAuthFacts,
  oauthVerdict,
  type ProbeTrace,
  statusReason,
  unknownVerdict,
} from './probe-verdict.js';
import { SseParser } from './sse-parser.js';
import { type AuthChallenge, parseWwwAuthenticate } from './www-authenticate.js';

/** The newest protocol revision that has `initialize` (2026-07-28 has none). */
export const PROBE_PROTOCOL_VERSION = '2025-11-25';
/** Redirects followed per metadata document. */
export const MAX_REDIRECTS = 3;
/** Largest initialize answer read (JSON, or SSE up to the answer). */
const MAX_ANSWER_BYTES = 256 * 1024;
/** Largest metadata document read. */
const MAX_METADATA_BYTES = 64 * 1024;
/** Largest refusal body read for hints. */
const MAX_REFUSAL_BYTES = 16 * 1024;
const INITIALIZE_ID = 1;
const USER_AGENT = 'Portico-Probe/1';

/** What the probe needs from its caller. */
export interface ProbeContext {
  /** A fetch held to the address policy (a refused connection rejects with an AddressDenied cause). */
  fetch: typeof fetch;
  /** Ends the whole probe; `deadlineMs` is its length, for the words of a timeout. */
  signal: AbortSignal;
  deadlineMs: number;
  /** The rule that denies a host that is an IP address, or undefined. */
  deniedLiteral(host: string): string | undefined;
  /** The setting that holds the rules, named in refusals (`PORTICO_PROBE_DENY`). */
  policyName: string;
}

/** The probed URL is one the address policy refuses. */
export class ProbeAddressDenied extends Error {
  override readonly name = 'ProbeAddressDenied';
  constructor(
    readonly host: string,
    readonly rule: string,
    /** the host is a name whose addresses are all denied */
    readonly resolved: boolean,
  ) {
    super(`${host} is denied by ${rule}`);
  }
}

/** One exchange's outcome: an answer, or why there was none (already in the steps). */
type Exchange = { response: Response; step: ProbeStep } | { response?: undefined; failure: string; deniedBy?: string };

/** A probe in progress: its URL, context and the trace verdicts carry. */
class Probe {
  readonly trace: ProbeTrace;

  constructor(
    readonly url: URL,
    readonly context: ProbeContext,
  ) {
    this.trace = { url: url.href, steps: [], warnings: [] };
  }

  /** Sends one request; records it as a step. */
  async exchange(method: string, url: string, init: RequestInit): Promise<Exchange> {
    const host = new URL(url).hostname;
    const literal = this.context.deniedLiteral(host);
    if (literal !== undefined) return this.notSent(method, url, literal);
    try {
      const response = await this.context.fetch(url, {
        ...init,
        method,
        redirect: 'manual',
        credentials: 'omit',
        signal: this.context.signal,
        headers: { 'user-agent': USER_AGENT, ...(init.headers as Record<string, string>) },
      });
      const step: ProbeStep = { method, url, status: response.status };
      this.trace.steps.push(step);
      return { response, step };
    } catch (error) {
      const denied = (error as { cause?: unknown }).cause;
      if (denied instanceof AddressDenied) return this.notSent(method, url, denied.rule);
      const failure = describeFetchFailure(error, this.context.deadlineMs);
      this.trace.steps.push({ method, url, status: null, error: failure });
      return { failure };
    }
  }

  /** A request the address policy refused, without a connection (the host's address is not told). */
  private notSent(method: string, url: string, rule: string): Exchange {
    const failure = `not sent: its address is denied by ${rule} (${this.context.policyName})`;
    this.trace.steps.push({ method, url, status: null, error: failure });
    return { failure, deniedBy: rule };
  }

  /**
   * GETs a JSON object, following up to MAX_REDIRECTS redirects (each sent through the same policy);
   * undefined when there is none to read. `denied`: the policy refused one of the URLs.
   */
  async getJson(url: string, what: string): Promise<{ document?: Record<string, unknown>; denied: boolean }> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const exchange = await this.exchange('GET', current, { headers: { accept: 'application/json' } });
      if (!exchange.response) {
        const denied = exchange.deniedBy !== undefined;
        if (denied) {
          this.trace.warnings.push(
            `${what} ${current} was not fetched: its address is denied by ${exchange.deniedBy} (${this.context.policyName})`,
          );
        }
        return { denied };
      }
      const { response, step } = exchange;
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await cancel(response);
        const next = URL.canParse(location, current) ? new URL(location, current) : undefined;
        if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
          step.error = 'redirect to a location that is not an http(s) URL';
          return { denied: false };
        }
        current = next.href;
        continue;
      }
      if (response.status < 200 || response.status >= 300) {
        await cancel(response);
        return { denied: false };
      }
      const body = await readText(response, MAX_METADATA_BYTES, this.context);
      const document = body.text === undefined ? undefined : parseObject(body.text);
      if (!document) {
        step.error = body.text === undefined ? body.problem : 'not a JSON object';
        return { denied: false };
      }
      return { document, denied: false };
    }
    this.trace.warnings.push(`${what} ${url} redirected more than ${MAX_REDIRECTS} times`);
    return { denied: false };
  }
}

/** Probes `url` (an http(s) URL the caller validated). */
export async function probeMcpServer(url: URL, context: ProbeContext): Promise<ProbeVerdict> {
  const probe = new Probe(url, context);
  const literal = context.deniedLiteral(url.hostname);
  if (literal !== undefined) throw new ProbeAddressDenied(url.hostname, literal, false);

  const initialize = await probe.exchange('POST', url.href, {
    headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: INITIALIZE_ID,
      method: 'initialize',
      params: {
        protocolVersion: PROBE_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'portico-probe', version: '1.0.0' },
      },
    }),
  });
  if (!initialize.response) {
    if (initialize.deniedBy !== undefined) throw new ProbeAddressDenied(url.hostname, initialize.deniedBy, true);
    return unknownVerdict(probe.trace, initialize.failure);
  }
  const { response } = initialize;
  const status = response.status;
  if (status >= 200 && status < 300) return answered(probe, response);
  if (status === 401 || status === 403) return refused(probe, response);
  const rpcError = status >= 400 ? await refusalRpcError(response, context) : undefined;
  await cancel(response);
  const location = response.headers.get('location');
  const absolute = location !== null && URL.canParse(location, url.href) ? new URL(location, url.href).href : location;
  return unknownVerdict(probe.trace, statusReason(status, { location: absolute, rpcError }));
}

/** A 2xx to initialize: an InitializeResult is a `none` verdict; anything else is not MCP. */
async function answered(probe: Probe, response: Response): Promise<ProbeVerdict> {
  const answer = await readInitializeAnswer(response, probe.context);
  const sessionId = response.headers.get('mcp-session-id');
  let verdict: ProbeVerdict;
  if ('problem' in answer) {
    verdict = unknownVerdict(probe.trace, answer.problem);
  } else {
    const facts = initializeFacts(answer.message);
    verdict = typeof facts === 'string' ? unknownVerdict(probe.trace, facts) : noneVerdict(probe.trace, facts);
  }
  if (sessionId !== null) await endSession(probe, sessionId, verdict.verdict === 'none' ? verdict.protocolVersion : undefined);
  return verdict;
}

/** Ends the session `initialize` opened: DELETE with its id, its answer only recorded. */
async function endSession(probe: Probe, sessionId: string, protocolVersion: string | undefined): Promise<void> {
  if (!/^[\x21-\x7e]{1,1024}$/.test(sessionId)) {
    probe.trace.warnings.push('the server sent an Mcp-Session-Id that is not visible ASCII; the session was not ended');
    return;
  }
  if (probe.context.signal.aborted) return;
  const headers: Record<string, string> = { 'mcp-session-id': sessionId };
  if (protocolVersion && /^[\x21-\x7e]{1,64}$/.test(protocolVersion)) headers['mcp-protocol-version'] = protocolVersion;
  const exchange = await probe.exchange('DELETE', probe.url.href, { headers });
  if (exchange.response) await cancel(exchange.response);
}

/** A 401 or 403: OAuth metadata, an API key, or (a bare 403) unknown. */
async function refused(probe: Probe, response: Response): Promise<ProbeVerdict> {
  const status = response.status;
  const challenges = parseWwwAuthenticate(response.headers.get('www-authenticate') ?? '');
  const body = await readText(response, MAX_REFUSAL_BYTES, probe.context);
  const text = body.text ?? '';
  const bearer = challenges.find((c) => c.scheme.toLowerCase() === 'bearer');
  const named = bearer?.params.resource_metadata;

  if (named !== undefined) return oauthVerdict(probe.trace, await discover(probe, bearer!, named));
  const hint = explicitApiKeyHint(status, challenges, text);
  if (hint) return apiKeyVerdict(probe.trace, hint);
  if (!bearer && status === 403) {
    return unknownVerdict(probe.trace, 'answered 403 without a challenge or a hint of the credentials it wants');
  }
  // No pointer to metadata: the well-known URIs (2025-11-25 makes the challenge optional), then a
  // 2025-03-26 server's own authorization-server metadata.
  const found = await discover(probe, bearer, undefined);
  if (found.resourceMetadata || found.authorizationServerMetadata) return oauthVerdict(probe.trace, found);
  if (probe.context.signal.aborted) {
    // not a guess on the strength of metadata requests the deadline cut short
    return unknownVerdict(
      probe.trace,
      `answered ${status}, and the probe ran out of its ${probe.context.deadlineMs / 1000} s looking for OAuth metadata`,
    );
  }
  return apiKeyVerdict(probe.trace, guessedApiKeyHint(status, challenges, text));
}

/**
 * OAuth discovery: the protected-resource metadata at `named` (the challenge's resource_metadata)
 * or at the well-known URIs, then its first authorization server's metadata. Without
 * protected-resource metadata and without `named`, the MCP origin's own authorization-server
 * metadata (2025-03-26 servers were their own authorization server).
 */
async function discover(probe: Probe, bearer: AuthChallenge | undefined, named: string | undefined): Promise<OAuthFacts> {
  const scope = bearer?.params.scope;
  const facts: OAuthFacts = {
    challengeScopes: scope === undefined ? undefined : scope.split(/\s+/).filter(Boolean),
    resourceMetadataUrl: null,
    resourceMetadata: null,
    issuer: null,
    authorizationServerMetadata: null,
  };

  let candidates: string[];
  if (named === undefined) {
    candidates = protectedResourceMetadataUrls(probe.url);
  } else {
    const url = URL.canParse(named, probe.url.href) ? new URL(named, probe.url) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      probe.trace.warnings.push(`the challenge's resource_metadata ${named.slice(0, 500)} is not an http(s) URL`);
      candidates = protectedResourceMetadataUrls(probe.url);
    } else {
      candidates = [url.href];
      facts.resourceMetadataUrl = url.href;
    }
  }
  for (const candidate of candidates) {
    const read = await probe.getJson(candidate, 'protected-resource metadata');
    if (read.document) {
      facts.resourceMetadataUrl = candidate;
      facts.resourceMetadata = read.document;
      break;
    }
    if (read.denied) break;
  }
  if (!facts.resourceMetadata && named !== undefined && facts.resourceMetadataUrl !== null) {
    probe.trace.warnings.push(`no protected-resource metadata could be read from ${facts.resourceMetadataUrl}`);
  }

  if (facts.resourceMetadata) {
    const servers = facts.resourceMetadata.authorization_servers;
    const first = Array.isArray(servers) ? servers[0] : undefined;
    if (typeof first !== 'string') {
      probe.trace.warnings.push('the protected-resource metadata lists no authorization_servers');
      return facts;
    }
    if (Array.isArray(servers) && servers.length > 1) {
      probe.trace.warnings.push(
        `the protected-resource metadata lists ${servers.length} authorization servers; the first is used`,
      );
    }
    facts.issuer = first;
  } else if (named === undefined) {
    facts.issuer = probe.url.origin;
    const metadata = await authorizationServerMetadata(probe, probe.url.origin, true);
    if (!metadata) facts.issuer = null;
    facts.authorizationServerMetadata = metadata ?? null;
    return facts;
  } else {
    return facts;
  }
  facts.authorizationServerMetadata = (await authorizationServerMetadata(probe, facts.issuer, false)) ?? null;
  return facts;
}

/**
 * The metadata of the authorization server `issuer`, from the first of its well-known URIs that
 * serves a document whose `issuer` is that issuer (RFC 8414 §3.3: another one MUST NOT be used).
 * `oauthOnly`: the 2025-03-26 fallback, which looked for RFC 8414 metadata only.
 */
async function authorizationServerMetadata(
  probe: Probe,
  issuer: string,
  oauthOnly: boolean,
): Promise<Record<string, unknown> | undefined> {
  const url = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    probe.trace.warnings.push(`authorization server ${issuer.slice(0, 500)} is not an http(s) URL`);
    return undefined;
  }
  const candidates = authorizationServerMetadataUrls(url);
  for (const candidate of oauthOnly ? candidates.slice(0, 1) : candidates) {
    const read = await probe.getJson(candidate, 'authorization server metadata');
    if (read.denied) return undefined;
    if (!read.document) continue;
    if (!sameIssuer(String(read.document.issuer), issuer)) {
      probe.trace.warnings.push(
        `${candidate} names issuer ${String(read.document.issuer).slice(0, 500)}, not ${issuer}: not used (RFC 8414 §3.3)`,
      );
      continue;
    }
    return read.document;
  }
  return undefined;
}

/** The InitializeResult in `message`, or why it is none. */
function initializeFacts(message: Record<string, unknown>): InitializeFacts | string {
  if (message.jsonrpc !== '2.0' || message.id !== INITIALIZE_ID)
    return 'answered JSON that is not a JSON-RPC response to initialize';
  const error = message.error as { code?: unknown; message?: unknown } | undefined;
  if (error && typeof error === 'object') {
    return `answered initialize with JSON-RPC error ${String(error.code)}: ${String(error.message).slice(0, 300)}`;
  }
  const result = message.result as Record<string, unknown> | undefined;
  if (
    !result ||
    typeof result !== 'object' ||
    typeof result.protocolVersion !== 'string' ||
    !isObject(result.serverInfo) ||
    !isObject(result.capabilities)
  ) {
    return 'answered initialize with a result that is not an InitializeResult (protocolVersion, capabilities, serverInfo)';
  }
  return { serverInfo: result.serverInfo, protocolVersion: result.protocolVersion, capabilities: result.capabilities };
}

/**
 * The JSON-RPC message answering initialize in a 2xx: a JSON body, or the first event of an SSE
 * stream carrying a response with its id (requests and notifications before it are skipped). The
 * stream is cancelled as soon as it came.
 */
async function readInitializeAnswer(
  response: Response,
  context: ProbeContext,
): Promise<{ message: Record<string, unknown> } | { problem: string }> {
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const status = response.status;
  if (mediaType === 'application/json') {
    const body = await readText(response, MAX_ANSWER_BYTES, context);
    if (body.text === undefined) return { problem: body.problem };
    const message = parseObject(body.text);
    return message ? { message } : { problem: `answered ${status} application/json that is not a JSON object` };
  }
  if (mediaType === 'text/event-stream') {
    const parser = new SseParser();
    let message: Record<string, unknown> | undefined;
    const body = await readChunks(response, MAX_ANSWER_BYTES, context, (text) => {
      for (const event of parser.push(text)) {
        const data = event.event === 'message' ? parseObject(event.data) : undefined;
        if (data && data.id === INITIALIZE_ID && ('result' in data || 'error' in data)) message = data;
        if (message) return true;
      }
      return false;
    });
    if (message) return { message };
    if (body.problem) return { problem: body.problem };
    return { problem: `answered ${status} text/event-stream, but the stream ended without an answer to initialize` };
  }
  await cancel(response);
  if (status === 202 || status === 204) return { problem: `answered ${status} without an answer to initialize` };
  return { problem: `answered ${status} ${mediaType || 'without a Content-Type'}, not MCP` };
}

/** The JSON-RPC error message in a refusal's body (`Bad Request: Unsupported protocol version`), if any. */
async function refusalRpcError(response: Response, context: ProbeContext): Promise<string | undefined> {
  const body = await readText(response, MAX_REFUSAL_BYTES, context);
  const error = body.text === undefined ? undefined : parseObject(body.text)?.error;
  const message = isObject(error) ? error.message : undefined;
  return typeof message === 'string' && message !== '' ? message.slice(0, 300) : undefined;
}

/** The whole body as text, at most `maxBytes`; `problem` when it was larger or broke off. */
async function readText(
  response: Response,
  maxBytes: number,
  context: ProbeContext,
): Promise<{ text: string; problem?: undefined } | { text?: undefined; problem: string }> {
  let text = '';
  const body = await readChunks(response, maxBytes, context, (chunk) => {
    text += chunk;
    return false;
  });
  return body.problem ? { problem: body.problem } : { text };
}

/**
 * Reads `response`'s body as UTF-8, chunk by chunk, until `onText` returns true, the body ends, or
 * it passed `maxBytes`; then cancels it, so the connection is not held.
 */
async function readChunks(
  response: Response,
  maxBytes: number,
  context: ProbeContext,
  onText: (text: string) => boolean,
): Promise<{ problem?: string }> {
  const reader = response.body?.getReader();
  if (!reader) return {};
  const decoder = new TextDecoder();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        onText(decoder.decode());
        return {};
      }
      read += value.byteLength;
      if (read > maxBytes) return { problem: `answered more than ${maxBytes / 1024} KiB` };
      if (onText(decoder.decode(value, { stream: true }))) return {};
    }
  } catch (error) {
    if (context.signal.aborted) return { problem: `no complete answer within ${context.deadlineMs / 1000} s` };
    return { problem: `the answer broke off (${describeFetchFailure(error, context.deadlineMs)})` };
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function cancel(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
