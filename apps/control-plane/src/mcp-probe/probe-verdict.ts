/**
 * The verdict documents of a probe, from what its exchanges found, and the wording of what went
 * wrong. No I/O: mcp-probe.ts gathers the facts, this decides what they mean.
 *
 * Decisions:
 * - The proposal of an `oauth` verdict is `gateway-oauth` when the authorization server's metadata
 *   was read (the gateway can run the flow itself: it knows the endpoints) and `oauth-passthrough`
 *   when it was not (clients must bring tokens of the server's authorization server themselves).
 * - Registration follows the specification's order: a client ID metadata document when the
 *   authorization server takes one, dynamic registration when it has a registration endpoint,
 *   else `manual` (an operator registers a client).
 * - An `unknown` verdict proposes `none`: nothing asked for credentials.
 */
import type { AuthChallenge } from './www-authenticate.js';
import type { ProbeProposal, ProbeStep, ProbeVerdict } from './mcp-probe.dto.js';

/** What every verdict carries besides its own fields. */
export interface ProbeTrace {
  /** the URL probed */
  url: string;
  steps: ProbeStep[];
  warnings: string[];
}

/** An InitializeResult, as far as a verdict reports it. */
export interface InitializeFacts {
  serverInfo: Record<string, unknown>;
  protocolVersion: string;
  capabilities: Record<string, unknown>;
}

/** What OAuth discovery found; null where it found nothing. */
export interface OAuthFacts {
  /** the challenge's `scope`, split; undefined when the challenge had none */
  challengeScopes: string[] | undefined;
  /** where the protected-resource metadata was read (or looked for, when named by the challenge) */
  resourceMetadataUrl: string | null;
  resourceMetadata: Record<string, unknown> | null;
  /** the issuer asked (authorization_servers[0], or the MCP origin for a 2025-03-26 server) */
  issuer: string | null;
  authorizationServerMetadata: Record<string, unknown> | null;
}

/** Where an API key goes, and why the probe thinks so. */
export interface ApiKeyHint {
  headerName: string;
  prefix: string;
  evidence: string;
  /** the header is the default, not something the server said */
  guessed: boolean;
}

const proposal = (url: string, fields: Omit<ProbeProposal, 'upstreamUri'>): ProbeProposal => ({
  connection: fields.connection,
  upstreamUri: url,
  ...(fields.upstreamCredential && { upstreamCredential: fields.upstreamCredential }),
  ...(fields.oauth && { oauth: fields.oauth }),
});

export function noneVerdict(trace: ProbeTrace, init: InitializeFacts): ProbeVerdict {
  return {
    verdict: 'none',
    url: trace.url,
    serverInfo: init.serverInfo,
    protocolVersion: init.protocolVersion,
    capabilities: init.capabilities,
    proposal: proposal(trace.url, { connection: { mode: 'none' } }),
    warnings: trace.warnings,
    steps: trace.steps,
  };
}

export function unknownVerdict(trace: ProbeTrace, reason: string): ProbeVerdict {
  return {
    verdict: 'unknown',
    url: trace.url,
    reason,
    proposal: proposal(trace.url, { connection: { mode: 'none' } }),
    warnings: trace.warnings,
    steps: trace.steps,
  };
}

export function apiKeyVerdict(trace: ProbeTrace, hint: ApiKeyHint): ProbeVerdict {
  const warnings = hint.guessed
    ? [
        ...trace.warnings,
        `the server did not say where the key goes: ${hint.headerName}${hint.prefix ? ` with prefix ${hint.prefix}` : ''} is a guess`,
      ]
    : trace.warnings;
  return {
    verdict: 'api-key',
    url: trace.url,
    headerName: hint.headerName,
    prefix: hint.prefix,
    evidence: hint.evidence,
    proposal: proposal(trace.url, {
      connection: { mode: 'api-key' },
      upstreamCredential: { headerName: hint.headerName, prefix: hint.prefix },
    }),
    warnings,
    steps: trace.steps,
  };
}

export function oauthVerdict(trace: ProbeTrace, facts: OAuthFacts): ProbeVerdict {
  const prm = facts.resourceMetadata ?? {};
  const as = facts.authorizationServerMetadata;
  const warnings = [...trace.warnings];
  const scopes = facts.challengeScopes ?? strings(prm.scopes_supported) ?? [];
  const registrationEndpoint = as ? httpUrl(as.registration_endpoint) : null;
  const clientIdMetadataDocuments = as?.client_id_metadata_document_supported === true;
  const pkceMethods = as ? (strings(as.code_challenge_methods_supported) ?? []) : [];
  const resource = typeof prm.resource === 'string' ? prm.resource : null;

  if (facts.resourceMetadata && resource !== null && !sameUrl(resource, trace.url)) {
    warnings.push(
      `the protected-resource metadata names resource ${resource}, not the probed URL (RFC 9728 §3.3): MCP clients may refuse it`,
    );
  }
  if (as && !pkceMethods.includes('S256')) {
    warnings.push('the authorization server does not list S256 in code_challenge_methods_supported: MCP clients must refuse it');
  }
  if (!as && facts.issuer !== null) {
    warnings.push(`no metadata of authorization server ${facts.issuer} could be read: clients must bring their own tokens`);
  }

  const issuer = as && typeof as.issuer === 'string' ? as.issuer : facts.issuer;
  const registration = clientIdMetadataDocuments ? 'client-metadata-document' : registrationEndpoint ? 'dynamic' : 'manual';
  return {
    verdict: 'oauth',
    url: trace.url,
    resource,
    resourceMetadataUrl: facts.resourceMetadataUrl,
    authorizationServer: issuer,
    authorizationEndpoint: as ? httpUrl(as.authorization_endpoint) : null,
    tokenEndpoint: as ? httpUrl(as.token_endpoint) : null,
    registrationEndpoint,
    scopes,
    dynamicClientRegistration: registrationEndpoint !== null,
    clientIdMetadataDocuments,
    pkceMethods,
    proposal:
      as && issuer !== null
        ? proposal(trace.url, {
            connection: { mode: 'gateway-oauth' },
            oauth: { authorizationServer: issuer, scopes, registration },
          })
        : proposal(trace.url, { connection: { mode: 'oauth-passthrough' } }),
    warnings,
    steps: trace.steps,
  };
}

/** A header name in a 401/403 body: an `X-` field about a key, token, secret or authentication. */
const HEADER_IN_BODY = /(?<![\w-])(x-[a-z0-9-]*(?:key|token|auth|secret)[a-z0-9-]*)(?![\w-])/i;
/** Well-known key headers without the `X-`. */
const KNOWN_KEY_HEADER = /(?<![\w-])(ocp-apim-subscription-key|api-key|apikey)(?![\w-])/i;
/** Words of an API-key refusal without a header name. */
const API_KEY_WORDS = /\bapi[ _-]?keys?\b|\bapikey\b/i;
/** Parameters of a non-Bearer challenge that may name the header (`ApiKey header="X-API-Key"`). */
const HEADER_PARAMS = ['header', 'header_name', 'name', 'in'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/**
 * Where a server that refused the probe wants an API key, when it said so: a challenge of a
 * scheme other than Bearer (its parameter naming a header, else `Authorization: <scheme>`), or a
 * header name in the body of the refusal (`{"error":"missing X-API-Key header"}`). Undefined when
 * neither says anything: the caller then looks for OAuth metadata before guessing.
 */
export function explicitApiKeyHint(status: number, challenges: AuthChallenge[], body: string): ApiKeyHint | undefined {
  const other = challenges.find((c) => c.scheme.toLowerCase() !== 'bearer');
  if (other && !challenges.some((c) => c.scheme.toLowerCase() === 'bearer')) {
    const named = HEADER_PARAMS.map((p) => other.params[p]).find((v) => v !== undefined && HEADER_NAME.test(v) && v !== 'header');
    if (named) {
      return {
        headerName: named,
        prefix: '',
        evidence: `the ${status} challenge ${other.scheme} names header ${named}`,
        guessed: false,
      };
    }
    return {
      headerName: 'Authorization',
      prefix: other.scheme,
      evidence: `the ${status} answer challenges with WWW-Authenticate: ${other.scheme}`,
      guessed: false,
    };
  }
  const header = HEADER_IN_BODY.exec(body)?.[1] ?? KNOWN_KEY_HEADER.exec(body)?.[1];
  if (header) return { headerName: header, prefix: '', evidence: `the ${status} answer's body names ${header}`, guessed: false };
  return undefined;
}

/**
 * The guess for a 401 that named no header and led to no OAuth metadata: a token in
 * `Authorization: Bearer`, the most common place for both API keys and static tokens.
 */
export function guessedApiKeyHint(status: number, challenges: AuthChallenge[], body: string): ApiKeyHint {
  const bearer = challenges.some((c) => c.scheme.toLowerCase() === 'bearer');
  const evidence = bearer
    ? `the ${status} answer challenges with Bearer but no OAuth metadata was found`
    : API_KEY_WORDS.test(body)
      ? `the ${status} answer's body mentions an API key, without a header name`
      : `the ${status} answer has no challenge and no OAuth metadata was found`;
  return { headerName: 'Authorization', prefix: 'Bearer', evidence, guessed: true };
}

/** The reason of an `unknown` verdict for an initialize answered with `status`, not 2xx, 401 or 403. */
export function statusReason(status: number, detail: { location?: string | null; rpcError?: string }): string {
  if (status >= 300 && status < 400) {
    return detail.location
      ? `answered ${status} redirecting to ${detail.location.slice(0, 500)}; the probe does not follow a redirect of initialize: probe that URL if it is the MCP endpoint`
      : `answered ${status} without a Location`;
  }
  const rpc = detail.rpcError ? `: ${detail.rpcError}` : '';
  if (status === 404) return `answered 404: no MCP endpoint at this URL${rpc}`;
  if (status === 405) return `answered 405 to POST: not a Streamable HTTP MCP endpoint${rpc}`;
  if (status >= 500) return `answered ${status}, a server error${rpc}`;
  return `answered ${status}${rpc}`;
}

/** How one error code of a failed exchange reads. */
const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed before an answer',
  UND_ERR_CLOSED: 'connection closed before an answer',
  UND_ERR_HEADERS_OVERFLOW: 'answer headers too large',
  UND_ERR_HEADERS_TIMEOUT: 'no answer headers in time',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted (self-signed)',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted (self-signed chain)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate not valid for this host',
  EPROTO: 'TLS handshake failed',
};

/**
 * Why a fetch rejected, in a few words (`connection refused`), without internals. `deadlineMs`: the
 * probe's whole time, for a fetch its deadline ended.
 */
export function describeFetchFailure(error: unknown, deadlineMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${deadlineMs / 1000} s`;
  let cause: unknown = error;
  // fetch wraps the socket's error (TypeError 'fetch failed' → cause); an AggregateError holds one per address tried
  for (let depth = 0; depth < 4 && cause && typeof cause === 'object'; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && Object.hasOwn(CONNECT_ERRORS, code)) return CONNECT_ERRORS[code]!;
    const nested = (cause as { errors?: unknown[] }).errors?.[0];
    cause = (cause as { cause?: unknown }).cause ?? nested;
  }
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? `request failed (${code})` : 'request failed';
}

/** `value` when it is an array of strings. */
function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** `value` when it is an absolute http(s) URL, else null. */
function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || !URL.canParse(value)) return null;
  return /^https?:$/.test(new URL(value).protocol) ? value : null;
}

function sameUrl(a: string, b: string): boolean {
  return URL.canParse(a) && URL.canParse(b) && new URL(a).href === new URL(b).href;
}
