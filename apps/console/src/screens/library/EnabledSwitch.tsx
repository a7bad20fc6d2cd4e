import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { McpBackend } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { useMay } from '../../session/permissions';
import { apisKey } from '../apis/queries';

/**
 * Switches an MCP backend on or off (a disabled one keeps its configuration; gateways answer it
 * 503). Offered to holders of Update MCP Backends; others see the state only. While the change is
 * on its way the switch keeps the focus: it is aria-disabled and ignores presses (a disabled
 * control would drop the focus) and says "Switching…".
 */
export function EnabledSwitch({ backend }: { backend: McpBackend }) {
  const { orgId, envId } = useScope();
  const queries = useQueryClient();
  const mayUpdate = useMay('update:mcp_backends');
  const toggle = useMutation({
    mutationFn: (enabled: boolean) =>
      call(
        api.PATCH('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/backends/{apiId}', {
          params: { path: { orgId, envId, apiId: String(backend.apiId) } },
          body: { enabled },
        }),
      ),
    onSettled: () => queries.invalidateQueries({ queryKey: apisKey(orgId, envId) }),
  });
  // the switch shows what was asked for until the backend says it is done; the badge, the backend's state
  const checked = toggle.isPending ? (toggle.variables ?? backend.enabled) : backend.enabled;
  return (
    <>
      <label className="choice">
        <input
          type="checkbox"
          role="switch"
          checked={checked}
          disabled={!mayUpdate}
          aria-disabled={toggle.isPending}
          onChange={(e) => !toggle.isPending && toggle.mutate(e.target.checked)}
          aria-label={`${backend.name} enabled`}
        />
        <span className={backend.enabled ? 'badge ok' : 'badge warn'}>{backend.enabled ? 'Enabled' : 'Disabled'}</span>
        {toggle.isPending && <span className="muted">Switching…</span>}
      </label>
      <ErrorMessage error={toggle.error} />
    </>
  );
}
