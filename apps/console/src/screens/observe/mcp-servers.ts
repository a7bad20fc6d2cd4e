/**
 * The environment's MCP server instances (API Administration's list, endpoint type `mcp`) and the
 * name each goes by (apis/queries instanceName).
 */
import { useCallback, useMemo } from 'react';
import { instanceName, useApiInstances } from '../apis/queries';

export function useMcpServers(orgId: string, envId: string) {
  const instances = useApiInstances(orgId, envId);
  const all = useMemo(() => instances.data ?? [], [instances.data]);
  const nameOf = useCallback(
    (apiId: number) => {
      const api = all.find((a) => a.id === apiId);
      return api ? instanceName(api) : `API ${apiId}`;
    },
    [all],
  );
  return { servers: all.filter((a) => a.endpoint.type === 'mcp'), nameOf };
}
