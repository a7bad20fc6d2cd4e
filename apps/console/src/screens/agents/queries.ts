/**
 * Agents (…/mcpgateway/api/v1/organizations/{orgId}/agents): the organization's agents, the
 * predefined ones Portico ships, and which agents may use an MCP backend (its mapping). Writes
 * invalidate `agentsKey`, which the mappings' keys start with: an agent shows the backends it is
 * mapped to, and a mapping names its agents (deleting an agent changes them).
 */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { Agent, AgentList, AgentMapping, PredefinedAgentList } from '../../api/resources';

export const agentsKey = (orgId: string) => ['agents', orgId];
export const mappingKey = (orgId: string, envId: string, apiId: string) => [...agentsKey(orgId), 'mapping', envId, apiId];

export function useAgents(orgId: string) {
  return useQuery({
    queryKey: agentsKey(orgId),
    queryFn: () => call<AgentList>(api.GET('/mcpgateway/api/v1/organizations/{orgId}/agents', { params: { path: { orgId } } })),
  });
}

export function useAgent(orgId: string, agentId: string) {
  return useQuery({
    queryKey: [...agentsKey(orgId), agentId],
    queryFn: () =>
      call<Agent>(api.GET('/mcpgateway/api/v1/organizations/{orgId}/agents/{agentId}', { params: { path: { orgId, agentId } } })),
  });
}

export function usePredefinedAgents(orgId: string) {
  return useQuery({
    queryKey: ['predefined-agents', orgId],
    queryFn: () =>
      call<PredefinedAgentList>(
        api.GET('/mcpgateway/api/v1/organizations/{orgId}/agents/predefined', { params: { path: { orgId } } }),
      ),
    staleTime: 300_000,
  });
}

export function mappingOf(orgId: string, envId: string, apiId: string) {
  return call<AgentMapping>(
    api.GET('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/backends/{apiId}/agents', {
      params: { path: { orgId, envId, apiId } },
    }),
  );
}

export function useAgentMapping(orgId: string, envId: string, apiId: string) {
  return useQuery({ queryKey: mappingKey(orgId, envId, apiId), queryFn: () => mappingOf(orgId, envId, apiId) });
}
