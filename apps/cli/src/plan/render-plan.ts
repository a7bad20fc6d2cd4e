/** How plans and their outcomes are shown: text for people, JSON (`--output json`) for machines. */
import type { Change, Plan } from './plan.js';
import type { ChangeOutcome } from './run-plan.js';

const SIGN = { create: '+', update: '~', delete: '-' } as const;

/** `+ create instance demo` and its detail lines. */
export function changeText(change: Change, prefix = ''): string {
  const head = `${prefix}${SIGN[change.action]} ${change.action} ${change.resource}\n`;
  return head + change.details.map((d) => `${' '.repeat(prefix.length)}    ${d}\n`).join('');
}

/** A plan not run, as `diff`, `apply --dry-run` and `promote --dry-run` show it: text, or one JSON document. */
export function planOutput(plan: Plan, environment: string, output: 'text' | 'json', dryRun: boolean): string {
  if (output === 'text') return planText(plan, environment);
  const changes = plan.changes.map((c) => changeJson(c, 'planned'));
  return `${JSON.stringify({ environment, ...(dryRun ? { dryRun } : {}), changes, kept: plan.kept }, null, 2)}\n`;
}

/** The whole plan as `diff` and `apply --dry-run` show it. */
function planText(plan: Plan, environment: string): string {
  const kept = plan.kept.length ? `Kept (not in the file; --prune deletes them): ${plan.kept.join(', ')}\n` : '';
  if (!plan.changes.length) return `No changes: ${environment} matches the file.\n${kept}`;
  return `${plan.changes.map((c) => changeText(c)).join('')}${kept}${summary(plan.changes)}\n`;
}

export function summary(changes: Change[]): string {
  const count = (action: Change['action']) => changes.filter((c) => c.action === action).length;
  return `${changes.length} change${changes.length === 1 ? '' : 's'}: ${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete.`;
}

/** One line per outcome as `apply` runs: `✓`, `✗` (with the reason) or `·` skipped. */
export function outcomeText(outcome: ChangeOutcome, tty: boolean): string {
  const mark = { applied: tty ? '✓' : 'ok', failed: tty ? '✗' : 'FAILED', skipped: tty ? '·' : 'skipped' }[outcome.status];
  const reason = outcome.error ? `: ${outcome.error}` : '';
  return changeText(outcome.change, `${mark} `).replace(/\n/, `${outcome.status === 'applied' ? '' : reason}\n`);
}

/** A change as JSON output lists it. */
function changeJson(change: Change, status: string, error?: string) {
  return { action: change.action, resource: change.resource, details: change.details, status, ...(error ? { error } : {}) };
}

/** The last line of `apply` and `promote`: what was applied and how much failed, or that nothing changed. */
export function resultText(outcomes: ChangeOutcome[], done: string, unchanged: string): string {
  if (!outcomes.length) return `${unchanged}\n`;
  const applied = outcomes.filter((o) => o.status === 'applied').map((o) => o.change);
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  return `${done}: ${summary(applied)}${failed ? ` ${failed} failed.` : ''}\n`;
}

/** The JSON document of `apply` and `promote`: each change with its outcome, and `extra`. */
export function resultJson(
  environment: string,
  outcomes: ChangeOutcome[],
  kept: string[],
  extra: Record<string, unknown>,
): string {
  const changes = outcomes.map((o) => changeJson(o.change, o.status, o.error));
  return `${JSON.stringify({ environment, changes, kept, ...extra }, null, 2)}\n`;
}
