/**
 * An environment as a portico.yaml declares it: what `export` writes and `promote` applies.
 * Applying the result to the same environment changes nothing.
 *
 * The control plane never answers a secret: a policy value it masks stays the mask here, with
 * its place in `secretPaths` (sending the mask back keeps the stored value; `export` turns it
 * into an environment-variable reference). An instance without a label gets `<assetId>-<id>`
 * (applying the file sets it). API keys are listed by name; their keys stay where they are.
 */
import type { CurrentInstance, EnvironmentState } from '../environment-state/read-state.js';
import { FILE_API_VERSION, type AssetSpec, type InstanceSpec, type PolicySpec, type PorticoFile } from './model.js';

export const SECRET_MASK = '********';

/** `assets`: the organization's own assets the instances use, with their Exchange names. */
export function environmentAsFile(state: EnvironmentState, assets: AssetSpec[], instances = state.instances): PorticoFile {
  const org = state.organizationId;
  const contracted = new Set(instances.flatMap((api) => api.contracts.map((c) => c.applicationName)));
  return {
    apiVersion: FILE_API_VERSION,
    environment: state.environment.name,
    assets,
    clientApplications: state.applications
      .filter((a) => contracted.has(a.name))
      .map((a) => ({
        name: a.name,
        ...(a.description ? { description: a.description } : {}),
        ...(a.redirectUri.length ? { redirectUris: a.redirectUri } : {}),
      })),
    instances: instances.map((api) => instanceSpec(api, org, state)),
  };
}

/** The label a file gives an instance. */
export function exportedLabel(api: CurrentInstance): string {
  return api.label ?? `${api.asset.assetId}-${api.id}`;
}

function instanceSpec(api: CurrentInstance, org: string, state: EnvironmentState): InstanceSpec {
  const label = exportedLabel(api);
  const deployed = api.deployment?.expectedStatus === 'deployed' ? api.deployment : null;
  return {
    label,
    asset: {
      ...(api.asset.groupId !== org ? { groupId: api.asset.groupId } : {}),
      assetId: api.asset.assetId,
      version: api.asset.version,
    },
    upstream: { uri: api.upstream?.uri ?? '', ...(api.upstream?.tlsContext ? { tlsContext: api.upstream.tlsContext } : {}) },
    proxyUri: api.proxyUri ?? '',
    ...(api.inboundTlsContext ? { inboundTlsContext: api.inboundTlsContext } : {}),
    ...(api.endpointUri ? { endpointUri: api.endpointUri } : {}),
    ...(api.description ? { description: api.description } : {}),
    ...(api.tags.length ? { tags: api.tags } : {}),
    ...(deployed ? { deployment: { target: deployed.targetName } } : {}),
    policies: api.policies.map((p): PolicySpec => {
      const catalogGroup = state.catalog.find((t) => t.assetId === p.assetId)?.groupId;
      return {
        policy: p.assetId,
        version: p.assetVersion,
        ...(p.groupId !== catalogGroup ? { groupId: p.groupId } : {}),
        mode: p.mode,
        disabled: p.disabled,
        configuration: p.configuration,
        secretPaths: maskedPaths(p.configuration, ''),
      };
    }),
    apiKeys: api.apiKeys.map((k) => ({ name: k.name, ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}) })),
    contracts: api.contracts.map((c) => ({ application: c.applicationName })),
  };
}

/** JSON pointers of the masked values in `value`. */
function maskedPaths(value: unknown, pointer: string): string[] {
  if (value === SECRET_MASK) return [pointer];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => maskedPaths(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
}
