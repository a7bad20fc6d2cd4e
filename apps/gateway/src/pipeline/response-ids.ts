/**
 * Which method a JSON-RPC id belongs to, for responses that arrive on another HTTP response
 * than their request's (a GET stream resuming a POST stream with Last-Event-ID). Kept only for
 * APIs with response-phase policies, per API + session, bounded: the oldest entries go first.
 * A replica that did not see the request has no entry; the response then passes uninspected.
 */
import { type McpCall } from '#portico/policy-engine';
import type { JsonRpcId } from '#portico/mcp-jsonrpc';

export class ResponseIdMap {
  private readonly entries = new Map<string, McpCall>();

  constructor(private readonly limit: number) {}

  remember(apiId: string, session: string, call: McpCall): void {
    if (call.id === undefined) return;
    const key = ResponseIdMap.key(apiId, session, call.id);
    this.entries.delete(key);
    this.entries.set(key, call);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** The call `id` belonged to, forgotten on the way (one response per request). */
  take(apiId: string, session: string, id: JsonRpcId): McpCall | undefined {
    const key = ResponseIdMap.key(apiId, session, id);
    const call = this.entries.get(key);
    if (call) this.entries.delete(key);
    return call;
  }

  get size(): number {
    return this.entries.size;
  }

  private static key(apiId: string, session: string, id: JsonRpcId): string {
    return `${apiId}\n${session}\n${typeof id === 'number' ? 'n' : 's'}${id}`;
  }
}
