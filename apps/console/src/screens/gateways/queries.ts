/**
 * What the Gateways screens read and do: a gateway's replicas (each with its version, connection
 * and configuration sync state), and minting the one-time registration token for a new gateway.
 * The environment's targets come from useGatewayTargets (apis/mcp-wizard-queries), what is deployed
 * on them from useApiInstances and useDeploymentStatus (apis/queries); useLive keeps all of them
 * fresh while a Gateways screen is open.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, call } from '../../api/client';
import type { GatewayReplicaPage, RegistrationToken } from '../../api/resources';
import { gatewayTargetsKey } from '../apis/mcp-wizard-queries';
import { apisKey } from '../apis/queries';

/** How often an open Gateways screen asks again: replicas connect, heartbeat and apply changes. */
const LIVE_MS = 3_000;

/** Reads the environment's targets, replicas, instances and deployment states again every LIVE_MS. */
export function useLive(orgId: string, envId: string) {
  const queries = useQueryClient();
  useEffect(() => {
    const timer = setInterval(() => {
      void queries.invalidateQueries({ queryKey: gatewayTargetsKey(orgId, envId) });
      void queries.invalidateQueries({ queryKey: apisKey(orgId, envId) });
    }, LIVE_MS);
    return () => clearInterval(timer);
  }, [queries, orgId, envId]);
}

/** The standalone API answers at most 100 replicas a page. */
const REPLICA_PAGE = 100;

export function useReplicas(orgId: string, envId: string, gatewayId: string) {
  return useQuery({
    queryKey: [...gatewayTargetsKey(orgId, envId), gatewayId, 'replicas'],
    queryFn: () =>
      call<GatewayReplicaPage>(
        api.GET('/standalone/api/v1/organizations/{orgId}/environments/{envId}/gateways/{gatewayId}/replicas', {
          params: { path: { orgId, envId, gatewayId }, query: { pageSize: REPLICA_PAGE } },
        }),
      ),
  });
}

/** A one-time registration token for the environment (shown once: it cannot be read back). */
export function useMintRegistrationToken(orgId: string, envId: string) {
  return useMutation({
    mutationFn: () =>
      call<RegistrationToken>(
        api.POST('/standalone/api/v1/organizations/{orgId}/environments/{envId}/gatewaytokens', {
          params: { path: { orgId, envId } },
        }),
      ),
  });
}
