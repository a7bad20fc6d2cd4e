import type { GrantView } from './access-management.dto.js';

/** A permission grant as Access Management returns it: `{scope, context_params:{org, envId?}}` (contract §2.5). */
export function grantView(g: { scope: string; organizationId: string; environmentId: string | null }): GrantView {
  return {
    scope: g.scope,
    context_params: g.environmentId ? { org: g.organizationId, envId: g.environmentId } : { org: g.organizationId },
  };
}
