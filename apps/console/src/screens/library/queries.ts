/**
 * The MCP gateway's reads (…/mcpgateway/api/v1): the organization's MCP library, the
 * environment's install requests, MCP backends and a backend's tools. Keys start with what a
 * write invalidates: `apisKey` after an install, an approval or a backend change (a backend is an
 * API instance: its reads sit under the instances' key, so API Administration's lists follow);
 * `install-requests` after filing or deciding one.
 */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type {
  InstallRequest,
  InstallRequestPage,
  LibraryEntry,
  LibraryPage,
  McpBackend,
  McpBackendList,
} from '../../api/resources';
import { apisKey } from '../apis/queries';

export const requestsKey = (orgId: string, envId: string) => ['install-requests', orgId, envId];

export function useLibrary(orgId: string, search: string) {
  return useQuery({
    queryKey: ['mcp-library', orgId, search],
    queryFn: () =>
      call<LibraryPage>(
        api.GET('/mcpgateway/api/v1/organizations/{orgId}/library', {
          params: { path: { orgId }, query: { search: search || undefined, limit: '100' } },
        }),
      ),
    placeholderData: (previous) => previous,
  });
}

export function useLibraryEntry(orgId: string, entryId: string) {
  return useQuery({
    queryKey: ['mcp-library', orgId, 'entry', entryId],
    queryFn: () =>
      call<LibraryEntry>(
        api.GET('/mcpgateway/api/v1/organizations/{orgId}/library/{entryId}', { params: { path: { orgId, entryId } } }),
      ),
  });
}

export type RequestStatus = InstallRequest['status'];

/** Approvers get every request of the environment, others their own. */
export function useInstallRequests(orgId: string, envId: string, status: RequestStatus | undefined) {
  return useQuery({
    queryKey: [...requestsKey(orgId, envId), status],
    queryFn: () =>
      call<InstallRequestPage>(
        api.GET('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/install-requests', {
          params: { path: { orgId, envId }, query: { status, limit: '100' } },
        }),
      ),
  });
}

export function useBackends(orgId: string, envId: string) {
  return useQuery({
    queryKey: [...apisKey(orgId, envId), 'mcp-backends'],
    queryFn: () =>
      call<McpBackendList>(
        api.GET('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/backends', {
          params: { path: { orgId, envId }, query: { limit: 500 } },
        }),
      ),
  });
}

export function useBackend(orgId: string, envId: string, apiId: string) {
  return useQuery({
    queryKey: [...apisKey(orgId, envId), 'mcp-backends', apiId],
    queryFn: () =>
      call<McpBackend>(
        api.GET('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/backends/{apiId}', {
          params: { path: { orgId, envId, apiId } },
        }),
      ),
    refetchInterval: (query) => (query.state.data?.deployment?.status === 'applying' ? 1_000 : false),
  });
}
