/** What a logged call came to, as the observability screens say it. */
import type { AccessLogEvent } from '../../api/resources';

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
