import { z } from 'zod';
import { int32 } from '../common/integer-id.js';
import { objectError } from '../common/validation.js';
import { isoTime } from '../common/audit.js';
import { PREDEFINED_KEYS, predefinedAgent } from './predefined-agents.js';

const LIST_LIMIT = 100;

/** A list of distinct values (duplicates dropped, order kept). */
function distinct<T extends z.ZodType>(item: T, what: string) {
  return z
    .array(item, { error: `must be an array of ${what}` })
    .max(LIST_LIMIT, `must hold at most ${LIST_LIMIT} ${what}`)
    .transform((values) => [...new Set(values as z.output<T>[])]);
}

const clientIds = distinct(
  z.string({ error: 'must be client ids' }).trim().min(1, 'must not be empty').max(512, 'must be at most 512 characters'),
  'client ids',
).describe("OAuth client ids, matched against the client id an authentication policy establishes (a token's client_id)");

const clientMetadataUrls = distinct(
  z
    .string({ error: 'must be https:// URLs' })
    .max(2048, 'must be at most 2048 characters')
    .refine((v) => URL.canParse(v) && new URL(v).protocol === 'https:', 'must be an https:// URL'),
  'URLs',
).describe('OAuth Client ID Metadata Document URLs: a CIMD client uses its URL as its client id');

const clientInfoNames = distinct(
  z.string({ error: 'must be names' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  'names',
).describe('clientInfo.name values the client sends at initialize (case-insensitive; self-asserted, see the README)');

const applicationIds = distinct(int32('must be client application ids'), 'ids').describe(
  'client applications (Exchange) of the organization: their client ids recognise the agent too',
);

const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');
const description = z.string({ error: 'must be a string or null' }).max(2000, 'must be at most 2000 characters').nullable();

/**
 * POST …/agents: a custom agent (`name` and at least one recognition rule), or one of the shipped
 * agents (`predefined`, its recognition rules joined by any given here; `name` defaults to its own).
 */
export const createAgentBody = z
  .strictObject(
    {
      predefined: z
        .enum(PREDEFINED_KEYS, { error: `must be one of the predefined agents: ${PREDEFINED_KEYS.join(', ')}` })
        .optional()
        .describe('key of a shipped agent (GET …/agents/predefined)'),
      name: name.optional().describe('unique in the organization; default for a predefined agent: its name'),
      description: description.optional(),
      clientIds: clientIds.optional(),
      clientMetadataUrls: clientMetadataUrls.optional(),
      clientInfoNames: clientInfoNames.optional(),
      applicationIds: applicationIds.optional(),
    },
    objectError('must be an object {name, clientIds, clientMetadataUrls, clientInfoNames, applicationIds} or {predefined}'),
  )
  .superRefine((body, ctx) => {
    if (body.predefined !== undefined) return;
    if (body.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required (or give predefined)' });
    if (!hasRecognitionRule(body)) ctx.addIssue({ code: 'custom', path: [], message: NO_RULE });
  });
export type CreateAgentBody = z.output<typeof createAgentBody>;

/** PATCH …/agents/{id}: the fields given replace the agent's. */
export const updateAgentBody = z.strictObject(
  {
    name: name.optional(),
    description: description.optional(),
    clientIds: clientIds.optional(),
    clientMetadataUrls: clientMetadataUrls.optional(),
    clientInfoNames: clientInfoNames.optional(),
    applicationIds: applicationIds.optional(),
  },
  objectError('must be an object {name, description, clientIds, clientMetadataUrls, clientInfoNames, applicationIds}'),
);
export type UpdateAgentBody = z.output<typeof updateAgentBody>;

/** What recognises an agent. */
export interface RecognitionRules {
  clientIds?: readonly string[];
  clientMetadataUrls?: readonly string[];
  clientInfoNames?: readonly string[];
  applicationIds?: readonly number[];
}

export const NO_RULE = 'needs at least one of clientIds, clientMetadataUrls, clientInfoNames or applicationIds';

export function hasRecognitionRule(rules: RecognitionRules): boolean {
  return (
    (rules.clientIds?.length ?? 0) +
      (rules.clientMetadataUrls?.length ?? 0) +
      (rules.clientInfoNames?.length ?? 0) +
      (rules.applicationIds?.length ?? 0) >
    0
  );
}

const tool = z.string({ error: 'must be tool names' }).min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/**
 * PUT …/backends/{apiId}/agents: the backend's whole agent mapping, replacing the one it has.
 * `restricted`: only the agents listed may use it.
 */
export const putAgentMappingBody = z
  .strictObject(
    {
      restricted: z.boolean({ error: 'must be true or false' }).describe('true: only the agents listed may use the backend'),
      agents: z
        .array(
          z.strictObject(
            {
              agentId: z.string({ error: 'must be an agent id' }).max(64, 'must be an agent id'),
              tools: z
                .array(tool, { error: 'must be an array of tool names' })
                .max(500, 'must hold at most 500 tools')
                .transform((tools) => [...new Set(tools)])
                .default([])
                .describe('the only tools this agent may list and call here; empty or absent: every tool'),
            },
            objectError('must be an object {agentId, tools}'),
          ),
          { error: 'must be an array of {agentId, tools}' },
        )
        .max(500, 'must hold at most 500 agents'),
    },
    objectError('must be an object {restricted, agents}'),
  )
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.agents.forEach((a, i) => {
      if (seen.has(a.agentId.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path: ['agents', i, 'agentId'], message: `names agent ${a.agentId} twice` });
      }
      seen.add(a.agentId.toLowerCase());
    });
  });
export type PutAgentMappingBody = z.output<typeof putAgentMappingBody>;

/** An agent as the routes answer it (agent.view.ts). */
export const agentSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  predefined: z.string().nullable().describe('the key of the predefined agent it was made from'),
  clientIds: z.array(z.string()),
  clientMetadataUrls: z.array(z.string()),
  clientInfoNames: z.array(z.string()),
  applicationIds: z.array(z.number().int()),
  applications: z
    .array(z.object({ id: z.number().int(), name: z.string(), clientId: z.string() }))
    .describe('the bound client applications that still exist'),
  backends: z.array(
    z.object({ apiId: z.number().int(), environmentId: z.string(), name: z.string(), tools: z.array(z.string()) }),
  ),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type Agent = z.output<typeof agentSchema>;

export const agentListSchema = z.object({ total: z.number().int(), agents: z.array(agentSchema) });

export const predefinedAgentListSchema = z.object({ total: z.number().int(), agents: z.array(predefinedAgent) });

/** A backend's agent mapping (agent.view.ts mappingView). */
export const agentMappingSchema = z.object({
  apiId: z.number().int(),
  name: z.string(),
  restricted: z.boolean(),
  agents: z.array(z.object({ agentId: z.string(), name: z.string(), tools: z.array(z.string()) })),
});
export type AgentMapping = z.output<typeof agentMappingSchema>;
