/**
 * What an MCP backend looks like over REST: its instance, whether it is switched on, how the
 * gateway authenticates to it (seed 003's auth modes) and where it is deployed.
 *
 * The connection mode is read from the enabled policy chain, so it never disagrees with what the
 * gateways enforce: `gateway-oauth` (upstream-oauth: Portico holds each user's token for the
 * backend), `api-key` (upstream-credential: one secret sent by the gateway), `oauth-passthrough`
 * (jwt-validation with forwardToken: the client's own bearer token reaches the backend), else
 * `none`.
 */
import type { BackendRecord } from './mcp-backends.repository.js';

export type ConnectionMode = 'gateway-oauth' | 'api-key' | 'oauth-passthrough' | 'none';

const TOKEN_VALIDATORS = new Set(['jwt-validation', 'oauth2-token-introspection']);

/** The mode the enabled `policies` (in order) come to. */
export function connectionMode(policies: readonly { assetId: string; configurationData: unknown }[]): ConnectionMode {
  if (policies.some((p) => p.assetId === 'upstream-oauth')) return 'gateway-oauth';
  if (policies.some((p) => p.assetId === 'upstream-credential')) return 'api-key';
  const forwards = policies.some(
    (p) => TOKEN_VALIDATORS.has(p.assetId) && (p.configurationData as { forwardToken?: unknown } | null)?.forwardToken === true,
  );
  return forwards ? 'oauth-passthrough' : 'none';
}

export function backendView(api: BackendRecord) {
  return {
    apiId: api.id,
    name: api.instanceLabel ?? api.assetId,
    instanceLabel: api.instanceLabel,
    asset: { groupId: api.groupId, assetId: api.assetId, version: api.assetVersion },
    upstreamUri: api.upstreamUri,
    proxyUri: api.proxyUri,
    enabled: api.backendEnabled,
    connection: { mode: connectionMode(api.policies) },
    deployment: api.deployment
      ? {
          id: api.deployment.id,
          targetId: api.deployment.targetId,
          targetName: api.deployment.targetName,
          expectedStatus: api.deployment.expectedStatus,
          status: api.deployment.status,
          errorMessage: api.deployment.errorMessage,
        }
      : null,
    createdAt: api.createdAt.toISOString(),
    updatedAt: api.updatedAt.toISOString(),
  };
}

export type BackendView = ReturnType<typeof backendView>;
