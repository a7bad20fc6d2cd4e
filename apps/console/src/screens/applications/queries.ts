/**
 * Client applications (Exchange, per business group), their contracts with API instances (API
 * Manager: request access, approve, reject, revoke, delete), the SLA tiers a contract runs under,
 * and the API keys of an instance. Secrets (client secret, API key) come only in the answer that
 * created them: they are returned to the caller and never cached.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { ApiKey, ApiKeyList, ApplicationWithSecret, ClientApplication, Contract, SlaTierList } from '../../api/resources';

const applicationsKey = (orgId: string) => ['applications', orgId];
const contractsKey = (orgId: string, applicationId: number) => [...applicationsKey(orgId), applicationId, 'contracts'];
const apiKeysKey = (orgId: string, envId: string, apiId: number) => ['api-keys', orgId, envId, apiId];

export function useApplications(orgId: string) {
  return useQuery({
    queryKey: applicationsKey(orgId),
    queryFn: () =>
      call<ClientApplication[]>(api.GET('/exchange/api/v2/organizations/{orgId}/applications', { params: { path: { orgId } } })),
  });
}

export function useApplication(orgId: string, applicationId: number) {
  return useQuery({
    queryKey: [...applicationsKey(orgId), applicationId],
    queryFn: () =>
      call<ClientApplication>(
        api.GET('/exchange/api/v2/organizations/{orgId}/applications/{applicationId}', {
          params: { path: { orgId, applicationId } },
        }),
      ),
  });
}

/** Creates an application; the answer holds its client secret, this once. */
export function useCreateApplication(orgId: string) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; description: string | null }) =>
      call<ApplicationWithSecret>(
        api.POST('/exchange/api/v2/organizations/{orgId}/applications', { params: { path: { orgId } }, body }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: applicationsKey(orgId) }),
  });
}

/** A new client secret (the old one stops working); the answer holds it, this once. */
export function useResetSecret(orgId: string, applicationId: number) {
  return useMutation({
    mutationFn: () =>
      call<ApplicationWithSecret>(
        api.POST('/exchange/api/v2/organizations/{orgId}/applications/{applicationId}/secret/reset', {
          params: { path: { orgId, applicationId } },
        }),
      ),
  });
}

export function useApplicationContracts(orgId: string, applicationId: number) {
  return useQuery({
    queryKey: contractsKey(orgId, applicationId),
    queryFn: () =>
      call<Contract[]>(
        api.GET('/exchange/api/v2/organizations/{orgId}/applications/{applicationId}/contracts', {
          params: { path: { orgId, applicationId } },
        }),
      ),
  });
}

export interface AccessRequest {
  apiId: number;
  requestedTierId: number | null;
  /** only for an instance whose contracts wait for approval */
  reason: string | undefined;
}

/** Requests access to an instance of this environment: a contract, approved at once unless the instance or tier says otherwise. */
export function useRequestAccess(orgId: string, envId: string, applicationId: number) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (request: AccessRequest) =>
      call<Contract>(
        api.POST('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/contracts', {
          params: { path: { orgId, envId, apiId: request.apiId } },
          body: {
            applicationId,
            requestedTierId: request.requestedTierId,
            ...(request.reason !== undefined && { requestAccessInfo: { reason: request.reason } }),
          },
        }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: contractsKey(orgId, applicationId) }),
  });
}

export type ContractAction = 'approve' | 'reject' | 'revoke' | 'delete';

const CONTRACT = '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/contracts/{contractId}';

/** Approves, rejects, revokes or deletes a contract, in the environment of its instance. */
export function useContractAction(orgId: string, applicationId: number) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: ({ contract, action }: { contract: Contract; action: ContractAction }) => {
      const params = { path: { orgId, envId: contract.environmentId, apiId: contract.apiId, contractId: contract.id } };
      switch (action) {
        case 'approve':
          return call(api.POST(`${CONTRACT}/approve`, { params }));
        case 'reject':
          return call(api.POST(`${CONTRACT}/reject`, { params }));
        case 'revoke':
          return call(api.POST(`${CONTRACT}/revoke`, { params }));
        case 'delete':
          return call(api.DELETE(CONTRACT, { params }));
      }
    },
    onSettled: () => queries.invalidateQueries({ queryKey: contractsKey(orgId, applicationId) }),
  });
}

/** The SLA tiers of an instance a contract may request (deprecated ones take no new contracts). */
export function useSlaTiers(orgId: string, envId: string, apiId: number | undefined) {
  return useQuery({
    queryKey: ['sla-tiers', orgId, envId, apiId],
    enabled: apiId !== undefined,
    queryFn: () =>
      call<SlaTierList>(
        api.GET('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/tiers', {
          params: { path: { orgId, envId, apiId: apiId! } },
        }),
      ),
    select: (page) => page.tiers.filter((t) => t.status === 'ACTIVE'),
  });
}

export function useApiKeys(orgId: string, envId: string, apiId: number | undefined) {
  return useQuery({
    queryKey: apiKeysKey(orgId, envId, apiId ?? 0),
    enabled: apiId !== undefined,
    queryFn: () =>
      call<ApiKeyList>(
        api.GET('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/api-keys', {
          params: { path: { orgId, envId, apiId: apiId! } },
        }),
      ),
  });
}

/** Creates an API key; the answer holds the key itself, this once. */
export function useCreateApiKey(orgId: string, envId: string, apiId: number) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; expiresAt?: string }) =>
      call<ApiKey>(
        api.POST('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/api-keys', {
          params: { path: { orgId, envId, apiId } },
          body,
        }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: apiKeysKey(orgId, envId, apiId) }),
  });
}

export function useRevokeApiKey(orgId: string, envId: string, apiId: number) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) =>
      call<void>(
        api.DELETE('/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/api-keys/{keyId}', {
          params: { path: { orgId, envId, apiId, keyId } },
        }),
      ),
    onSettled: () => queries.invalidateQueries({ queryKey: apiKeysKey(orgId, envId, apiId) }),
  });
}
