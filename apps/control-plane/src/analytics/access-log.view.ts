/**
 * What the access-log routes answer: events, counts and the opaque cursor of the search.
 *
 * Contract: the cursor is the position (time, id) of the last event of a page; the next page holds
 * the events strictly after it in newest-first order, so pages neither repeat nor skip events
 * while new ones arrive (keyset pagination). Clients must treat it as opaque.
 */
import { validationError } from '../common/validation.js';
import type { AccessLogEvent, CallCounts } from './analytics.dto.js';
import type { AccessEventRow, LogPosition } from './analytics.repository.js';
import type { EventCounts } from './event-groups.js';

/** A stored event as the search shows it; durations in µs, sizes in bytes. */
export function accessLogView(row: AccessEventRow, payloads: boolean): AccessLogEvent {
  return {
    id: row.id,
    time: row.time.toISOString(),
    apiId: row.apiId,
    gatewayId: row.targetId,
    replicaId: row.replicaId,
    requestId: row.requestId,
    sessionId: row.sessionId,
    httpMethod: row.httpMethod,
    path: row.path,
    httpStatus: row.httpStatus,
    mcpMethod: row.mcpMethod,
    jsonRpcId: row.jsonRpcId,
    mcpName: row.mcpName,
    jsonRpcErrorCode: row.jsonRpcErrorCode,
    toolError: row.toolError,
    durationUs: Number(row.durationUs),
    upstreamLatencyUs: row.upstreamLatencyUs === null ? null : Number(row.upstreamLatencyUs),
    bytesIn: Number(row.bytesIn),
    bytesOut: Number(row.bytesOut),
    clientId: row.clientId,
    clientName: row.clientName,
    principal: row.principal,
    userDomain: row.userDomain,
    clientAddress: row.clientAddress,
    userAgent: row.userAgent,
    verdicts: row.verdicts,
    dlp: row.dlp,
    gatewayError: row.gatewayError,
    upstreamName: row.upstreamName,
    agent: row.agent,
    ...(payloads ? { requestPayload: row.requestPayload ?? null, responsePayload: row.responsePayload ?? null } : {}),
  };
}

/** Latency percentiles in milliseconds (µs precision); null without events. */
export function latencyView(latencyUs: readonly number[] | null): CallCounts['latencyMs'] {
  if (!latencyUs) return null;
  const ms = (us: number) => Math.round(us) / 1000;
  return { p50: ms(latencyUs[0]!), p90: ms(latencyUs[1]!), p99: ms(latencyUs[2]!) };
}

/** Counts of a group of events, with its error rate (errors / requests). */
export function countsView(c: EventCounts): CallCounts {
  return {
    requests: c.requests,
    errors: c.errors,
    errorRate: c.requests ? c.errors / c.requests : 0,
    denials: c.denials,
    shadowDenials: c.shadowDenials,
    latencyMs: latencyView(c.latencyUs),
  };
}

/** The opaque cursor of `position` (see the module comment). */
export function encodeCursor(position: LogPosition): string {
  return Buffer.from(JSON.stringify([position.time.getTime(), position.id])).toString('base64url');
}

/** The position a cursor holds; 400 naming `cursor` when it is not one this API made. */
export function decodeCursor(cursor: string): LogPosition {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const at = new Date(time as number);
    if (Number.isInteger(time) && !Number.isNaN(at.getTime()) && typeof id === 'string') return { time: at, id };
  } catch {
    // not base64url JSON: answered below
  }
  throw validationError([
    { path: '/query/cursor', message: 'must be the nextCursor of a previous page', errorCode: 'custom.validation' },
  ]);
}
