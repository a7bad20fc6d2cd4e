import type { AgentMapping } from '../../api/resources';

/** Who may use an MCP server, in one line: any agent, or only the mapped ones (with their tools). */
export function AccessSummary({ mapping }: { mapping: AgentMapping }) {
  if (!mapping.restricted) return <>Any agent{mapping.agents.length > 0 && ` (${mapping.agents.length} mapped)`}</>;
  if (mapping.agents.length === 0) return <>No agent: none is mapped</>;
  return <>Only {mapping.agents.map((a) => (a.tools.length > 0 ? `${a.name} (${a.tools.join(', ')})` : a.name)).join(', ')}</>;
}
