/**
 * The IPC messages between a gateway's primary process and its workers (cluster, 'advanced'
 * serialization, so a configuration travels as its protobuf bytes).
 */
import { type PolicyReport } from '#portico/policy-engine';
import type { ApiFailure } from '../config/translate.js';
import type { ObservedToolList } from '../pipeline/tools-observer.js';

/** Primary → worker: serve this configuration (GatewayConfig bytes); `seq` pairs the answer. */
export interface ApplyMessage {
  readonly type: 'portico:apply';
  readonly seq: number;
  readonly config: Uint8Array;
}

/** Primary → worker: finish the requests in flight, close, exit. */
export interface StopMessage {
  readonly type: 'portico:stop';
}

/** Worker → primary. */
export type WorkerMessage =
  /** Started; waiting for a configuration. */
  | { readonly type: 'portico:ready' }
  | {
      readonly type: 'portico:applied';
      readonly seq: number;
      readonly warnings: readonly string[];
      readonly failures: readonly ApiFailure[];
      readonly ports: readonly number[];
    }
  | { readonly type: 'portico:apply-failed'; readonly seq: number; readonly error: string }
  /** A policy's report (CompileContext.report), for the primary's sync stream. */
  | { readonly type: 'portico:report'; readonly apiId: string; readonly policyId: string; readonly report: PolicyReport }
  /** A tool list an MCP server answered (tools-observer.ts), for the primary's sync stream. */
  | { readonly type: 'portico:tools'; readonly list: ObservedToolList }
  /** Access events (event-batcher.ts), for the primary's outbox. */
  | { readonly type: 'portico:events'; readonly bytes: Uint8Array; readonly count: number };

export function isPrimaryMessage(message: unknown): message is ApplyMessage | StopMessage {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'portico:apply' || type === 'portico:stop';
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const type = (message as { type?: unknown } | null)?.type;
  return (
    type === 'portico:ready' ||
    type === 'portico:applied' ||
    type === 'portico:apply-failed' ||
    type === 'portico:report' ||
    type === 'portico:tools' ||
    type === 'portico:events'
  );
}
