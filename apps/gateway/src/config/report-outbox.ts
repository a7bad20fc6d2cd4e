/**
 * Policy reports (CompileContext.report) and observed tool lists (tools-observer.ts) on their way
 * to the control plane. The data plane adds them; the sync client takes them whenever it has a
 * stream (sync.proto `PolicyReport`, `ToolsObserved`). At most 1,000 wait while the stream is
 * down; beyond that the oldest are dropped and counted, since a policy that still sees the same
 * thing reports it again after a restart (and a tool list is reported again within REFRESH_MS).
 */
import { type PolicyReportSink } from '#portico/policy-engine';
import type { ConnectRequest } from '#portico/proto-ts';
import type { ToolsObservedSink } from '../pipeline/tools-observer.js';

const LIMIT = 1000;

/** A report as the sync stream sends it. */
export type ReportMessage = Extract<NonNullable<ConnectRequest['message']>, { $case: 'policyReport' | 'toolsObserved' }>;

export class ReportOutbox {
  private queue: ReportMessage[] = [];
  private listener?: () => void;
  private droppedCount = 0;

  readonly add: PolicyReportSink = (apiId, policyId, report) => {
    this.push({
      $case: 'policyReport',
      value: {
        apiId,
        policyId,
        report:
          report.kind === 'tool-definition'
            ? {
                $case: 'toolDefinition',
                value: { name: report.name, sha256: report.sha256, definitionJson: JSON.stringify(report.definition) },
              }
            : { $case: 'apiKeyUsed', value: { keyId: report.keyId } },
      },
    });
  };

  readonly addTools: ToolsObservedSink = ({ apiId, upstreamName, tools, complete }) => {
    this.push({ $case: 'toolsObserved', value: { apiId, upstreamName, tools: [...tools], complete } });
  };

  private push(message: ReportMessage): void {
    if (this.queue.length >= LIMIT) {
      this.queue.shift();
      this.droppedCount++;
    }
    this.queue.push(message);
    this.listener?.();
  }

  /** Reports dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Everything queued, oldest first; the queue is then empty. */
  take(): ReportMessage[] {
    const taken = this.queue;
    this.queue = [];
    return taken;
  }

  /** `listener` runs after each add (the sync client sends at once when it can). */
  onAdd(listener: () => void): void {
    this.listener = listener;
  }
}
