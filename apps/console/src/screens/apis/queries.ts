/** API instances of the current environment; one instance, its deployment's status, its policies and the catalog for it. */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { ApiInstance, ApiList, AppliedPolicy, DeploymentStatus, PolicyTemplate } from '../../api/resources';

/**
 * What the console reads of the environment's API instances: the list, each instance and what
 * hangs off it (deployment, policies, tools), and the MCP backends, which are instances too
 * (library/queries.ts). A write to instances or backends invalidates this whole prefix.
 */
export const apisKey = (orgId: string, envId: string) => ['apis', orgId, envId];

/** How the console names an instance: its label, else its asset and id. */
export const instanceName = (api: ApiInstance) => api.instanceLabel ?? `${api.assetId} (${api.id})`;

/** The listing's most assets at once (the REST API's maximum page). */
const ASSETS_PAGE = 500;

/**
 * The environment's instances, as one list: every page of the REST listing, which groups them by
 * asset and pages by asset (`total` counts assets).
 */
export function useApiInstances(orgId: string, envId: string) {
  return useQuery({
    queryKey: [...apisKey(orgId, envId), 'list'],
    queryFn: async () => {
      const instances: ApiInstance[] = [];
      for (let offset = 0, total = 1; offset < total; offset += ASSETS_PAGE) {
        const page = await call<ApiList>(
          api.GET('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis', {
            params: { path: { orgId, envId }, query: { offset, limit: ASSETS_PAGE } },
          }),
        );
        total = page.total;
        instances.push(...page.assets.flatMap((asset) => asset.apis));
      }
      return instances;
    },
  });
}

export function useApiInstance(orgId: string, envId: string, apiId: string) {
  return useQuery({
    queryKey: [...apisKey(orgId, envId), apiId],
    queryFn: () =>
      call<ApiInstance>(
        api.GET('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}', {
          params: { path: { orgId, envId, apiId } },
        }),
      ),
  });
}

/** The deployment's status, polled while it is being applied. */
export function useDeploymentStatus(orgId: string, envId: string, apiId: string, deploymentId: number | undefined) {
  return useQuery({
    queryKey: [...apisKey(orgId, envId), apiId, 'deployment', deploymentId],
    enabled: deploymentId !== undefined,
    queryFn: () =>
      call<DeploymentStatus>(
        api.GET('/proxies/xapi/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/deployments/{deploymentId}/status', {
          params: { path: { orgId, envId, apiId, deploymentId: String(deploymentId) } },
        }),
      ),
    refetchInterval: (query) => (query.state.data?.status === 'applying' ? 1_000 : false),
  });
}

export const policiesKey = (orgId: string, envId: string, apiId: string) => [...apisKey(orgId, envId), apiId, 'policies'];

export function usePolicies(orgId: string, envId: string, apiId: string) {
  return useQuery({
    queryKey: policiesKey(orgId, envId, apiId),
    queryFn: () =>
      call<AppliedPolicy[]>(
        api.GET('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/policies', {
          params: { path: { orgId, envId, apiId: Number(apiId) }, query: { fullInfo: 'false' } },
        }),
      ),
  });
}

/** The catalog's templates that apply to this instance (seed 001 step 8: the api-portal-xapi route). */
export function usePolicyTemplates(orgId: string, envId: string, apiId: string) {
  return useQuery({
    queryKey: ['policy-templates', orgId, envId, apiId],
    queryFn: () =>
      call<PolicyTemplate[]>(
        api.GET('/apimanager/xapi/v1/organizations/{orgId}/exchange-policy-templates', {
          params: {
            path: { orgId },
            query: { apiInstanceId: apiId, environmentId: envId, latest: 'true', includeConfiguration: 'true' },
          },
        }),
      ),
    staleTime: 60_000,
  });
}
