/** `portico export`: an environment written as a portico.yaml that `apply` accepts. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type CliIo, type Command, parseOptions, UsageError } from '../command.js';
import { environmentAsFile } from '../desired-state/from-environment.js';
import { porticoYaml } from '../desired-state/write-file.js';
import { readEnvironment } from '../environment-state/read-state.js';
import { EXIT } from '../exit-codes.js';
import { openSession } from '../session/session.js';
import { instanceAssets, selectInstances, SESSION_OPTIONS, SESSION_USAGE } from './common-options.js';

const USAGE = `Usage: portico export --env <name> [--instance <label>]... [-f <portico.yaml>]

Writes the environment's instances (upstream, listener, TLS contexts by name, deployment, policy
chain, API key names, contracts), the organization's Exchange assets they use and the client
applications of their contracts as a portico.yaml: applying it to the same environment changes
nothing. Secrets are never answered by the control plane: each one becomes a
\`{fromEnv: PORTICO_SECRET_…}\` reference, listed at the top of the file.

Options:
  --env <name>             the environment to export (required)
  --instance <label>       export only this instance (repeatable)
  -f, --file <path>        write the file there (default: stdout)
${SESSION_USAGE}  -h, --help               show this help
`;

const OPTIONS = {
  ...SESSION_OPTIONS,
  env: { type: 'string' },
  instance: { type: 'string', multiple: true },
  file: { type: 'string', short: 'f' },
} as const;

async function exportEnvironment(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  if (!values.env) throw new UsageError('--env is required');
  const session = await openSession({ profile: values.profile, controlPlane: values['control-plane'] });
  const state = await readEnvironment(session.client, session.organizationId, values.env);
  const instances = selectInstances(state, values.instance);
  const assets = await instanceAssets(session.client, { ...state, instances });
  const text = porticoYaml(environmentAsFile(state, assets, instances));
  if (!values.file) {
    io.out.write(text);
    return EXIT.ok;
  }
  await writeFile(path.resolve(values.file), text);
  io.out.write(
    `Wrote ${instances.length} instance${instances.length === 1 ? '' : 's'} of ${state.environment.name} to ${values.file}.\n`,
  );
  return EXIT.ok;
}

export const exportCommand: Command = {
  path: ['export'],
  summary: 'write an environment as a portico.yaml that apply accepts',
  usage: USAGE,
  run: exportEnvironment,
};
