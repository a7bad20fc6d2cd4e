/**
 * The environment's MCP server instances (API Administration's list, endpoint type `mcp`) and the
 * name each goes by in the observability screens: its label, else its asset and id.
 */
import { useCallback, useMemo } from 'react';
import type { ApiInstance } from '../../api/resources';
import { useApiInstances } from '../apis/queries';

export const instanceName = (api: ApiInstance) => api.instanceLabel ?? `${api.assetId} (${api.id})`;

export function useMcpServers(orgId: string, envId: string) {
  const instances = useApiInstances(orgId, envId);
  const all = useMemo(() => (instances.data?.assets ?? []).flatMap((a) => a.apis), [instances.data]);
  const nameOf = useCallback(
    (apiId: number) => {
      const api = all.find((a) => a.id === apiId);
      return api ? instanceName(api) : `API ${apiId}`;
    },
    [all],
  );
  return { servers: all.filter((a) => a.endpoint.type === 'mcp'), nameOf };
}
