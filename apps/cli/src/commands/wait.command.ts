/** `portico wait`: until the deployments are applied on every connected replica, or a timeout. */
import { type CliIo, type Command, parseOptions, UsageError } from '../command.js';
import { loadPorticoFile } from '../desired-state/load-file.js';
import { readEnvironment } from '../environment-state/read-state.js';
import { waitForRollout } from '../environment-state/rollout.js';
import { EXIT } from '../exit-codes.js';
import type { RestClient } from '../session/rest-client.js';
import { openSession } from '../session/session.js';
import {
  OUTPUT_OPTION,
  OUTPUT_USAGE,
  outputMode,
  ROLLOUT_OPTIONS,
  ROLLOUT_USAGE,
  rolloutOptions,
  selectInstances,
  SESSION_OPTIONS,
  SESSION_USAGE,
} from './common-options.js';

const USAGE = `Usage: portico wait --env <name> [--instance <label>]... [--timeout <s>] [--min-replicas <n>]
       portico wait -f <portico.yaml> [--env <name>] [--timeout <s>] [--min-replicas <n>]

Waits until the deployments of the instances (those the file declares, those named, else every
deployed instance of the environment) are applied and every connected replica of their gateway
targets runs the latest configuration. Exits 0 then, 1 at once when a gateway rejected one (with
its reason), 6 on timeout (saying what it still waited for).

Options:
  -f, --file <path>        wait for the instances this file declares
  --env <name>             the environment (default: the file's \`environment\`)
  --instance <label>       an instance to wait for (repeatable)
${ROLLOUT_USAGE}${OUTPUT_USAGE}${SESSION_USAGE}  -h, --help               show this help
`;

const OPTIONS = {
  ...SESSION_OPTIONS,
  ...OUTPUT_OPTION,
  ...ROLLOUT_OPTIONS,
  file: { type: 'string', short: 'f' },
  env: { type: 'string' },
  instance: { type: 'string', multiple: true },
} as const;

/**
 * Waits for the instances of `environment` labelled `labels` (all when undefined) and reports
 * how their targets stand: the end of `wait`, `apply --wait` and `promote --wait`. Resolves to
 * the targets' state for JSON output.
 */
export async function awaitRollout(
  client: RestClient,
  organizationId: string,
  environment: string,
  labels: string[] | undefined,
  options: { timeoutMs: number; minReplicas: number },
  output: 'text' | 'json',
  io: CliIo,
): Promise<unknown> {
  const state = await readEnvironment(client, organizationId, environment);
  const instances = selectInstances(state, labels);
  const rollout = await waitForRollout(client, state, instances, options);
  if (output === 'text') {
    for (const t of rollout.targets)
      io.out.write(`Target ${t.name}: ${t.upToDate} of ${t.replicas} replicas run revision ${t.revision}.\n`);
    io.out.write(
      `Rolled out: ${instances.length} instance${instances.length === 1 ? '' : 's'} applied in ${state.environment.name}.\n`,
    );
  }
  return rollout.targets;
}

async function wait(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  if (values.file && values.instance) throw new UsageError('give -f/--file or --instance, not both');
  const output = outputMode(values.output);
  const rollout = rolloutOptions(values);
  const file = values.file ? await loadPorticoFile(values.file) : undefined;
  const env = values.env ?? file?.environment;
  if (!env) throw new UsageError('--env is required (or -f/--file)');
  const { client, organizationId } = await openSession({ profile: values.profile, controlPlane: values['control-plane'] });
  const labels = file ? file.instances.map((i) => i.label) : values.instance;
  const targets = await awaitRollout(client, organizationId, env, labels, rollout, output, io);
  if (output === 'json') io.out.write(`${JSON.stringify({ environment: env, rolledOut: true, targets }, null, 2)}\n`);
  return EXIT.ok;
}

export const waitCommand: Command = {
  path: ['wait'],
  summary: 'wait until every connected gateway replica applied the deployments',
  usage: USAGE,
  run: wait,
};
