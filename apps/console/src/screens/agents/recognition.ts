/** How the gateway recognises an agent, in words: by client id, metadata URL, application or clientInfo name. */
import type { Agent } from '../../api/resources';

export function recognition(agent: Agent): string {
  return [
    agent.clientIds.length > 0 && `client ids ${agent.clientIds.join(', ')}`,
    agent.applications.length > 0 && `applications ${agent.applications.map((a) => a.name).join(', ')}`,
    agent.clientMetadataUrls.length > 0 && `metadata URLs ${agent.clientMetadataUrls.join(', ')}`,
    agent.clientInfoNames.length > 0 && `clientInfo names ${agent.clientInfoNames.join(', ')}`,
  ]
    .filter(Boolean)
    .join('; ');
}
