/** What the Protect MCP server wizard offers: gateways, Exchange MCP servers, TLS contexts. */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { ExchangeAsset, GatewayTargetList, SecretGroup, TlsContext } from '../../api/resources';

export const gatewayTargetsKey = (orgId: string, envId: string) => ['gateway-targets', orgId, envId];

export function useGatewayTargets(orgId: string, envId: string) {
  return useQuery({
    queryKey: gatewayTargetsKey(orgId, envId),
    queryFn: () =>
      call<GatewayTargetList>(
        api.GET('/apimanager/xapi/v1/organizations/{orgId}/environments/{envId}/gateway-targets', {
          params: { path: { orgId, envId } },
        }),
      ),
  });
}

export function useMcpAssets(search: string) {
  return useQuery({
    queryKey: ['exchange', 'mcp', search],
    queryFn: () =>
      call<ExchangeAsset[]>(
        api.GET('/exchange/api/v2/assets/search', { params: { query: { types: 'mcp', search: search || undefined } } }),
      ),
    placeholderData: (previous) => previous,
  });
}

/** Every TLS context of the environment's secret groups, as `<secretGroupId>/<tlsContextId>`. */
export function useTlsContexts(orgId: string, envId: string) {
  return useQuery({
    queryKey: ['tls-contexts', orgId, envId],
    queryFn: async () => {
      const groups = await call<SecretGroup[]>(
        api.GET('/secrets-manager/api/v1/organizations/{orgId}/environments/{envId}/secretGroups', {
          params: { path: { orgId, envId } },
        }),
      );
      const perGroup = await Promise.all(
        groups.map(async (group) => {
          const contexts = await call<TlsContext[]>(
            api.GET(
              '/secrets-manager/api/v1/organizations/{orgId}/environments/{envId}/secretGroups/{secretGroupId}/tlsContexts',
              {
                params: { path: { orgId, envId, secretGroupId: group.id } },
              },
            ),
          );
          return contexts.map((c) => ({ value: `${group.id}/${c.id}`, label: `${group.name} / ${c.name}` }));
        }),
      );
      return perGroup.flat();
    },
  });
}
