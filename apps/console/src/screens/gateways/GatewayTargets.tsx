import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { useGatewayTargets } from '../apis/mcp-wizard-queries';

/** The environment's gateways: state, version, connected replicas. */
export function GatewayTargets() {
  const { orgId, envId } = useScope();
  const targets = useGatewayTargets(orgId, envId);
  return (
    <section aria-labelledby="gateways-title">
      <h1 id="gateways-title">Gateways</h1>
      <ErrorMessage error={targets.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Version</th>
            <th scope="col">Replicas</th>
            <th scope="col">Last connected</th>
          </tr>
        </thead>
        <tbody>
          {(targets.data?.rows ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>
                <span className={t.running ? 'badge ok' : 'badge warn'}>{t.running ? 'Running' : 'Not Running'}</span>
              </td>
              <td>{t.version}</td>
              <td>{t.replicas}</td>
              <td>{t.lastConnectedDate ? new Date(t.lastConnectedDate).toLocaleString() : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
