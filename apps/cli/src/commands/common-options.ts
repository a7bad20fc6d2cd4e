/**
 * Options and steps the declarative commands (apply, diff, export, promote, wait) share: the
 * session options, `--output`, durations, and reading an environment with the assets a file
 * of it names.
 */
import { UsageError } from '../command.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { AssetSpec } from '../desired-state/model.js';
import { type EnvironmentState, readOwnAsset } from '../environment-state/read-state.js';
import type { RestClient } from '../session/rest-client.js';

export const SESSION_OPTIONS = {
  profile: { type: 'string' },
  'control-plane': { type: 'string' },
} as const;

export const SESSION_USAGE = `  --profile <name>         the login profile (default: PORTICO_PROFILE, else "default")
  --control-plane <url>    the control plane (default: the profile's, else PORTICO_URL)
`;

export const OUTPUT_OPTION = { output: { type: 'string' } } as const;

export const OUTPUT_USAGE = `  --output text|json       text for people (default), one JSON document for machines
`;

export const ROLLOUT_OPTIONS = {
  timeout: { type: 'string' },
  'min-replicas': { type: 'string' },
} as const;

export const ROLLOUT_USAGE = `  --timeout <seconds>      how long to wait for the rollout (default 300)
  --min-replicas <n>       replicas each target must have connected (default 1)
`;

export function outputMode(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new UsageError(`--output must be text or json, got ${JSON.stringify(value)}`);
}

/** A positive whole number given on the command line. */
export function positiveInteger(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1)
    throw new UsageError(`${option} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function rolloutOptions(values: { timeout?: string; 'min-replicas'?: string }) {
  return {
    timeoutMs: positiveInteger(values.timeout, '--timeout', 300) * 1000,
    minReplicas: positiveInteger(values['min-replicas'], '--min-replicas', 1),
  };
}

/** The organization's own Exchange assets the instances of `state` use, by name: an export declares them. */
export async function instanceAssets(client: RestClient, state: EnvironmentState): Promise<AssetSpec[]> {
  const own = new Map<string, { assetId: string; version: string }>();
  for (const api of state.instances) {
    if (api.asset.groupId === state.organizationId) own.set(`${api.asset.assetId}@${api.asset.version}`, api.asset);
  }
  const assets = await Promise.all(
    [...own.values()].map(async ({ assetId, version }) => {
      const asset = await readOwnAsset(client, state, assetId, version);
      return asset && { assetId, version, name: asset.name, ...(asset.description ? { description: asset.description } : {}) };
    }),
  );
  return assets.filter((a): a is AssetSpec => a !== undefined);
}

/** The instances of `state` labelled `labels` (all when none), each label required to exist. */
export function selectInstances(state: EnvironmentState, labels: string[] | undefined) {
  if (!labels?.length) return state.instances;
  const missing = labels.filter((l) => !state.instances.some((api) => api.label === l));
  if (missing.length)
    throw new CliError(
      EXIT.failed,
      `no instance labelled ${missing.map((l) => `"${l}"`).join(', ')} in ${state.environment.name}`,
    );
  return state.instances.filter((api) => api.label !== null && labels.includes(api.label));
}
