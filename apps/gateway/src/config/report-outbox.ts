/**
 * Policy reports (CompileContext.report) on their way to the control plane. The data plane adds
 * them; the sync client takes them whenever it has a stream (sync.proto `PolicyReport`). At most
 * 1,000 wait while the stream is down; beyond that the oldest are dropped and counted, since a
 * policy that still sees the same thing reports it again after a restart.
 */
import { type PolicyReportSink } from '#portico/policy-engine';
import type { PolicyReport as PolicyReportMessage } from '#portico/proto-ts';

const LIMIT = 1000;

export class ReportOutbox {
  private queue: PolicyReportMessage[] = [];
  private listener?: () => void;
  private droppedCount = 0;

  readonly add: PolicyReportSink = (apiId, policyId, report) => {
    if (this.queue.length >= LIMIT) {
      this.queue.shift();
      this.droppedCount++;
    }
    this.queue.push({
      apiId,
      policyId,
      report:
        report.kind === 'tool-definition'
          ? {
              $case: 'toolDefinition',
              value: { name: report.name, sha256: report.sha256, definitionJson: JSON.stringify(report.definition) },
            }
          : { $case: 'apiKeyUsed', value: { keyId: report.keyId } },
    });
    this.listener?.();
  };

  /** Reports dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Everything queued, oldest first; the queue is then empty. */
  take(): PolicyReportMessage[] {
    const taken = this.queue;
    this.queue = [];
    return taken;
  }

  /** `listener` runs after each add (the sync client sends at once when it can). */
  onAdd(listener: () => void): void {
    this.listener = listener;
  }
}
