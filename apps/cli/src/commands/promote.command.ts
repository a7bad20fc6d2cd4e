/**
 * `portico promote --from Sandbox --to Production`: makes the instances of one environment the
 * same in another, as a re-runnable convergence rather than a one-off copy.
 *
 * An instance the destination lacks is promoted by the control plane (POST …/apis with
 * `promote{}`: policies with their secrets, SLA tiers and alerts copied server-side, since no
 * client can read a secret); then every promoted instance is converged like `apply` does, with
 * the source's configuration: upstream, listener, TLS contexts by name, policy chain (a secret
 * keeps the destination's own value), deployment to the target of the same name (or
 * `--target`). API keys and contracts belong to each environment's consumers and are left alone.
 */
import { type CliIo, type Command, parseOptions, UsageError } from '../command.js';
import { environmentAsFile, exportedLabel } from '../desired-state/from-environment.js';
import type { PorticoFile } from '../desired-state/model.js';
import { type CurrentInstance, type EnvironmentState, readEnvironment } from '../environment-state/read-state.js';
import { EXIT } from '../exit-codes.js';
import { type Change, type Plan, planChanges } from '../plan/plan.js';
import { planOutput, resultJson, resultText } from '../plan/render-plan.js';
import type { ChangeOutcome } from '../plan/run-plan.js';
import { openSession } from '../session/session.js';
import { runAndReport } from './apply.command.js';
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
import { awaitRollout } from './wait.command.js';

const USAGE = `Usage: portico promote --from <env> --to <env> [--instance <label>]... [--target <name>] [--dry-run] [--wait]

Makes the instances of --from the same in --to: an instance --to lacks is promoted (the control
plane copies it with its policies, their secrets, SLA tiers and alerts), then each is converged
as \`portico apply\` would: upstream, listener, TLS contexts (by name), policy chain (a secret
keeps the value --to has), and the deployment to the gateway target of the same name. API keys
and contracts stay as they are in each environment. Running it again changes nothing.

Options:
  --from <env>             the environment to promote from (required)
  --to <env>               the environment to promote to (required)
  --instance <label>       promote only this instance (repeatable)
  --target <name>          deploy to this gateway target of --to (default: the same name)
  --prune                  also delete the instances of --to that --from does not have
                           (not with --instance)
  --dry-run                show what would change and change nothing
  --wait                   then wait for the rollout in --to, as \`portico wait\`
${ROLLOUT_USAGE}${OUTPUT_USAGE}${SESSION_USAGE}  -h, --help               show this help
`;

const OPTIONS = {
  ...SESSION_OPTIONS,
  ...OUTPUT_OPTION,
  ...ROLLOUT_OPTIONS,
  from: { type: 'string' },
  to: { type: 'string' },
  instance: { type: 'string', multiple: true },
  target: { type: 'string' },
  prune: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  wait: { type: 'boolean' },
} as const;

/** The destination as the source declares it; its own API keys and contracts kept. */
function desiredFromSource(
  source: EnvironmentState,
  instances: CurrentInstance[],
  destination: EnvironmentState,
  target?: string,
): PorticoFile {
  const file = environmentAsFile(source, [], instances);
  return {
    ...file,
    environment: destination.environment.name,
    clientApplications: [],
    instances: file.instances.map((spec) => {
      const there = destination.instances.find((api) => api.label === spec.label);
      return {
        ...spec,
        ...(spec.deployment && target ? { deployment: { target } } : {}),
        apiKeys: there?.apiKeys.map((k) => ({ name: k.name })) ?? [],
        contracts: there?.contracts.map((c) => ({ application: c.applicationName })) ?? [],
      };
    }),
  };
}

/** A promotion of each source instance the destination has no instance of that label for. */
function promotions(
  source: EnvironmentState,
  instances: CurrentInstance[],
  destination: EnvironmentState,
  target?: string,
): Change[] {
  return instances
    .filter((api) => !destination.instances.some((there) => there.label === exportedLabel(api)))
    .map((api) => ({
      action: 'create' as const,
      resource: `instance ${exportedLabel(api)}`,
      details: [
        `promoted from ${source.environment.name} (instance ${api.id})`,
        ...(api.deployment?.expectedStatus === 'deployed' ? [`then deployed to ${target ?? api.deployment.targetName}`] : []),
      ],
      group: `instance ${exportedLabel(api)}`,
      run: ({ client }) =>
        client.post(destination.paths.apis, { instanceLabel: exportedLabel(api), promote: { originApiId: api.id } }),
    }));
}

async function promote(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  if (!values.from || !values.to) throw new UsageError('--from and --to are required');
  if (values.from === values.to) throw new UsageError('--from and --to must name different environments');
  if (values.prune && values.instance)
    throw new UsageError('--prune deletes what --from does not have: it cannot go with --instance');
  const output = outputMode(values.output);
  const rollout = rolloutOptions(values);
  const { client, organizationId } = await openSession({ profile: values.profile, controlPlane: values['control-plane'] });
  const [source, destination] = await Promise.all([
    readEnvironment(client, organizationId, values.from),
    readEnvironment(client, organizationId, values.to),
  ]);
  const instances = selectInstances(source, values.instance);
  const options = { prune: values.prune ?? false, rotateSecrets: false };
  const copies: Plan = { changes: promotions(source, instances, destination, values.target), kept: [] };

  // Planned against the destination as it is, this checks every name (targets, TLS contexts,
  // templates) before anything is written; new instances show as their promotion.
  const preview = await planChanges(
    desiredFromSource(source, instances, destination, values.target),
    destination,
    client,
    options,
  );
  if (values['dry-run']) {
    const promoted = new Set(copies.changes.map((c) => c.group));
    const plan = { changes: [...copies.changes, ...preview.changes.filter((c) => !promoted.has(c.group))], kept: preview.kept };
    io.out.write(planOutput(plan, destination.environment.name, output, true));
    return EXIT.ok;
  }

  const outcomes: ChangeOutcome[] = (await runAndReport(copies, client, destination, output, io)).outcomes;
  const after = await readEnvironment(client, organizationId, values.to);
  const desired = desiredFromSource(source, instances, after, values.target);
  const converge = await planChanges(desired, after, client, options);
  outcomes.push(...(await runAndReport(converge, client, after, output, io)).outcomes);
  const failed = outcomes.filter((o) => o.status === 'failed');

  let targets: unknown;
  if (values.wait && !failed.length) {
    const labels = desired.instances.map((i) => i.label);
    targets = await awaitRollout(client, organizationId, values.to, labels, rollout, output, io);
  }
  const name = destination.environment.name;
  if (output === 'json') io.out.write(resultJson(name, outcomes, converge.kept, targets ? { targets } : {}));
  else io.out.write(resultText(outcomes, `Promoted ${values.from} to ${name}`, `No changes: ${name} matches ${values.from}.`));
  return failed.length ? EXIT.failed : EXIT.ok;
}

export const promoteCommand: Command = {
  path: ['promote'],
  summary: 'make the instances of one environment the same in another',
  usage: USAGE,
  run: promote,
};
