/**
 * Which `endpoint.type` values the list filters select. `family` (api/v1 list, contract §4.2.a):
 * "Use agentic to list MCP server instances" — agentic = MCP servers and agents, llm = LLM
 * proxies, api = everything else. `endpointType` (xapi list, §4.2.b) selects one type, or agentic.
 */
export type Family = 'api' | 'agentic' | 'llm';
export type EndpointTypeFilterName = 'llm' | 'agentic' | 'mcp' | 'rest' | 'http';

/** `in`: the type is one of these; `notIn`: it is none of these, or not set. */
export type EndpointTypeFilter = { in: string[] } | { notIn: string[] };

const AGENTIC = ['mcp', 'agent'];
const LLM = ['llm'];

export function familyFilter(family: Family): EndpointTypeFilter {
  if (family === 'agentic') return { in: AGENTIC };
  if (family === 'llm') return { in: LLM };
  return { notIn: [...AGENTIC, ...LLM] };
}

export function endpointTypeFilter(name: EndpointTypeFilterName): EndpointTypeFilter {
  return name === 'agentic' ? { in: AGENTIC } : { in: [name] };
}
