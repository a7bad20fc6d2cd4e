/**
 * The first steps of `diff` and `apply`: load and validate the file (before any network call, so
 * a bad file fails fast with EXIT.invalidFile), open the session, read the environment, plan.
 */
import { UsageError } from '../command.js';
import { loadPorticoFile } from '../desired-state/load-file.js';
import { readEnvironment } from '../environment-state/read-state.js';
import { planChanges } from '../plan/plan.js';
import { openSession } from '../session/session.js';
import { SESSION_OPTIONS, SESSION_USAGE } from './common-options.js';

export const FILE_PLAN_OPTIONS = {
  ...SESSION_OPTIONS,
  file: { type: 'string', short: 'f' },
  env: { type: 'string' },
  prune: { type: 'boolean' },
  'rotate-secrets': { type: 'boolean' },
} as const;

export const FILE_PLAN_USAGE = `  -f, --file <path>        the portico.yaml to apply (required)
  --env <name>             the environment (default: the file's \`environment\`)
  --prune                  also delete the instances, policies, API keys and contracts of the
                           environment the file does not name
  --rotate-secrets         send every secret again (the control plane never answers them, so
                           a changed secret is not seen otherwise)
${SESSION_USAGE}`;

export async function planFile(values: {
  file?: string;
  env?: string;
  prune?: boolean;
  'rotate-secrets'?: boolean;
  profile?: string;
  'control-plane'?: string;
}) {
  if (!values.file) throw new UsageError('-f/--file is required');
  const file = await loadPorticoFile(values.file);
  const session = await openSession({ profile: values.profile, controlPlane: values['control-plane'] });
  const state = await readEnvironment(session.client, session.organizationId, values.env ?? file.environment);
  const plan = await planChanges(file, state, session.client, {
    prune: values.prune ?? false,
    rotateSecrets: values['rotate-secrets'] ?? false,
  });
  return { file, session, state, plan };
}
