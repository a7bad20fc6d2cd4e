/**
 * Running a plan: its changes one after another, in order. A change that fails is reported and
 * the later changes of its group (the same instance, application or asset) are skipped, since
 * they may depend on it; the other groups go on. Nothing is retried.
 */
import type { EnvironmentState } from '../environment-state/read-state.js';
import type { RestClient } from '../session/rest-client.js';
import type { ApplyContext, Change, Plan } from './plan.js';

export type ChangeStatus = 'applied' | 'failed' | 'skipped';

export interface ChangeOutcome {
  change: Change;
  status: ChangeStatus;
  error?: string;
}

export interface RunResult {
  outcomes: ChangeOutcome[];
  apiKeys: ApplyContext['apiKeys'];
}

export async function runPlan(
  plan: Plan,
  client: RestClient,
  state: EnvironmentState,
  onOutcome: (outcome: ChangeOutcome) => void,
): Promise<RunResult> {
  const ctx: ApplyContext = { client, state, applicationIds: new Map(), created: new Map(), apiKeys: [] };
  const failedGroups = new Set<string>();
  const outcomes: ChangeOutcome[] = [];
  for (const change of plan.changes) {
    let outcome: ChangeOutcome;
    if (failedGroups.has(change.group))
      outcome = { change, status: 'skipped', error: `an earlier change of ${change.group} failed` };
    else {
      try {
        await change.run(ctx);
        outcome = { change, status: 'applied' };
      } catch (err) {
        failedGroups.add(change.group);
        outcome = { change, status: 'failed', error: err instanceof Error ? err.message.replace(/\s*\n\s*/g, ' ') : String(err) };
      }
    }
    outcomes.push(outcome);
    onOutcome(outcome);
  }
  return { outcomes, apiKeys: ctx.apiKeys };
}
