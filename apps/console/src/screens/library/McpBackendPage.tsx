import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { AccessSummary } from '../agents/AccessSummary';
import { useAgentMapping } from '../agents/queries';
import { ConfirmButton } from '../../components/ConfirmButton';
import { MODE_LABELS } from './connection-modes';
import { ConnectionForm } from './ConnectionForm';
import { EnabledSwitch } from './EnabledSwitch';
import { useMay } from '../../session/permissions';
import { useBackend } from './queries';
import { apisKey } from '../apis/queries';

/**
 * One MCP server: where it runs, switched on or off, how the gateway authenticates to it, where
 * its access tokens are managed (servers not behind OAuth: the API keys screen), which agents may
 * use it, and deleting it. Each part shows its own REST error (a permission the user lacks) and
 * nothing else.
 */
export function McpBackendPage() {
  const { orgId, envId } = useScope();
  const apiId = useParams().apiId!;
  const backend = useBackend(orgId, envId, apiId);
  const mapping = useAgentMapping(orgId, envId, apiId);
  const mayUpdate = useMay('update:mcp_backends');
  const mayDelete = useMay('delete:mcp_backends');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const environment = `/organizations/${orgId}/environments/${envId}`;
  const remove = useMutation({
    mutationFn: () =>
      call(
        api.DELETE('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/backends/{apiId}', {
          params: { path: { orgId, envId, apiId } },
        }),
      ),
    onSuccess: async () => {
      // stale, not asked again now: this page's own reads would answer 404; the next screen asks
      await queries.invalidateQueries({ queryKey: apisKey(orgId, envId), refetchType: 'none' });
      navigate(`${environment}/mcp-backends`);
    },
  });

  if (backend.error) return <ErrorMessage error={backend.error} />;
  const b = backend.data;
  if (!b) return <p aria-busy="true">Loading…</p>;
  const oauth = b.connection.mode === 'gateway-oauth' || b.connection.mode === 'oauth-passthrough';

  return (
    <section aria-labelledby="backend-title">
      <div className="page-head">
        <h1 id="backend-title">{b.name}</h1>
        <EnabledSwitch backend={b} />
      </div>
      <dl className="summary">
        <dt>Asset</dt>
        <dd>
          {b.asset.assetId} {b.asset.version}
        </dd>
        <dt>Listener</dt>
        <dd>{b.proxyUri ?? '—'}</dd>
        <dt>Upstream</dt>
        <dd>{b.upstreamUri ?? '—'}</dd>
        <dt>Gateway</dt>
        <dd>{b.deployment?.targetName ?? 'Not deployed'}</dd>
        <dt>Deployment</dt>
        <dd data-testid="deployment-status">
          {b.deployment ? (b.deployment.status ?? 'pending') : 'Not deployed'}
          {b.deployment?.errorMessage && `: ${b.deployment.errorMessage}`}
        </dd>
        <dt>Authentication</dt>
        <dd>{MODE_LABELS[b.connection.mode]}</dd>
      </dl>
      <p>
        <Link to={`${environment}/apis/${b.apiId}`}>Policies of this MCP server</Link>
      </p>

      <h2>Authentication</h2>
      <ConnectionForm key={b.connection.mode} backend={b} mayUpdate={mayUpdate} />

      <h2>Access tokens</h2>
      {oauth ? (
        <p className="muted">Clients of an OAuth MCP server sign in with OAuth: it takes no access tokens.</p>
      ) : (
        <p>
          Clients present an access token (an API key of this server) once the API Key Authentication policy is applied.{' '}
          <Link to={`${environment}/api-keys?api=${b.apiId}`}>Create and revoke access tokens</Link>
        </p>
      )}

      <h2>Agent access</h2>
      <ErrorMessage error={mapping.error} />
      {mapping.data && (
        <p>
          <AccessSummary mapping={mapping.data} />.{' '}
          <Link to={`${environment}/agents/access/${b.apiId}`}>Configure agent access</Link>
        </p>
      )}

      {mayDelete && (
        <>
          <h2>Delete</h2>
          <p className="muted">Deletes the instance, its deployment, policies and access tokens.</p>
          <ConfirmButton label="Delete" what={b.name} busy={remove.isPending} onConfirm={() => remove.mutate()} />
          <ErrorMessage error={remove.error} />
        </>
      )}
    </section>
  );
}
