import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { useGatewayTargets } from '../apis/mcp-wizard-queries';

/**
 * The gateway an MCP server is deployed to: the environment's gateway targets, those not running
 * shown as such and not selectable (as in seed 000's walk).
 */
export function GatewaySelect(props: { value: string; onChange: (targetId: string) => void; error: string | undefined }) {
  const { orgId, envId } = useScope();
  const targets = useGatewayTargets(orgId, envId);
  return (
    <>
      <Field label="Gateway" hint="The gateway that serves the MCP server to agents" error={props.error}>
        {(ids) => (
          <select {...ids} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
            <option value="">Select a gateway…</option>
            {(targets.data?.rows ?? []).map((t) => (
              <option key={t.id} value={t.id} disabled={!t.running}>
                {t.running ? t.name : `${t.name} (Not Running)`}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ErrorMessage error={targets.error} />
    </>
  );
}
