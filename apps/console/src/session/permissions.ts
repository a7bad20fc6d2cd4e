/**
 * Whether the signed-in user holds one of the MCP gateway's permissions in the current business
 * group and environment, read from the grants /accounts/api/me lists: a grant on an organization
 * covers its business groups, one narrowed to an environment covers that environment only. These
 * scopes imply nothing and are implied by nothing (apps/control-plane/src/auth/scopes.ts), so
 * holding one means holding it by name. This only chooses which controls to offer ("Install" or
 * "Request install"); the REST API decides, and its 403 is what a screen shows.
 */
import type { Me } from '../api/resources';
import { useMe } from './queries';
import { useScope } from './useScope';

export type McpScope =
  | 'install:mcp_library'
  | 'create:custom_mcp'
  | 'update:mcp_backends'
  | 'delete:mcp_backends'
  | 'configure:agents'
  | 'approve:mcp_install_requests'
  | 'manage:api_policies';

/** False until /me has answered. */
export function useMay(scope: McpScope): boolean {
  const { orgId, envId } = useScope();
  const me = useMe();
  return me.data ? holds(me.data, scope, orgId, envId) : false;
}

function holds(me: Me, scope: McpScope, orgId: string, envId: string): boolean {
  const covering = ancestry(me, orgId);
  return (me.user.permissions ?? []).some(
    (p) => p.scope === scope && covering.has(p.context_params.org) && (p.context_params.envId ?? envId) === envId,
  );
}

/** The organization and the business groups above it, as far as the user sees them. */
function ancestry(me: Me, orgId: string): Set<string> {
  const parents = new Map(me.user.memberOfOrganizations.map((o) => [o.id, o.parentId ?? null]));
  const chain = new Set<string>();
  for (let id: string | null | undefined = orgId; id && !chain.has(id); id = parents.get(id)) chain.add(id);
  return chain;
}
