import { z } from 'zod';
import { booleanQuery } from '../access-management/access-management.dto.js';
import { MAX_INTEGER_ID } from '../common/integer-id.js';
import { isoTime } from '../common/audit.js';
import { objectError } from '../common/validation.js';
import { inventoryTool } from '../mcp-inventory/mcp-inventory.dto.js';
import { CONNECTION_MODES } from './mcp-backend.view.js';

export const listBackendsQuery = z.object({
  enabled: booleanQuery.optional().describe('only the backends switched on (true) or off (false)'),
  offset: z.coerce
    .number('must be a number')
    .int('must be an integer')
    .min(0, 'must be at least 0')
    .max(MAX_INTEGER_ID, 'must be at most 2147483647')
    .default(0),
  limit: z.coerce
    .number('must be a number')
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(100),
});
export type ListBackendsQuery = z.output<typeof listBackendsQuery>;

export const updateBackendBody = z.strictObject(
  {
    enabled: z.boolean({ error: 'must be true or false' }).describe('false: gateways answer 503 BACKEND_DISABLED'),
  },
  objectError('must be an object {enabled}'),
);
export type UpdateBackendBody = z.output<typeof updateBackendBody>;

const httpUrl = z
  .string({ error: 'must be an http:// or https:// URL' })
  .max(2048, 'must be at most 2048 characters')
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http:// or https:// URL');

/**
 * PUT …/backends/{id}/connection: how the gateway authenticates to the backend (seed 003's auth
 * modes). The probe's `proposal` (…/probes) has this shape.
 */
export const backendConnectionBody = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('none') }),
    z.strictObject({ mode: z.literal('oauth-passthrough') }),
    z.strictObject({
      mode: z.literal('api-key'),
      headerName: z.string().min(1).max(256).optional().describe('default Authorization'),
      prefix: z.string().max(64).optional().describe('e.g. Bearer'),
      value: z.string({ error: 'is required' }).min(1, 'is required').max(8192).describe('the key or token, stored encrypted'),
    }),
    z.strictObject({
      mode: z.literal('gateway-oauth'),
      authorizationServer: httpUrl.describe(
        "the issuer of the backend's authorization server (RFC 8414 metadata is read from it)",
      ),
      scopes: z.array(z.string().min(1).max(200)).max(50).default([]),
      clientId: z
        .string()
        .min(1)
        .max(512)
        .optional()
        .describe('a client registered for Portico; default: dynamic registration (RFC 7591)'),
      clientSecret: z.string().min(1).max(4096).optional(),
      resource: httpUrl.optional().describe('RFC 8707 resource; default the upstream URL'),
      signInClientId: z
        .string()
        .min(1)
        .max(512)
        .optional()
        .describe(
          "Portico's client at the OpenID provider users sign in at (the jwt-validation policy's authorizationServers); default: dynamic registration",
        ),
      signInClientSecret: z.string().min(1).max(4096).optional(),
    }),
  ],
  { error: 'must be an object whose mode is none, oauth-passthrough, api-key or gateway-oauth' },
);
export type BackendConnectionBody = z.output<typeof backendConnectionBody>;

/** PUT …/backends/{id}/tools: which tools clients get, under which name and description. */
export const backendToolsBody = z.strictObject(
  {
    tools: z
      .array(
        z.strictObject(
          {
            name: z.string({ error: 'is required' }).min(1, 'is required').max(256).describe('the tool as the server lists it'),
            enabled: z.boolean({ error: 'must be true or false' }).default(true),
            exposedName: z.string().min(1).max(256).optional().describe('the name clients get; default: its own'),
            description: z.string().max(16_384).optional().describe("replaces the server's description"),
          },
          objectError('must be an object {name, enabled, exposedName, description}'),
        ),
        { error: 'must be an array of tools' },
      )
      .max(1000, 'must have at most 1000 entries')
      .refine((tools) => new Set(tools.map((t) => t.name)).size === tools.length, 'must name each tool once'),
  },
  objectError('must be an object {tools}'),
);
export type BackendToolsBody = z.output<typeof backendToolsBody>;

/** An MCP backend (mcp-backend.view.ts backendView). */
export const backendSchema = z.object({
  apiId: z.number().int(),
  name: z.string().describe('the instance label, else the asset id'),
  instanceLabel: z.string().nullable(),
  asset: z.object({ groupId: z.string(), assetId: z.string(), version: z.string() }),
  upstreamUri: z.string().nullable(),
  proxyUri: z.string().nullable(),
  enabled: z.boolean(),
  connection: z.object({ mode: z.enum(CONNECTION_MODES) }),
  deployment: z
    .object({
      id: z.number().int(),
      targetId: z.string(),
      targetName: z.string(),
      expectedStatus: z.enum(['deployed', 'undeployed']),
      status: z.enum(['applying', 'applied', 'failed', 'undeployed']),
      errorMessage: z.string().nullable(),
    })
    .nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export type Backend = z.output<typeof backendSchema>;

export const backendListSchema = z.object({ total: z.number().int(), backends: z.array(backendSchema) });

/** GET and PUT …/backends/{apiId}/tools: the tools as last observed (backend-tools.service.ts). */
export const backendToolListSchema = z.object({
  total: z.number().int(),
  tools: z.array(inventoryTool.omit({ descriptionSha256: true })),
});
export type BackendToolList = z.output<typeof backendToolListSchema>;
