import { useState } from 'react';
import { useParams } from 'react-router';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useFocusBack } from '../../components/useFocusBack';
import { useScope } from '../../session/useScope';
import { ApplyPolicy } from '../policies/ApplyPolicy';
import { PolicyChain } from '../policies/PolicyChain';
import { MCP_SUPPORT } from '../policies/policy-order';
import '../policies/policies.css';
import { ToolSettings } from '../tools/ToolSettings';
import { useApiInstance, useDeploymentStatus, usePolicies, usePolicyTemplates } from './queries';

/**
 * One instance: its listener, upstream and deployment state, the banner asking for MCP Support
 * while an MCP instance lacks it ("Apply now"), its policy chain (apply, reorder, edit, disable,
 * shadow mode, remove) and, for an MCP server, its tools.
 */
export function ApiInstancePage() {
  const { orgId, envId } = useScope();
  const apiId = useParams().apiId!;
  const instance = useApiInstance(orgId, envId, apiId);
  const status = useDeploymentStatus(orgId, envId, apiId, instance.data?.deployment?.id);
  const policies = usePolicies(orgId, envId, apiId);
  const templates = usePolicyTemplates(orgId, envId, apiId);
  const [applying, setApplying] = useState<string | undefined>();
  const [bannerHidden, setBannerHidden] = useState(false);
  // the panel closes (applied or cancelled): the focus goes to Add policy, not to the page
  const addPolicy = useFocusBack(applying !== undefined);
  if (instance.error) return <ErrorMessage error={instance.error} />;
  const api = instance.data;
  if (!api) return <p aria-busy="true">Loading…</p>;
  const needsMcpSupport =
    api.endpoint.type === 'mcp' &&
    api.deployment !== null &&
    policies.data !== undefined &&
    !policies.data.some((p) => p.assetId === MCP_SUPPORT);

  return (
    <section aria-labelledby="instance-title">
      <h1 id="instance-title">{api.instanceLabel ?? api.assetId}</h1>
      {needsMcpSupport && !bannerHidden && (
        <div className="banner" role="status">
          <p>Your MCP server instance is deployed. Apply the MCP Support policy for the server to function properly.</p>
          <button type="button" className="primary" onClick={() => setApplying(MCP_SUPPORT)}>
            Apply now
          </button>
          <button type="button" className="link" onClick={() => setBannerHidden(true)}>
            Dismiss
          </button>
        </div>
      )}
      <dl className="summary">
        <dt>Asset</dt>
        <dd>
          {api.groupId}/{api.assetId} {api.assetVersion}
        </dd>
        <dt>Listener</dt>
        <dd>{api.endpoint.proxyUri ?? '—'}</dd>
        <dt>Upstream</dt>
        <dd>{api.endpoint.uri ?? '—'}</dd>
        <dt>Gateway</dt>
        <dd>{api.deployment ? `${api.deployment.targetName} (${api.deployment.gatewayVersion})` : 'Not deployed'}</dd>
        <dt>Deployment</dt>
        <dd data-testid="deployment-status">{api.deployment ? (status.data?.status ?? '…') : 'Not deployed'}</dd>
      </dl>
      <h2>Policies</h2>
      <ErrorMessage error={policies.error} />
      {policies.data && <PolicyChain apiId={apiId} chain={policies.data} templates={templates.data ?? []} />}
      <button ref={addPolicy} type="button" aria-expanded={applying !== undefined} onClick={() => setApplying('')}>
        Add policy
      </button>
      {applying !== undefined && (
        <ApplyPolicy key={applying} apiId={apiId} preselect={applying || undefined} onDone={() => setApplying(undefined)} />
      )}
      {api.endpoint.type === 'mcp' && <ToolSettings apiId={apiId} />}
    </section>
  );
}
