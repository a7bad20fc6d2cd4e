/** API instances of the current environment; one instance, its deployment's status, its policies and the catalog for it. */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { ApiInstance, ApiList, AppliedPolicy, DeploymentStatus, PolicyTemplate } from '../../api/resources';

export const apisKey = (orgId: string, envId: string) => ['apis', orgId, envId];

/** How the console names an instance: its label, else its asset and id. */
export const instanceName = (api: ApiInstance) => api.instanceLabel ?? `${api.assetId} (${api.id})`;

/** The listing's most instances at once (the REST API's maximum page). */
const INSTANCES_PAGE = 500;

/** The environment's instances, as one list (the REST answer groups them by asset). */
export function useApiInstances(orgId: string, envId: string) {
  return useQuery({
    queryKey: apisKey(orgId, envId),
    queryFn: () =>
      call<ApiList>(
        api.GET('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis', {
          params: { path: { orgId, envId }, query: { limit: INSTANCES_PAGE } },
        }),
      ),
    select: (list) => list.assets.flatMap((asset) => asset.apis),
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
