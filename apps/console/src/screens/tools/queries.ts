/** An MCP backend's tools as its server last listed them to the gateways, and their settings' write. */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { McpToolList } from '../../api/resources';
import { apisKey } from '../apis/queries';
import type { InstanceRef } from '../policies/policy-writes';
import type { toolsBody } from './tool-settings';

const TOOLS = '/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/backends/{apiId}/tools';

/** Keyed under the instance, so every policy write refreshes it. */
export function useTools(orgId: string, envId: string, apiId: string) {
  return useQuery({
    queryKey: [...apisKey(orgId, envId), apiId, 'tools'],
    queryFn: () => call<McpToolList>(api.GET(TOOLS, { params: { path: { orgId, envId, apiId: Number(apiId) } } })),
  });
}

export function saveTools(path: InstanceRef, body: ReturnType<typeof toolsBody>) {
  return call<McpToolList>(api.PUT(TOOLS, { params: { path }, body }));
}
