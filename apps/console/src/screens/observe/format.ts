/** How the observability screens write times, durations and what a logged call came to. */
import type { AccessLogEvent } from '../../api/resources';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const count = new Intl.NumberFormat();

export const formatTime = (iso: string) => dateTime.format(new Date(iso));
export const formatCount = (n: number) => count.format(n);
/** Milliseconds to 0.1 ms (whole ones from 100 ms); — for none. */
export const formatMillis = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '—' : `${ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
export const formatMicros = (us: number) => formatMillis(us / 1000);
/** `1 call`, `2 calls` */
export const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;
export const formatPercent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

/** Who called: the agent recognised, else the client application, else the User-Agent. */
export const callerOf = (e: AccessLogEvent) => e.agent ?? e.clientName ?? e.clientId ?? e.userAgent ?? '—';

/** The user: the principal an authentication policy established, else the user's domain. */
export const userOf = (e: AccessLogEvent) => e.principal ?? (e.userDomain ? `@${e.userDomain}` : '—');

/** The HTTP status, with the JSON-RPC error or tool error that came with it. */
export function outcomeOf(e: AccessLogEvent): string {
  if (e.jsonRpcErrorCode !== null) return `${e.httpStatus} · error ${e.jsonRpcErrorCode}`;
  return e.toolError ? `${e.httpStatus} · tool error` : String(e.httpStatus);
}

export const isFailure = (e: AccessLogEvent) => e.httpStatus >= 400 || e.jsonRpcErrorCode !== null || e.toolError;

/** The DLP findings as `redacted (Email)`, or — without any. */
export function dlpOf(e: AccessLogEvent): string {
  if (e.dlp.length === 0) return '—';
  return e.dlp.map((f) => `${f.action} (${f.categories.join(', ')})`).join('; ');
}
