/**
 * Portico's reads of access events: the log search, the MCP analytics and the workflow graph. All
 * three take the same filters (analytics.dto.ts accessLogFilters) over one environment and time
 * range, and all numbers come from the stored events themselves.
 */
import { Injectable } from '@nestjs/common';
import { validationError } from '../common/validation.js';
import { accessLogView, countsView, decodeCursor, encodeCursor } from './access-log.view.js';
import type { AccessLogFilters, AccessLogPage, AccessLogsQuery, McpAnalyticsQuery, WorkflowGraph } from './analytics.dto.js';
import { AnalyticsRepository, type EventScope, type SummaryRow } from './analytics.repository.js';
import { type EventCounts, foldGroups } from './event-groups.js';
import { eventScope } from './time-range.js';

const MINUTE_MS = 60_000;
/** Bucket sizes (minutes) a timeline picks from when the request names none, for at most ~60 buckets. */
const INTERVAL_LADDER = [1, 5, 15, 30, 60, 180, 360, 720, 1440, 10_080];
const DEFAULT_BUCKETS = 60;
const MAX_BUCKETS = 1000;
const UNIT_MINUTES = { m: 1, h: 60, d: 1440 } as const;

/** Counts of no event (an empty timeline bucket). */
const NO_EVENTS: EventCounts = { requests: 0, errors: 0, denials: 0, shadowDenials: 0, dlpFindings: 0, latencyUs: null };

function scopeOf(environmentId: string, filters: AccessLogFilters): EventScope {
  return eventScope(environmentId, filters, { from: 'from', to: 'to' });
}

/** `5m`, `1h` or `1d` as minutes; the default picks a size giving about DEFAULT_BUCKETS buckets. */
function bucketMinutes(scope: EventScope, interval: string | undefined): number {
  const rangeMinutes = (scope.to.getTime() - scope.from.getTime()) / MINUTE_MS;
  if (interval === undefined) {
    return INTERVAL_LADDER.find((m) => rangeMinutes / m <= DEFAULT_BUCKETS) ?? INTERVAL_LADDER.at(-1)!;
  }
  const minutes = Number(interval.slice(0, -1)) * UNIT_MINUTES[interval.at(-1) as keyof typeof UNIT_MINUTES];
  if (Math.ceil(rangeMinutes / minutes) > MAX_BUCKETS) {
    throw validationError([
      {
        path: '/query/interval',
        message: `must make at most ${MAX_BUCKETS} buckets of the time range (${Math.ceil(rangeMinutes / minutes)} with ${interval})`,
        errorCode: 'custom.validation',
      },
    ]);
  }
  return minutes;
}

/** `minutes` as the query's own notation (90 → 90m, 60 → 1h, 1440 → 1d). */
function intervalName(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** The log search, the analytics and the workflow graph of one environment's access events. */
@Injectable()
export class AccessLogsService {
  constructor(private readonly repo: AnalyticsRepository) {}

  /** One page of matching events, newest first, and the cursor of the next page (null on the last). */
  async search(environmentId: string, query: AccessLogsQuery): Promise<AccessLogPage> {
    const scope = scopeOf(environmentId, query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.repo.search(scope, query, { after, limit: query.limit + 1, payloads: query.includePayloads });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      from: scope.from.toISOString(),
      to: scope.to.toISOString(),
      data: page.map((row) => accessLogView(row, query.includePayloads)),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }

  /**
   * Totals, a dense timeline, usage per method, the top tools, resources and prompts, the most
   * frequent errors, verdicts per policy and usage per client application.
   */
  async analytics(environmentId: string, query: McpAnalyticsQuery) {
    const scope = scopeOf(environmentId, query);
    const minutes = bucketMinutes(scope, query.interval);
    const [rows, policies] = await Promise.all([
      this.repo.summary(scope, query, `${minutes} minutes`),
      this.repo.policies(scope, query),
    ]);
    const of = (set: SummaryRow['set'], key: (row: SummaryRow) => string) =>
      foldGroups(
        rows.filter((r) => r.set === set),
        key,
      );
    const [totals = NO_EVENTS] = of('totals', () => '');
    const buckets = new Map(of('timeline', (r) => String(r.start!.getTime())).map((b) => [b.start!.getTime(), b]));
    const timeline = [];
    for (let t = scope.from.getTime(); t < scope.to.getTime(); t += minutes * MINUTE_MS) {
      timeline.push({ start: new Date(t).toISOString(), ...countsView(buckets.get(t) ?? NO_EVENTS) });
    }
    const names = of('names', (r) => `${r.kind}\n${r.name}`).filter((n) => n.kind !== null && n.name !== null);
    const top = (kind: string) =>
      names
        .filter((n) => n.kind === kind)
        .sort(byRequests((n) => n.name))
        .slice(0, query.top)
        .map((n) => ({ name: n.name, ...countsView(n) }));
    return {
      from: scope.from.toISOString(),
      to: scope.to.toISOString(),
      interval: intervalName(minutes),
      totals: { ...countsView(totals), dlpFindings: totals.dlpFindings },
      timeline,
      methods: of('methods', (r) => String(r.method))
        .sort(byRequests((m) => m.method))
        .map((m) => ({ method: m.method, ...countsView(m) })),
      tools: top('tool'),
      resources: top('resource'),
      prompts: top('prompt'),
      errors: of('errors', (r) => `${r.httpStatus} ${r.jsonRpcErrorCode}`)
        .filter((e) => e.errors > 0)
        .map((e) => ({ httpStatus: e.httpStatus, jsonRpcErrorCode: e.jsonRpcErrorCode, count: e.errors }))
        .sort((a, b) => b.count - a.count || a.httpStatus! - b.httpStatus! || nullsLast(a.jsonRpcErrorCode, b.jsonRpcErrorCode))
        .slice(0, query.top),
      policies,
      clientApplications: of('clients', (r) => String(r.clientId))
        .sort(byRequests((c) => c.clientId))
        .slice(0, query.top)
        .map((c) => ({ clientId: c.clientId, clientName: c.clientName, ...countsView(c) })),
    };
  }

  /**
   * The workflow graph: agents (the agent the gateway recognised, else a client application, else
   * a User-Agent) → the MCP instances they called → the tools called there, each edge with its
   * calls, errors and latency.
   */
  async graph(environmentId: string, query: AccessLogFilters): Promise<WorkflowGraph> {
    const scope = scopeOf(environmentId, query);
    const rows = await this.repo.graph(scope, query);
    const agentEdges = foldGroups(
      rows.filter((r) => r.set === 'agents'),
      (r) => `${r.agent}\n${r.apiId}`,
    );
    const toolEdges = foldGroups(
      rows.filter((r) => r.set === 'tools' && r.tool !== null),
      (r) => `${r.apiId}\n${r.tool}`,
    );
    const apiIds = [...new Set(agentEdges.map((e) => e.apiId))].sort((a, b) => a - b);
    const instances = new Map((await this.repo.instances(environmentId, apiIds)).map((i) => [i.id, i]));
    const agents = new Map<
      string,
      { id: string; kind: 'agent'; label: string; agent: string | null; clientId: string | null; userAgent: string | null }
    >();
    for (const { agent, clientName } of agentEdges) {
      const isNamed = agent!.startsWith('named:');
      const isClient = agent!.startsWith('client:');
      const value = agent!.slice(agent!.indexOf(':') + 1);
      const current = agents.get(agent!);
      agents.set(agent!, {
        id: agent!,
        kind: 'agent',
        label: (isClient ? (clientName ?? current?.label) : null) ?? (value || 'unknown agent'),
        agent: isNamed ? value : null,
        clientId: isClient ? value : null,
        userAgent: isClient || isNamed || !value ? null : value,
      });
    }
    const instanceNodes = apiIds.map((apiId) => {
      const i = instances.get(apiId);
      return {
        id: `api:${apiId}`,
        kind: 'instance' as const,
        label: i ? (i.instanceLabel ?? `${i.assetId} ${i.productVersion}`) : `API ${apiId}`,
        apiId,
      };
    });
    const toolNodes = toolEdges.map((e) => ({
      id: `tool:${e.apiId}:${e.tool}`,
      kind: 'tool' as const,
      label: e.tool!,
      apiId: e.apiId,
    }));
    return {
      from: scope.from.toISOString(),
      to: scope.to.toISOString(),
      nodes: [...agents.values(), ...instanceNodes, ...toolNodes],
      edges: [
        ...agentEdges.map((e) => ({ source: e.agent!, target: `api:${e.apiId}`, ...countsView(e) })),
        ...toolEdges.map((e) => ({ source: `api:${e.apiId}`, target: `tool:${e.apiId}:${e.tool}`, ...countsView(e) })),
      ],
    };
  }
}

/** Most requests first, then by `key` (nulls last). */
function byRequests<T extends { requests: number }>(key: (item: T) => string | null) {
  return (a: T, b: T) => b.requests - a.requests || nullsLast(key(a), key(b));
}

function nullsLast<T extends string | number>(a: T | null, b: T | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
