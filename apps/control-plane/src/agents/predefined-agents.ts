/**
 * The agents Portico ships (seed 003's "predefined agents"): predefined-agents.json, well-known MCP
 * clients with how each identifies itself — the `clientInfo.name` it sends at `initialize` and,
 * where it has one, its OAuth Client ID Metadata Document URL (a CIMD client's client id). An
 * organization creates an agent from one (`{ predefined: key }`) and may bind it to its own client
 * applications. Read once when the module loads and validated; an invalid file fails the start.
 * The JSON is imported (not read from disk) so the compiler copies it next to the compiled module.
 */
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import shipped from './predefined-agents.json' with { type: 'json' };

/** One shipped agent, as the file holds it and GET …/agents/predefined answers it. */
export const predefinedAgent = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes'),
  name: z.string().min(1).max(200),
  description: z.string().min(1).max(1000),
  website: z.url({ protocol: /^https$/ }),
  clientInfoNames: z.array(z.string().min(1).max(200)),
  clientMetadataUrls: z.array(z.url({ protocol: /^https$/ })),
});

/** One shipped agent, as GET …/agents/predefined answers it. */
export type PredefinedAgent = z.output<typeof predefinedAgent>;

/** The agents of `document`; throws naming every problem when it is not a valid list. */
export function loadPredefinedAgents(document: unknown): readonly PredefinedAgent[] {
  const parsed = z.strictObject({ agents: z.array(predefinedAgent).min(1) }).safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '/'}: ${i.message}`);
    throw new Error(`predefined-agents.json is not a valid agent list: ${issues.join('; ')}`);
  }
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const claim = (what: string, value: string, key: string) => {
    const owner = seen.get(`${what}\n${value}`);
    if (owner !== undefined) problems.push(`${key}: ${what} ${JSON.stringify(value)} is ${owner}'s too`);
    seen.set(`${what}\n${value}`, key);
  };
  for (const agent of parsed.data.agents) {
    claim('key', agent.key, agent.key);
    claim('name', agent.name.toLowerCase(), agent.key);
    for (const name of agent.clientInfoNames) claim('clientInfo name', name.toLowerCase(), agent.key);
    for (const url of agent.clientMetadataUrls) claim('client metadata URL', url, agent.key);
    if (agent.clientInfoNames.length + agent.clientMetadataUrls.length === 0) {
      problems.push(`${agent.key}: needs a clientInfo name or a client metadata URL`);
    }
  }
  if (problems.length > 0) throw new Error(`predefined-agents.json is not a valid agent list: ${problems.join('; ')}`);
  return Object.freeze(parsed.data.agents.map((a) => Object.freeze(a)));
}

/** The shipped agents, in the file's order. */
export const PREDEFINED_AGENTS: readonly PredefinedAgent[] = loadPredefinedAgents(shipped);

/** The keys `{ predefined }` accepts. */
export const PREDEFINED_KEYS = PREDEFINED_AGENTS.map((a) => a.key) as [string, ...string[]];

@Injectable()
export class PredefinedAgents {
  readonly all: readonly PredefinedAgent[] = PREDEFINED_AGENTS;

  find(key: string): PredefinedAgent | undefined {
    return this.all.find((a) => a.key === key);
  }
}
