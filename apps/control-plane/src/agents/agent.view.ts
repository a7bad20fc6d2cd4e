/**
 * What agents and agent → MCP mappings look like over REST. An agent shows the client
 * applications it is bound to as they are now (an application deleted since is left out of
 * `applications`, its id stays in `applicationIds`), and the backends it is mapped to.
 */
import type { Agent, AgentMapping } from './agents.dto.js';
import type { AgentRecord, MappedBackendRecord } from './agents.repository.js';
import type { PredefinedAgent } from './predefined-agents.js';

export interface ApplicationRef {
  id: number;
  name: string;
  clientId: string;
}

export function agentView(agent: AgentRecord, applications: readonly ApplicationRef[]): Agent {
  const bound = new Set(agent.applicationIds);
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    predefined: agent.predefinedKey,
    clientIds: agent.clientIds,
    clientMetadataUrls: agent.clientMetadataUrls,
    clientInfoNames: agent.clientInfoNames,
    applicationIds: agent.applicationIds,
    applications: applications.filter((a) => bound.has(a.id)).map((a) => ({ id: a.id, name: a.name, clientId: a.clientId })),
    backends: agent.backends.map((b) => ({
      apiId: b.apiId,
      environmentId: b.api.environmentId,
      name: b.api.instanceLabel ?? b.api.assetId,
      tools: b.tools,
    })),
    createdAt: agent.createdAt.toISOString(),
    updatedAt: agent.updatedAt.toISOString(),
  };
}

export type AgentView = ReturnType<typeof agentView>;

export function predefinedView(agent: PredefinedAgent): PredefinedAgent {
  return {
    key: agent.key,
    name: agent.name,
    description: agent.description,
    website: agent.website,
    clientInfoNames: agent.clientInfoNames,
    clientMetadataUrls: agent.clientMetadataUrls,
  };
}

/** A backend's agent mapping: whether it restricts agents, and the agents mapped to it with their tools. */
export function mappingView(backend: MappedBackendRecord): AgentMapping {
  return {
    apiId: backend.id,
    name: backend.instanceLabel ?? backend.assetId,
    restricted: backend.agentsRestricted,
    agents: backend.agents.map((m) => ({ agentId: m.agentId, name: m.agent.name, tools: m.tools })),
  };
}

export type MappingView = ReturnType<typeof mappingView>;
