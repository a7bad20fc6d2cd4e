/**
 * Waiting for a rollout: until every named instance's deployment is `applied` and every
 * connected replica of their targets runs the target's latest configuration revision (a
 * policy change moves the revision without touching the deployment), with at least
 * `minReplicas` connected per target. A deployment or replica that failed ends the wait at
 * once with the gateway's reason; the clock ends it with `EXIT.timedOut`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, EXIT } from '../exit-codes.js';
import type { RestClient } from '../session/rest-client.js';
import type { CurrentInstance, EnvironmentState } from './read-state.js';

export interface RolloutOptions {
  timeoutMs: number;
  minReplicas: number;
  pollMs?: number;
}

interface Replica {
  name: string;
  status: 'CONNECTED' | 'DISCONNECTED';
  configurationStatus: { status: 'UP_TO_DATE' | 'APPLYING' | 'PENDING' | 'FAILED'; message: string | null };
  appliedRevision: number | null;
  desiredRevision: number;
  failedApis: { apiId: string; error: string }[];
}

/** Where a rollout stands: done, or what it waits for (one line each). */
export interface RolloutState {
  done: boolean;
  waiting: string[];
  targets: { name: string; replicas: number; upToDate: number; revision: number | null }[];
}

export async function waitForRollout(
  client: RestClient,
  state: EnvironmentState,
  instances: CurrentInstance[],
  options: RolloutOptions,
): Promise<RolloutState> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const now = await rolloutState(client, state, instances, options.minReplicas);
    if (now.done) return now;
    if (Date.now() >= deadline) {
      throw new CliError(
        EXIT.timedOut,
        `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for: ${now.waiting.join('; ')}`,
      );
    }
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())));
  }
}

async function rolloutState(
  client: RestClient,
  state: EnvironmentState,
  instances: CurrentInstance[],
  minReplicas: number,
): Promise<RolloutState> {
  const { paths } = state;
  const deployed = instances.filter((api) => api.deployment?.expectedStatus === 'deployed');
  const waiting: string[] = [];
  for (const api of deployed) {
    const status = await client.get<{ status: string; errorMessage?: string }>(
      `${paths.deployments(api.id)}/${api.deployment!.id}/status`,
    );
    const name = `instance ${api.label ?? api.id}`;
    if (status.status === 'failed')
      throw new CliError(
        EXIT.failed,
        `${name} failed on ${api.deployment!.targetName}: ${status.errorMessage ?? 'no reason given'}`,
      );
    if (status.status !== 'applied') waiting.push(`${name} is ${status.status}`);
  }
  const targets = [...new Map(deployed.map((api) => [api.deployment!.targetId, api.deployment!.targetName])).entries()];
  const targetStates = await Promise.all(
    targets.map(async ([id, name]) => {
      const content = await listReplicas(client, paths.replicas(id));
      const connected = content.filter((r) => r.status === 'CONNECTED');
      for (const r of connected) {
        if (r.configurationStatus.status === 'FAILED') {
          throw new CliError(
            EXIT.failed,
            `target ${name} replica ${r.name} rejected the configuration: ${r.configurationStatus.message ?? 'no reason given'}`,
          );
        }
        const failed = r.failedApis.find((f) => deployed.some((api) => String(api.id) === String(f.apiId)));
        if (failed) {
          const api = deployed.find((a) => String(a.id) === String(failed.apiId))!;
          throw new CliError(EXIT.failed, `instance ${api.label ?? api.id} failed on ${name} replica ${r.name}: ${failed.error}`);
        }
      }
      const upToDate = connected.filter((r) => r.configurationStatus.status === 'UP_TO_DATE').length;
      if (connected.length < minReplicas)
        waiting.push(`target ${name} has ${connected.length} of ${minReplicas} replicas connected`);
      else if (upToDate < connected.length)
        waiting.push(`target ${name}: ${upToDate} of ${connected.length} replicas up to date`);
      return { name, replicas: connected.length, upToDate, revision: content[0]?.desiredRevision ?? null };
    }),
  );
  return { done: waiting.length === 0, waiting, targets: targetStates };
}

/** Every replica of a target, page by page (the standalone API answers at most 100 a page). */
async function listReplicas(client: RestClient, path: string): Promise<Replica[]> {
  const all: Replica[] = [];
  for (let page = 0; ; page++) {
    const { content } = await client.get<{ content: Replica[] }>(`${path}?pageSize=100&pageNumber=${page}`);
    all.push(...content);
    if (content.length < 100) return all;
  }
}
