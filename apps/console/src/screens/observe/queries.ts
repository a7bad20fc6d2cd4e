/**
 * The reads of the observability screens: the access-log search (cursor pages, newest first), one
 * call with its payloads, the MCP analytics, the workflow graph and the AI inventory. Their keys
 * start with `observeKey`, so Refresh re-reads them.
 */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { AccessLogPage, Inventory, McpAnalytics, WorkflowGraph } from '../../api/resources';
import type { RestQuery } from './log-filters';

/** Events per page of the log search (the route takes up to 500). */
export const LOG_PAGE_SIZE = 200;

export const observeKey = (orgId: string, envId: string) => ['observe', orgId, envId];

export function useAccessLogs(orgId: string, envId: string, query: RestQuery) {
  return useInfiniteQuery({
    queryKey: [...observeKey(orgId, envId), 'logs', query],
    queryFn: ({ pageParam, signal }) =>
      call<AccessLogPage>(
        api.GET('/analytics/1.0/{orgId}/environments/{envId}/access-logs', {
          params: { path: { orgId, envId }, query: { ...query, limit: LOG_PAGE_SIZE, cursor: pageParam } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/**
 * One call with its payloads. The search has no read by id, so this searches the millisecond the
 * call was logged at (`at`) and picks the event by its id; undefined when it is not there.
 */
export function useAccessLogCall(orgId: string, envId: string, id: string, at: string) {
  return useQuery({
    queryKey: [...observeKey(orgId, envId), 'call', id, at],
    queryFn: async () => {
      const start = Date.parse(at);
      const page = await call<AccessLogPage>(
        api.GET('/analytics/1.0/{orgId}/environments/{envId}/access-logs', {
          params: {
            path: { orgId, envId },
            query: {
              from: new Date(start).toISOString(),
              to: new Date(start + 1).toISOString(),
              includePayloads: 'true',
              limit: 500,
            },
          },
        }),
      );
      return page.data.find((event) => event.id === id) ?? null;
    },
    enabled: !Number.isNaN(Date.parse(at)),
    staleTime: Infinity,
  });
}

/** Totals, timeline and top lists of the calls `query` matches (`top` entries per list). */
export function useMcpAnalytics(orgId: string, envId: string, query: RestQuery, top = 10) {
  return useQuery({
    queryKey: [...observeKey(orgId, envId), 'analytics', query, top],
    queryFn: ({ signal }) =>
      call<McpAnalytics>(
        api.GET('/analytics/1.0/{orgId}/environments/{envId}/mcp-analytics', {
          params: { path: { orgId, envId }, query: { ...query, top } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useWorkflowGraph(orgId: string, envId: string, query: RestQuery) {
  return useQuery({
    queryKey: [...observeKey(orgId, envId), 'graph', query],
    queryFn: ({ signal }) =>
      call<WorkflowGraph>(
        api.GET('/analytics/1.0/{orgId}/environments/{envId}/workflow-graph', {
          params: { path: { orgId, envId }, query },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export interface InventoryQuery {
  from: string;
  to: string;
  search?: string;
  offset: number;
  limit: number;
}

export function useInventory(orgId: string, envId: string, query: InventoryQuery) {
  return useQuery({
    queryKey: [...observeKey(orgId, envId), 'inventory', query],
    queryFn: ({ signal }) =>
      call<Inventory>(
        api.GET('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/inventory', {
          params: { path: { orgId, envId }, query: { ...query, format: 'json' } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}
