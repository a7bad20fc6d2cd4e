/** `portico apply`: makes an environment what a portico.yaml declares. */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type CliIo, type Command, parseOptions, UsageError } from '../command.js';
import type { EnvironmentState } from '../environment-state/read-state.js';
import { EXIT } from '../exit-codes.js';
import type { Plan } from '../plan/plan.js';
import { outcomeText, planOutput, resultJson, resultText } from '../plan/render-plan.js';
import { runPlan } from '../plan/run-plan.js';
import type { RestClient } from '../session/rest-client.js';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputMode, ROLLOUT_OPTIONS, ROLLOUT_USAGE, rolloutOptions } from './common-options.js';
import { FILE_PLAN_OPTIONS, FILE_PLAN_USAGE, planFile } from './file-plan.js';
import { awaitRollout } from './wait.command.js';

const USAGE = `Usage: portico apply -f <portico.yaml> [--env <name>] [--prune] [--dry-run] [--wait] [--output text|json]

Makes the environment what the file declares, through the control plane's REST API: creates
what is missing, updates what differs, puts policy chains in the declared order and, with
--prune, deletes what the file does not name. Applying the same file twice changes nothing.
A change that fails is reported (one line each, on stderr) and the later changes of the same
instance are skipped; the others go on. API keys are made by the control plane and shown once.

Options:
${FILE_PLAN_USAGE}  --dry-run                show the plan and change nothing (as \`portico diff\`)
  --api-keys-out <path>    write the API keys created to this file (JSON, mode 0600) instead
                           of stdout
  --wait                   then wait for the rollout, as \`portico wait -f\`
${ROLLOUT_USAGE}${OUTPUT_USAGE}  -h, --help               show this help
`;

const OPTIONS = {
  ...FILE_PLAN_OPTIONS,
  ...OUTPUT_OPTION,
  ...ROLLOUT_OPTIONS,
  'dry-run': { type: 'boolean' },
  'api-keys-out': { type: 'string' },
  wait: { type: 'boolean' },
} as const;

/** Runs `plan`, showing each outcome as it comes (text) and each failure on stderr. */
export async function runAndReport(plan: Plan, client: RestClient, state: EnvironmentState, output: 'text' | 'json', io: CliIo) {
  const tty = output === 'text' && (io.out as { isTTY?: boolean }).isTTY === true;
  const result = await runPlan(plan, client, state, (outcome) => {
    if (output === 'text') io.out.write(outcomeText(outcome, tty));
  });
  for (const o of result.outcomes.filter((o) => o.status === 'failed')) {
    io.err.write(`error: ${o.change.action} ${o.change.resource}: ${o.error}\n`);
  }
  return result;
}

async function apply(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  const output = outputMode(values.output);
  const rollout = rolloutOptions(values);
  const { file, session, state, plan } = await planFile(values);
  const environment = state.environment.name;
  if (values['dry-run']) {
    io.out.write(planOutput(plan, environment, output, true));
    return EXIT.ok;
  }
  const result = await runAndReport(plan, session.client, state, output, io);
  const failed = result.outcomes.filter((o) => o.status === 'failed');
  if (values['api-keys-out'] && result.apiKeys.length) {
    // A new file, renamed into place: an existing one keeps no mode of its own, and no reader sees half of it.
    const target = path.resolve(values['api-keys-out']);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(result.apiKeys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temporary, target);
  }
  const keysShown = !values['api-keys-out'] && output === 'text';
  if (keysShown) {
    for (const k of result.apiKeys) io.out.write(`API key "${k.name}" of instance ${k.instance} (shown once): ${k.key}\n`);
  }
  let targets: unknown;
  const report = () => {
    const extra = { ...(values['api-keys-out'] ? {} : { apiKeys: result.apiKeys }), ...(targets ? { targets } : {}) };
    io.out.write(resultJson(environment, result.outcomes, plan.kept, extra));
  };
  if (values.wait && !failed.length) {
    const labels = file.instances.map((i) => i.label);
    try {
      targets = await awaitRollout(session.client, session.organizationId, environment, labels, rollout, output, io);
    } catch (err) {
      // The keys made are shown once: the document goes out even when the wait fails.
      if (output === 'json') report();
      throw err;
    }
  }
  if (output === 'json') report();
  else io.out.write(resultText(result.outcomes, `Applied to ${environment}`, `No changes: ${environment} matches the file.`));
  return failed.length ? EXIT.failed : EXIT.ok;
}

export const applyCommand: Command = {
  path: ['apply'],
  summary: 'make an environment what a portico.yaml declares',
  usage: USAGE,
  run: apply,
};
