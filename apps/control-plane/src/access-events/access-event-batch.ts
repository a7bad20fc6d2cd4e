/**
 * What the control plane takes from a gateway's Publish: the checks and limits of one batch.
 *
 * Contract: a batch is either malformed, and then refused whole with INVALID_ARGUMENT naming the
 * first bad field by its proto name (`events[3].time_unix_ms: …`), or every event of it is taken.
 * Malformed means: more than MAX_EVENTS_PER_BATCH events, no replica id, an event without an id or
 * API id, an id longer than MAX_ID_LENGTH or holding a NUL character, a time outside years
 * 1970–9999, an HTTP status above 999. Anything else that is too long is cut, never refused: a
 * batch the gateway keeps publishing again must not be stuck on one long User-Agent. Ids are
 * never cut (two ids cut to one would merge two events). NUL characters, which Postgres text
 * cannot hold, are removed; empty optional strings become null.
 */
import { z } from 'zod';
import type { AccessEvent, DlpFinding, PolicyVerdict, PublishRequest } from '#portico/proto-ts';

/**
 * The most events one Publish may carry. A gateway batches up to 4 MiB of encoded events, and no
 * real event encodes in less than 64 bytes, so its batches stay below this.
 */
export const MAX_EVENTS_PER_BATCH = 65_536;
/** The longest event id and replica id. */
export const MAX_ID_LENGTH = 200;
/** The longest request or response payload kept (characters); the gateway also cuts to its configured size. */
export const MAX_PAYLOAD_LENGTH = 65_536;
/** The most verdicts and DLP findings kept per event, and categories per finding. */
export const MAX_FINDINGS = 64;
const MAX_CATEGORIES = 32;
/** Default limit of a free-text field; the fields below have their own. */
const MAX_TEXT_LENGTH = 256;
const TEXT_LIMITS = { path: 2048, mcpName: 1024, principal: 512, userAgent: 512, httpMethod: 32 } as const;
/** 9999-12-31T23:59:59.999Z, the last instant Postgres and ISO 8601 years of four digits agree on. */
const MAX_TIME_MS = 253_402_300_799_999;

/** A policy verdict as stored (jsonb), keys as the REST API shows them. */
export const verdictSchema = z.object({
  policyType: z.string(),
  policyId: z.string(),
  verdict: z.string(),
  mode: z.string(),
  errorKind: z.string(),
});
export type StoredVerdict = z.output<typeof verdictSchema>;

/** A DLP finding as stored (jsonb). */
export const dlpFindingSchema = z.object({
  policyId: z.string(),
  direction: z.string(),
  categories: z.array(z.string()),
  action: z.string(),
});
export type StoredDlpFinding = z.output<typeof dlpFindingSchema>;

/** One event, checked and cut to the column limits; `apiId` is still the gateway's text. */
export interface StoredEvent {
  id: string;
  time: Date;
  apiId: string;
  requestId: string;
  sessionId: string | null;
  httpMethod: string;
  path: string;
  httpStatus: number;
  mcpMethod: string | null;
  jsonRpcId: string | null;
  mcpName: string | null;
  jsonRpcErrorCode: number | null;
  toolError: boolean;
  durationUs: number;
  upstreamLatencyUs: number | null;
  bytesIn: number;
  bytesOut: number;
  clientId: string | null;
  clientName: string | null;
  principal: string | null;
  userDomain: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  verdicts: StoredVerdict[];
  dlp: StoredDlpFinding[];
  gatewayError: string | null;
  requestPayload: string | null;
  responsePayload: string | null;
  upstreamName: string | null;
  agent: string | null;
}

export interface AccessEventBatch {
  replicaId: string;
  replicaName: string | null;
  droppedTotal: number;
  events: StoredEvent[];
}

/** A malformed batch; `field` is the proto path of the first problem. */
export class MalformedBatchError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'MalformedBatchError';
  }
}

/** Checks `request` and returns what is stored of it; throws MalformedBatchError. */
export function parseBatch(request: PublishRequest): AccessEventBatch {
  if (request.events.length > MAX_EVENTS_PER_BATCH) {
    throw new MalformedBatchError('events', `holds ${request.events.length} events; at most ${MAX_EVENTS_PER_BATCH} per batch`);
  }
  return {
    replicaId: identifier(request.replicaId, 'replica_id'),
    replicaName: optionalText(request.replicaName),
    droppedTotal: request.droppedTotal,
    events: request.events.map((event, i) => storedEvent(event, `events[${i}]`)),
  };
}

function storedEvent(event: AccessEvent, at: string): StoredEvent {
  if (!Number.isInteger(event.timeUnixMs) || event.timeUnixMs < 1 || event.timeUnixMs > MAX_TIME_MS) {
    throw new MalformedBatchError(`${at}.time_unix_ms`, `must be milliseconds since the epoch, from 1 to ${MAX_TIME_MS}`);
  }
  if (event.httpStatus > 999) throw new MalformedBatchError(`${at}.http_status`, 'must be an HTTP status, at most 999');
  return {
    id: identifier(event.id, `${at}.id`),
    time: new Date(event.timeUnixMs),
    apiId: identifier(event.apiId, `${at}.api_id`),
    requestId: text(event.requestId),
    sessionId: optionalText(event.sessionId),
    httpMethod: text(event.httpMethod, TEXT_LIMITS.httpMethod),
    path: text(event.path, TEXT_LIMITS.path),
    httpStatus: event.httpStatus,
    mcpMethod: optionalText(event.mcpMethod),
    jsonRpcId: optionalText(event.jsonrpcId),
    mcpName: optionalText(event.targetName, TEXT_LIMITS.mcpName),
    jsonRpcErrorCode: event.jsonrpcErrorCode ?? null,
    toolError: event.toolError,
    durationUs: event.durationUs,
    upstreamLatencyUs: event.upstreamLatencyUs ?? null,
    bytesIn: event.bytesIn,
    bytesOut: event.bytesOut,
    clientId: optionalText(event.clientId),
    clientName: optionalText(event.clientName),
    principal: optionalText(event.principal, TEXT_LIMITS.principal),
    // domains compare case-insensitively; stored lower-case so a filter is one index-friendly equality
    userDomain: optionalText(event.userDomain)?.toLowerCase() ?? null,
    clientAddress: optionalText(event.clientAddress),
    userAgent: optionalText(event.userAgent, TEXT_LIMITS.userAgent),
    verdicts: event.verdicts.slice(0, MAX_FINDINGS).map(storedVerdict),
    dlp: event.dlp.slice(0, MAX_FINDINGS).map(storedDlpFinding),
    gatewayError: optionalText(event.gatewayError),
    requestPayload: optionalText(event.requestPayload, MAX_PAYLOAD_LENGTH),
    responsePayload: optionalText(event.responsePayload, MAX_PAYLOAD_LENGTH),
    upstreamName: optionalText(event.upstreamName, TEXT_LIMITS.mcpName),
    agent: optionalText(event.agent),
  };
}

function storedVerdict(v: PolicyVerdict): StoredVerdict {
  return {
    policyType: text(v.policyType),
    policyId: text(v.policyId),
    verdict: text(v.verdict),
    mode: text(v.mode),
    errorKind: text(v.errorKind),
  };
}

function storedDlpFinding(f: DlpFinding): StoredDlpFinding {
  return {
    policyId: text(f.policyId),
    direction: text(f.direction),
    categories: f.categories.slice(0, MAX_CATEGORIES).map((c) => text(c)),
    action: text(f.action),
  };
}

/** A required key: non-empty, at most MAX_ID_LENGTH characters, no NUL. */
function identifier(value: string, field: string): string {
  if (!value) throw new MalformedBatchError(field, 'is required');
  if (value.length > MAX_ID_LENGTH) throw new MalformedBatchError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  if (value.includes('\u0000')) throw new MalformedBatchError(field, 'must not contain NUL characters');
  return value;
}

/** `value` without NUL characters, cut to `max` characters (never inside a surrogate pair). */
function text(value: string, max: number = MAX_TEXT_LENGTH): string {
  const clean = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const last = cut.charCodeAt(max - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

function optionalText(value: string, max?: number): string | null {
  return value ? text(value, max) || null : null;
}
