/**
 * What an MCP backend looks like over REST: its instance, whether it is switched on, how the
 * gateway authenticates to it (seed 003's auth modes) and where it is deployed.
 *
 * The connection mode is read from the enabled policy chain, so it never disagrees with what the
 * gateways enforce: `gateway-oauth` (upstream-oauth: Portico holds each user's token for the
 * backend), `api-key` (upstream-credential: one secret sent by the gateway), `oauth-passthrough`
 * (the client's own bearer token reaches the backend, which validates it), else `none`.
 * Passthrough is either a jwt-validation / token introspection policy with forwardToken (Portico
 * validates the token, then forwards it) or, with neither upstream policy, the instance tag
 * OAUTH_PASSTHROUGH_TAG (a custom MCP created so: the backend alone validates the token, which
 * the gateway forwards as every client header).
 */
import { TOKEN_VALIDATING_TEMPLATES } from '#portico/policy-catalog';
import type { DeploymentStatus, ExpectedStatus } from '../deployments/deployment-status.js';
import type { Backend } from './mcp-backends.dto.js';
import type { BackendRecord } from './mcp-backends.repository.js';

export const CONNECTION_MODES = ['gateway-oauth', 'api-key', 'oauth-passthrough', 'none'] as const;
export type ConnectionMode = (typeof CONNECTION_MODES)[number];

/** The instance tag saying clients' bearer tokens go to the backend as they are (mode `oauth-passthrough`). */
export const OAUTH_PASSTHROUGH_TAG = 'mcp-connection:oauth-passthrough';

/** The mode the enabled `policies` (in order) and the instance's `tags` come to. */
export function connectionMode(
  policies: readonly { assetId: string; configurationData: unknown }[],
  tags: readonly string[] = [],
): ConnectionMode {
  if (policies.some((p) => p.assetId === 'upstream-oauth')) return 'gateway-oauth';
  if (policies.some((p) => p.assetId === 'upstream-credential')) return 'api-key';
  const forwards = policies.some(
    (p) =>
      TOKEN_VALIDATING_TEMPLATES.has(p.assetId) &&
      (p.configurationData as { forwardToken?: unknown } | null)?.forwardToken === true,
  );
  return forwards || tags.includes(OAUTH_PASSTHROUGH_TAG) ? 'oauth-passthrough' : 'none';
}

export function backendView(api: BackendRecord): Backend {
  return {
    apiId: api.id,
    name: api.instanceLabel ?? api.assetId,
    instanceLabel: api.instanceLabel,
    asset: { groupId: api.groupId, assetId: api.assetId, version: api.assetVersion },
    upstreamUri: api.upstreamUri,
    proxyUri: api.proxyUri,
    enabled: api.backendEnabled,
    connection: { mode: connectionMode(api.policies, api.tags) },
    deployment: api.deployment
      ? {
          id: api.deployment.id,
          targetId: api.deployment.targetId,
          targetName: api.deployment.targetName,
          // plain string columns, written only as deployment-status.ts decides
          expectedStatus: api.deployment.expectedStatus as ExpectedStatus,
          status: api.deployment.status as DeploymentStatus,
          errorMessage: api.deployment.errorMessage,
        }
      : null,
    createdAt: api.createdAt.toISOString(),
    updatedAt: api.updatedAt.toISOString(),
  };
}

export type BackendView = ReturnType<typeof backendView>;
