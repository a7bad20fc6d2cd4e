/**
 * What an environment holds now, read over the public REST API and named the way a portico.yaml
 * names things (labels, names), with the ids the changes need. Read once per command; `apply`
 * plans against it and then only writes.
 */
import type { TlsContextName } from '../desired-state/model.js';
import { RestError, type RestClient } from '../session/rest-client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { restPaths, type RestPaths } from './paths.js';

export interface Target {
  id: string;
  name: string;
  version: string | null;
}

export interface CurrentPolicy {
  id: number;
  groupId: string;
  assetId: string;
  assetVersion: string;
  mode: 'enforce' | 'shadow';
  disabled: boolean;
  /** sensitive values read `********` */
  configuration: Record<string, unknown>;
}

export interface CurrentInstance {
  id: number;
  label: string | null;
  asset: { groupId: string; assetId: string; version: string };
  upstream: { id: string; uri: string; tlsContext?: TlsContextName } | null;
  proxyUri: string | null;
  inboundTlsContext?: TlsContextName;
  endpointUri: string | null;
  description: string | null;
  tags: string[];
  deployment: { id: number; targetId: string; targetName: string; gatewayVersion: string; expectedStatus: string } | null;
  policies: CurrentPolicy[];
  apiKeys: { id: string; name: string; expiresAt: string | null; status: string }[];
  contracts: { id: number; applicationId: number; applicationName: string; status: string }[];
}

export interface CurrentApplication {
  id: number;
  name: string;
  description: string | null;
  redirectUri: string[];
}

/** A policy template of the catalog: its coordinates and configuration JSON Schema. */
export interface CatalogTemplate {
  groupId: string;
  assetId: string;
  version: string;
  configuration: Record<string, unknown>;
}

export interface EnvironmentState {
  organizationId: string;
  environment: { id: string; name: string };
  paths: RestPaths;
  targets: Target[];
  /** `<secret group name>/<TLS context name>` ⇄ ids */
  tlsContexts: { name: TlsContextName; secretGroupId: string; tlsContextId: string }[];
  applications: CurrentApplication[];
  instances: CurrentInstance[];
  catalog: CatalogTemplate[];
}

/** The environment of the organization named `name` (exact, as Access Management spells it). */
export async function findEnvironment(client: RestClient, organizationId: string, name: string) {
  const paths = restPaths(organizationId, '-');
  const answer = await client.get<{ data: { id: string; name: string }[] }>(paths.environments);
  const env = answer.data.find((e) => e.name === name);
  if (!env) {
    const names = answer.data.map((e) => e.name).join(', ');
    throw new CliError(EXIT.failed, `environment "${name}" not found in organization ${organizationId} (it has: ${names})`);
  }
  return env;
}

export async function readEnvironment(
  client: RestClient,
  organizationId: string,
  environmentName: string,
): Promise<EnvironmentState> {
  const environment = await findEnvironment(client, organizationId, environmentName);
  const paths = restPaths(organizationId, environment.id);
  const [targets, tlsContexts, applications, catalog, listed] = await Promise.all([
    client.get<{ rows: Target[] }>(paths.targets).then((a) => a.rows.map(({ id, name, version }) => ({ id, name, version }))),
    readTlsContexts(client, paths),
    client.get<CurrentApplication[]>(paths.applications),
    client.get<CatalogTemplate[]>(paths.templates),
    listInstances(client, paths),
  ]);
  const tlsName = (ref: { secretGroupId?: string; tlsContextId?: string } | null | undefined) =>
    ref ? tlsContexts.find((t) => t.tlsContextId === ref.tlsContextId && t.secretGroupId === ref.secretGroupId)?.name : undefined;
  const instances = await Promise.all(listed.map((api) => readInstance(client, paths, api, tlsName)));
  return {
    organizationId,
    environment,
    paths,
    targets,
    tlsContexts,
    applications: applications.map(({ id, name, description, redirectUri }) => ({ id, name, description, redirectUri })),
    instances,
    catalog: catalog.map(({ groupId, assetId, version, configuration }) => ({ groupId, assetId, version, configuration })),
  };
}

async function readTlsContexts(client: RestClient, paths: RestPaths) {
  const groups = await client.get<{ id: string; name: string }[]>(paths.secretGroups);
  const perGroup = await Promise.all(
    groups.map(async (g) =>
      (await client.get<{ id: string; name: string }[]>(paths.tlsContexts(g.id))).map((c) => ({
        name: { secretGroup: g.name, tlsContext: c.name },
        secretGroupId: g.id,
        tlsContextId: c.id,
      })),
    ),
  );
  return perGroup.flat();
}

interface ListedInstance {
  id: number;
  instanceLabel: string | null;
  groupId: string;
  assetId: string;
  assetVersion: string;
  endpointUri: string | null;
  description: string | null;
  tags: string[];
  endpoint: { proxyUri: string | null; tlsContexts: { inbound?: { secretGroupId: string; tlsContextId: string } | null } | null };
}

/** Every instance of the environment (the xapi list, page by page). */
async function listInstances(client: RestClient, paths: RestPaths): Promise<ListedInstance[]> {
  const all: ListedInstance[] = [];
  for (let offset = 0; ; offset += 250) {
    const page = await client.get<{ total: number; instances: ListedInstance[] }>(`${paths.apisXapi}?limit=250&offset=${offset}`);
    all.push(...page.instances);
    if (page.instances.length < 250) return all;
  }
}

async function readInstance(
  client: RestClient,
  paths: RestPaths,
  api: ListedInstance,
  tlsName: (ref: { secretGroupId?: string; tlsContextId?: string } | null | undefined) => TlsContextName | undefined,
): Promise<CurrentInstance> {
  const [full, upstreams, policies, keys, contracts] = await Promise.all([
    client.get<{ deployment: CurrentInstance['deployment'] }>(paths.api(api.id)),
    client.get<{ upstreams: { id: string; uri: string; tlsContext: { secretGroupId: string; tlsContextId: string } | null }[] }>(
      paths.upstreams(api.id),
    ),
    client.get<CurrentPolicy[] & { configurationData?: never }>(`${paths.policies(api.id)}?fullInfo=false`),
    client.get<{ apiKeys: CurrentInstance['apiKeys'] }>(paths.apiKeys(api.id)),
    client.get<{ contracts: { id: number; applicationId: number; application: { name: string }; status: string }[] }>(
      `${paths.contracts(api.id)}?limit=500`,
    ),
  ]);
  const upstream = upstreams.upstreams[0];
  const d = full.deployment;
  return {
    id: api.id,
    label: api.instanceLabel,
    asset: { groupId: api.groupId, assetId: api.assetId, version: api.assetVersion },
    upstream: upstream ? { id: upstream.id, uri: upstream.uri, tlsContext: tlsName(upstream.tlsContext) } : null,
    proxyUri: api.endpoint.proxyUri,
    inboundTlsContext: tlsName(api.endpoint.tlsContexts?.inbound),
    endpointUri: api.endpointUri,
    description: api.description,
    tags: api.tags,
    deployment: d && {
      id: d.id,
      targetId: d.targetId,
      targetName: d.targetName,
      gatewayVersion: d.gatewayVersion,
      expectedStatus: d.expectedStatus,
    },
    policies: (policies as unknown as (CurrentPolicy & { configurationData: Record<string, unknown> })[]).map((p) => ({
      id: p.id,
      groupId: p.groupId,
      assetId: p.assetId,
      assetVersion: p.assetVersion,
      mode: p.mode,
      disabled: p.disabled,
      configuration: p.configurationData,
    })),
    apiKeys: keys.apiKeys
      .filter((k) => k.status !== 'revoked')
      .map(({ id, name, expiresAt, status }) => ({ id, name, expiresAt, status })),
    contracts: contracts.contracts
      .filter((c) => c.status !== 'REVOKED' && c.status !== 'REJECTED')
      .map((c) => ({ id: c.id, applicationId: c.applicationId, applicationName: c.application.name, status: c.status })),
  };
}

/** An asset version of the organization's own group, or undefined when Exchange has none. */
export async function readOwnAsset(client: RestClient, state: EnvironmentState, assetId: string, version: string) {
  try {
    return await client.get<{ name: string; description: string | null }>(
      state.paths.asset(state.organizationId, assetId, version),
    );
  } catch (err) {
    if (err instanceof RestError && err.status === 404) return undefined;
    throw err;
  }
}
