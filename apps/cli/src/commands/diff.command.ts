/** `portico diff`: what `apply` would change, written nowhere. */
import { type CliIo, type Command, parseOptions, UsageError } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { planOutput } from '../plan/render-plan.js';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputMode } from './common-options.js';
import { FILE_PLAN_OPTIONS, FILE_PLAN_USAGE, planFile } from './file-plan.js';

const USAGE = `Usage: portico diff -f <portico.yaml> [--env <name>] [--prune] [--exit-code] [--output text|json]

Shows what \`portico apply\` would change in the environment to make it what the file declares:
+ create, ~ update (field: current → declared), - delete. Secret values are never shown.

Options:
${FILE_PLAN_USAGE}  --exit-code              exit 7 when there are differences (0 when there are none)
${OUTPUT_USAGE}  -h, --help               show this help
`;

const OPTIONS = { ...FILE_PLAN_OPTIONS, ...OUTPUT_OPTION, 'exit-code': { type: 'boolean' } } as const;

async function diff(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  const output = outputMode(values.output);
  const { state, plan } = await planFile(values);
  io.out.write(planOutput(plan, state.environment.name, output, false));
  return values['exit-code'] && plan.changes.length ? EXIT.differences : EXIT.ok;
}

export const diffCommand: Command = {
  path: ['diff'],
  summary: 'show what apply would change in an environment',
  usage: USAGE,
  run: diff,
};
