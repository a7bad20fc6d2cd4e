/**
 * The AI inventory (issue 20): every MCP server of an environment with what it offers, how it is
 * protected and how it is used.
 *
 * Tool lists come from the gateways (sync.proto ToolsObserved, recordObserved): a report is
 * accepted only for an API deployed to the reporting gateway's target and an upstream of that API,
 * then its tools are recorded as listed and seen now (first seen kept); a complete list marks that
 * server's other tools unlisted, a page of a paginated list unlists nothing.
 *
 * One row per MCP server instance (endpoint type `mcp`); a federated instance is one row whose
 * tools name the member (`upstreamName`) that lists them and whose `upstreams` are its members.
 * Rows are built from the instance, its enabled policies (inventory-policies.ts: DLP, scopes,
 * authentication, tool visibility), its deployment and its target's replicas, and one grouped
 * pass over the access events of the window (`from`/`to`, default the last 24 hours); then
 * filtered, sorted and paged in memory (an environment holds hundreds of instances, not millions).
 * A tool no longer listed is not enabled.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type { ToolsObserved } from '#portico/proto-ts';
import { eventScope } from '../analytics/time-range.js';
import { type CsvValue, toCsv } from '../common/csv.js';
import { parseIntegerId } from '../common/integer-id.js';
import { validationError } from '../common/validation.js';
import { ENV, type Env } from '../config/env.js';
import { isReplicaConnected, liveness } from '../gateway-targets/target-status.js';
import {
  authenticationOf,
  dlpView,
  type DlpView,
  type InventoryPolicy,
  scopesView,
  toolVisibility,
} from './inventory-policies.js';
import type { DeploymentState, InventoryQuery, inventoryPage, inventoryRow, inventoryTool } from './mcp-inventory.dto.js';
import { type ActivityRow, McpInventoryRepository, type ReportedTool } from './mcp-inventory.repository.js';

const MAX_TOOLS = 10_000;
const MAX_NAME_LENGTH = 1024;
const MAX_DESCRIPTION_LENGTH = 16 * 1024;
const MAX_UPSTREAM_NAME_LENGTH = 255;
const SHA256 = /^[0-9a-f]{64}$/;
const DEFAULT_LIMIT = 100;
const ROUTER = 'mcp-transcoding-router';

export type InventoryTool = z.output<typeof inventoryTool>;
export type InventoryRow = z.output<typeof inventoryRow>;

export type InventoryAnswer = { format: 'json'; body: z.output<typeof inventoryPage> } | { format: 'csv'; body: string };

type Instance = Awaited<ReturnType<McpInventoryRepository['mcpInstances']>>[number];
type Target = Awaited<ReturnType<McpInventoryRepository['targets']>>[number];

const NO_ACTIVITY = { calls: 0, errors: 0, toolCalls: 0, agents: 0, users: 0, lastCallAt: null };

@Injectable()
export class McpInventoryService {
  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly repo: McpInventoryRepository,
  ) {}

  /** Records a tool list a gateway of `targetId` observed; resolves to why it was dropped, if it was. */
  async recordObserved(targetId: string, report: ToolsObserved): Promise<string | undefined> {
    const apiId = parseIntegerId(report.apiId);
    if (apiId === undefined) return 'api_id must be a numeric id';
    if (report.upstreamName.length > MAX_UPSTREAM_NAME_LENGTH)
      return `upstream_name must be at most ${MAX_UPSTREAM_NAME_LENGTH} characters`;
    if (report.tools.length > MAX_TOOLS) return `a list holds at most ${MAX_TOOLS} tools`;
    const tools = new Map<string, ReportedTool>();
    for (const tool of report.tools) {
      if (tool.name.length === 0 || tool.name.length > MAX_NAME_LENGTH)
        return `tool names must be 1 to ${MAX_NAME_LENGTH} characters`;
      if (tool.description.length > MAX_DESCRIPTION_LENGTH)
        return `tool descriptions must be at most ${MAX_DESCRIPTION_LENGTH} characters`;
      if (!SHA256.test(tool.descriptionSha256)) return 'description_sha256 must be a lowercase hex SHA-256';
      if (!tools.has(tool.name))
        tools.set(tool.name, {
          name: tool.name,
          description: tool.description === '' ? null : tool.description,
          descriptionSha256: tool.descriptionSha256,
        });
    }
    const upstreams = await this.repo.deployedUpstreams(targetId, apiId);
    if (!upstreams) return `API ${apiId} is not deployed to this gateway`;
    if (report.upstreamName !== '' && !upstreams.some((u) => (u.label || u.id) === report.upstreamName))
      return `API ${apiId} has no upstream ${JSON.stringify(report.upstreamName)}`;
    await this.repo.recordTools(apiId, report.upstreamName, [...tools.values()], report.complete, new Date());
    return undefined;
  }

  /** The inventory of an environment (see the module comment); `csv`: the caller asked for text/csv. */
  async inventory(orgId: string, envId: string, query: InventoryQuery, acceptsCsv: boolean): Promise<InventoryAnswer> {
    const { from, to } = eventScope(envId, { from: query.from, to: query.to }, { from: 'from', to: 'to' });
    const instances = await this.repo.mcpInstances(orgId, envId, query.apiId);
    const [assetNames, targets, activity] = await Promise.all([
      this.repo.assetNames(instances),
      this.repo.targets([...new Set(instances.flatMap((i) => (i.deployment ? [i.deployment.targetId] : [])))]),
      this.repo.activity(
        envId,
        instances.map((i) => i.id),
        from,
        to,
      ),
    ]);
    const targetById = new Map(targets.map((t) => [t.id, t]));
    const activityById = new Map(activity.map((a) => [a.apiId, a]));
    const rows = await Promise.all(
      instances.map((instance) =>
        this.row(
          instance,
          assetNames.get(`${instance.groupId}\n${instance.assetId}`) ?? null,
          instance.deployment ? targetById.get(instance.deployment.targetId) : undefined,
          activityById.get(instance.id),
        ),
      ),
    );
    const selected = sortRows(rows.filter(filterOf(query)), query);
    const csv = query.format === 'csv' || (query.format === undefined && acceptsCsv);
    if (query.rows !== undefined && !csv) {
      throw validationError([
        { path: '/query/rows', message: 'applies to CSV only (format=csv)', errorCode: 'custom.validation' },
      ]);
    }
    const limit = query.limit ?? (csv ? selected.length : DEFAULT_LIMIT);
    const page = selected.slice(query.offset, query.offset + limit);
    if (csv) return { format: 'csv', body: query.rows === 'tools' ? toolsCsv(page) : serversCsv(page) };
    return { format: 'json', body: { from: from.toISOString(), to: to.toISOString(), data: page, total: selected.length } };
  }

  private async row(
    instance: Instance,
    assetName: string | null,
    target: Target | undefined,
    activity: ActivityRow | undefined,
  ): Promise<InventoryRow> {
    const policies: InventoryPolicy[] = instance.policies;
    const federated = policies.some((p) => p.assetId === ROUTER);
    const observed = instance.observedTools;
    const listed = observed.filter((t) => t.listed);
    const visibility = await toolVisibility(listed, {
      policies,
      pendingChanges: new Set(instance.toolChanges.map((c) => c.toolName)),
      pinned: new Set(instance.toolPins.map((p) => p.toolName)),
    });
    const judged = new Map(listed.map((tool, i) => [tool, visibility.tools[i]!]));
    const upstreams = instance.upstreams.length
      ? instance.upstreams.map((u) => ({ name: u.label ?? (federated ? u.id : ''), uri: u.uri }))
      : instance.upstreamUri
        ? [{ name: '', uri: instance.upstreamUri }]
        : [];
    return {
      apiId: instance.id,
      name: instance.instanceLabel ?? assetName ?? instance.assetId,
      instanceLabel: instance.instanceLabel,
      asset: { groupId: instance.groupId, assetId: instance.assetId, version: instance.assetVersion, name: assetName },
      upstreams,
      federated,
      enabled: instance.backendEnabled,
      status: instance.status,
      deployment: instance.deployment && this.deploymentOf(instance.id, instance.deployment, target),
      tools: observed.map((tool) => {
        const seen = judged.get(tool);
        return {
          name: tool.name,
          upstreamName: tool.upstreamName,
          description: tool.description,
          descriptionSha256: tool.descriptionSha256,
          firstSeenAt: tool.firstSeenAt.toISOString(),
          lastSeenAt: tool.lastSeenAt.toISOString(),
          listed: tool.listed,
          enabled: seen?.enabled ?? false,
          exposedName: seen?.exposedName ?? null,
          hiddenBy: seen?.hiddenBy ?? null,
        };
      }),
      toolCount: listed.length,
      authentication: authenticationOf(policies),
      scopes: scopesView(policies),
      dlp: dlpView(policies),
      callerDependentPolicies: visibility.callerDependent,
      activity: activity
        ? {
            calls: activity.calls,
            errors: activity.errors,
            toolCalls: activity.toolCalls,
            agents: activity.agents,
            users: activity.users,
            lastCallAt: activity.lastCallAt?.toISOString() ?? null,
          }
        : NO_ACTIVITY,
    };
  }

  /** Deployment state and sync status: as the replica views compute them (gateway-target.view.ts). */
  private deploymentOf(apiId: number, deployment: NonNullable<Instance['deployment']>, target: Target | undefined) {
    const at = liveness(this.env.PORTICO_GATEWAY_HEARTBEAT_SECONDS);
    const connected =
      deployment.expectedStatus === 'deployed' ? (target?.replicas ?? []).filter((r) => isReplicaConnected(r, at)) : [];
    const upToDate = connected.filter(
      (r) =>
        r.appliedRevision !== null &&
        r.appliedRevision >= target!.configRevision &&
        !(r.failedApis as { apiId?: unknown }[]).some((f) => String(f.apiId) === String(apiId)),
    );
    return {
      id: deployment.id,
      state: deployment.status as DeploymentState,
      targetId: deployment.targetId,
      targetName: deployment.targetName,
      errorMessage: deployment.status === 'failed' ? deployment.errorMessage : null,
      replicas: connected.length,
      replicasUpToDate: upToDate.length,
    };
  }
}

/** The rows `query`'s filters keep. */
function filterOf(query: InventoryQuery): (row: InventoryRow) => boolean {
  const includeDisabled = query.includeDisabled || query.enabled === false;
  const search = query.search?.toLowerCase();
  const states = query.status && new Set<string>(query.status);
  const actions = query.dlpAction && new Set<string>(query.dlpAction);
  return (row) =>
    (includeDisabled || row.enabled) &&
    (query.enabled === undefined || row.enabled === query.enabled) &&
    (!states || states.has(row.deployment?.state ?? 'none')) &&
    (!actions || actions.has(row.dlp.action)) &&
    (!search ||
      [row.name, row.instanceLabel, row.asset.assetId, row.asset.name, ...row.tools.flatMap((t) => [t.name, t.exposedName])].some(
        (text) => text?.toLowerCase().includes(search),
      ));
}

const SORT_KEYS: Record<InventoryQuery['sort'], (row: InventoryRow) => string | number> = {
  name: (row) => row.name.toLowerCase(),
  calls: (row) => row.activity.calls,
  errors: (row) => row.activity.errors,
  // Never called sorts before any call (ascending).
  lastCall: (row) => (row.activity.lastCallAt ? Date.parse(row.activity.lastCallAt) : -1),
  tools: (row) => row.toolCount,
};

/** Sorted by `query.sort` in `query.order`, ties by instance id (ascending). */
function sortRows(rows: InventoryRow[], query: InventoryQuery): InventoryRow[] {
  const key = SORT_KEYS[query.sort];
  const direction = query.order === 'desc' ? -1 : 1;
  return rows
    .map((row) => ({ row, key: key(row) }))
    .sort((a, b) => (a.key < b.key ? -direction : a.key > b.key ? direction : a.row.apiId - b.row.apiId))
    .map(({ row }) => row);
}

const SERVER_COLUMNS = [
  'apiId',
  'name',
  'instanceLabel',
  'assetId',
  'assetVersion',
  'upstreams',
  'enabled',
  'deploymentState',
  'targetName',
  'replicas',
  'replicasUpToDate',
  'toolCount',
  'tools',
  'authentication',
  'requiredScopes',
  'dlpAction',
  'dlpRequests',
  'dlpResponses',
  'calls',
  'errors',
  'agents',
  'users',
  'lastCallAt',
] as const;

const direction = (d: DlpView['requests']) => (d ? (d.mode === 'shadow' ? `shadow:${d.action}` : d.action) : 'none');

/** One line per server; its listed tools joined with ";". */
function serversCsv(rows: InventoryRow[]): string {
  return toCsv(
    SERVER_COLUMNS,
    rows.map((row): Record<(typeof SERVER_COLUMNS)[number], CsvValue> => ({
      apiId: row.apiId,
      name: row.name,
      instanceLabel: row.instanceLabel,
      assetId: row.asset.assetId,
      assetVersion: row.asset.version,
      upstreams: row.upstreams.map((u) => u.uri).join(' '),
      enabled: row.enabled,
      deploymentState: row.deployment?.state ?? 'none',
      targetName: row.deployment?.targetName ?? null,
      replicas: row.deployment?.replicas ?? 0,
      replicasUpToDate: row.deployment?.replicasUpToDate ?? 0,
      toolCount: row.toolCount,
      tools: row.tools
        .filter((t) => t.listed)
        .map((t) => (t.upstreamName ? `${t.upstreamName}/${t.name}` : t.name))
        .join(';'),
      authentication: row.authentication.join(' '),
      requiredScopes: row.scopes.required.join(' '),
      dlpAction: row.dlp.action,
      dlpRequests: direction(row.dlp.requests),
      dlpResponses: direction(row.dlp.responses),
      calls: row.activity.calls,
      errors: row.activity.errors,
      agents: row.activity.agents,
      users: row.activity.users,
      lastCallAt: row.activity.lastCallAt,
    })),
  );
}

const TOOL_COLUMNS = [
  'apiId',
  'server',
  'upstreamName',
  'tool',
  'description',
  'descriptionSha256',
  'firstSeenAt',
  'lastSeenAt',
  'listed',
  'enabled',
  'exposedName',
  'hiddenBy',
] as const;

/** One line per observed tool of each server. */
function toolsCsv(rows: InventoryRow[]): string {
  return toCsv(
    TOOL_COLUMNS,
    rows.flatMap((row) =>
      row.tools.map((tool): Record<(typeof TOOL_COLUMNS)[number], CsvValue> => ({
        apiId: row.apiId,
        server: row.name,
        upstreamName: tool.upstreamName,
        tool: tool.name,
        description: tool.description,
        descriptionSha256: tool.descriptionSha256,
        firstSeenAt: tool.firstSeenAt,
        lastSeenAt: tool.lastSeenAt,
        listed: tool.listed,
        enabled: tool.enabled,
        exposedName: tool.exposedName,
        hiddenBy: tool.hiddenBy ? `${tool.hiddenBy.policyType} ${tool.hiddenBy.policyId}` : null,
      })),
    ),
  );
}
