import { z } from 'zod';
import { STRING_FORMATS } from '#portico/policy-catalog';
import { limitQuery, offsetQuery } from '../access-management/access-management.dto.js';
import { isoTime } from '../common/audit.js';
import { objectError } from '../common/validation.js';
import { parseProxyUri } from '../deployments/proxy-listener.js';

/** Paging as the Access Management lists have it: offset from 0, limit 1 to 500 (default 25). */
const page = { offset: offsetQuery, limit: limitQuery };

export const listLibraryQuery = z.object({
  search: z.string().max(200, 'must be at most 200 characters').optional().describe('text in the name, title or description'),
  ...page,
});
export type ListLibraryQuery = z.output<typeof listLibraryQuery>;

/** Validated by the service against the server.json schema, which names each problem's path. */
export const importLibraryBody = z
  .record(z.string(), z.unknown(), { error: 'must be a server.json object or a registry export { servers: [...] }' })
  .describe('one server.json document, or a registry export { servers: [ { server: {...} } | {...} ], metadata? }');

const id = (what: string) => z.string({ error: `must be the id of ${what}` }).max(64, 'must be at most 64 characters');

const inputValues = (what: string) =>
  z
    .record(
      z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
      z.string({ error: 'must be a string' }).max(8192),
      {
        error: `must be an object of ${what} names to string values`,
      },
    )
    .refine((values) => Object.keys(values).length <= 50, 'must hold at most 50 entries');

const instanceLabel = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters');

/** An http listener: an https one needs a TLS context, which an install does not set. */
const proxyUri = z
  .string({ error: 'must be a string' })
  .max(2048)
  .refine(
    (v) => v.startsWith('http:') && parseProxyUri(v) !== undefined,
    'must be http://<host>:<port>/<base path>, e.g. http://0.0.0.0:8081/github',
  )
  .describe('where the gateway listens; default port 8081 and a free base path named after the server');

const installFields = {
  entryId: id('a library entry'),
  targetId: id('a gateway target of the environment'),
  instanceLabel: instanceLabel.optional().describe('default: the server title, numbered while taken'),
  remote: z
    .number({ error: 'must be an index of the entry’s remotes' })
    .int('must be an integer')
    .min(0, 'must be at least 0')
    .max(19, 'must be at most 19')
    .optional()
    .describe('index in the entry’s remotes; default: its first streamable-http remote'),
  variables: inputValues('variable').optional().describe('values of the remote’s variables, by name'),
  headers: inputValues('header').optional().describe('values of the remote’s headers, by name'),
  proxyUri: proxyUri.optional(),
};

export const installBody = z.strictObject(installFields, objectError('must be an object {entryId, targetId, ...}'));
export type InstallBody = z.output<typeof installBody>;

const reason = z.string({ error: 'is required' }).trim().min(1, 'is required').max(2000, 'must be at most 2000 characters');

export const fileRequestBody = z.strictObject(
  { ...installFields, reason: reason.describe('why the server is needed, for the approver') },
  objectError('must be an object {entryId, targetId, reason, ...}'),
);
export type FileRequestBody = z.output<typeof fileRequestBody>;

export const approveRequestBody = z.strictObject(
  {
    comment: z.string({ error: 'must be a string' }).trim().max(2000, 'must be at most 2000 characters').optional(),
    variables: inputValues('variable').optional().describe('inputs to add or replace, such as secrets the requester left out'),
    headers: inputValues('header').optional(),
  },
  objectError('must be an object {comment?, variables?, headers?}'),
);
export type ApproveRequestBody = z.output<typeof approveRequestBody>;

export const rejectRequestBody = z.strictObject(
  { comment: reason.describe('why, for the requester') },
  objectError('must be an object {comment}'),
);
export type RejectRequestBody = z.output<typeof rejectRequestBody>;

export const REQUEST_STATUSES = ['pending', 'approved', 'rejected'] as const;

export const listRequestsQuery = z.object({
  status: z.enum(REQUEST_STATUSES, { error: `must be one of ${REQUEST_STATUSES.join(', ')}` }).optional(),
  ...page,
});
export type ListRequestsQuery = z.output<typeof listRequestsQuery>;

export const CONNECTION_MODES = ['none', 'api-key', 'oauth-passthrough'] as const;

const headerName = z
  .string({ error: 'must be a string' })
  .max(256, 'must be at most 256 characters')
  .refine(STRING_FORMATS.httpHeaderName.validate, STRING_FORMATS.httpHeaderName.message);
const headerText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .refine(STRING_FORMATS.httpHeaderValue.validate, STRING_FORMATS.httpHeaderValue.message);

/**
 * How the gateway authenticates to a custom MCP: `none`; `api-key` (the gateway sends
 * `headerName: [prefix ]value`, default header Authorization, the value stored encrypted);
 * `oauth-passthrough` (clients' own bearer tokens reach the server unchanged).
 */
const connection = z
  .strictObject(
    {
      mode: z.enum(CONNECTION_MODES, { error: `must be one of ${CONNECTION_MODES.join(', ')}` }),
      headerName: headerName.optional(),
      prefix: headerText(64).optional(),
      value: headerText(8192).pipe(z.string().min(1, 'must not be empty')).optional(),
    },
    objectError('must be an object {mode, headerName?, prefix?, value?}'),
  )
  .superRefine((c, ctx) => {
    if (c.mode === 'api-key' && c.value === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: 'is required for mode api-key: the key or token the gateway sends',
      });
    }
    if (c.mode !== 'api-key') {
      for (const field of ['headerName', 'prefix', 'value'] as const) {
        if (c[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: `is only for mode api-key, not ${c.mode}` });
      }
    }
  });

export const customMcpBody = z.strictObject(
  {
    name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(2048, 'must be at most 2048 characters')
      .describe('the MCP endpoint, e.g. https://mcp.example.com/mcp'),
    targetId: id('a gateway target of the environment'),
    instanceLabel: instanceLabel.optional().describe('default: the name, numbered while taken'),
    proxyUri: proxyUri.optional(),
    connection: connection.optional().describe('default: mode none'),
  },
  objectError('must be an object {name, url, targetId, ...}'),
);
export type CustomMcpBody = z.output<typeof customMcpBody>;

/** An input an install of a library entry asks for (install-inputs.ts describeInputs). */
const installInput = z.object({
  in: z.enum(['variable', 'header']),
  name: z.string(),
  description: z.string().nullable(),
  isRequired: z.boolean().describe('must be given: required (or used by the URL) and without a default'),
  isSecret: z.boolean(),
  default: z.string().nullable(),
  choices: z.array(z.string()).nullable(),
});

/** A library entry (mcp-library.view.ts entryView). */
export const libraryEntrySchema = z.object({
  id: z.string(),
  source: z.enum(['portico', 'organization']).describe('portico: curated, shipped with Portico; organization: its own'),
  name: z.string(),
  version: z.string(),
  title: z.string().nullable(),
  description: z.string(),
  websiteUrl: z.string().nullable(),
  installable: z.boolean().describe('a gateway can front it: it has a streamable-http remote'),
  inputs: z.array(installInput).describe('what an install of its first streamable-http remote asks for'),
  server: z
    .looseObject({ name: z.string(), description: z.string(), version: z.string() })
    .describe("the entry's server.json (the MCP Registry's format)"),
  createdBy: z.string().nullable().describe('the user id or connected app client id that added it; null for curated entries'),
  createdAt: isoTime.nullable(),
});
export type LibraryEntryView = z.output<typeof libraryEntrySchema>;

export const libraryEntryListSchema = z.object({ total: z.number().int(), data: z.array(libraryEntrySchema) });

/** An install request (mcp-library.view.ts requestView); secret inputs are named, never shown. */
export const installRequestSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  environmentId: z.string(),
  entry: z.object({ id: z.string(), name: z.string(), version: z.string() }),
  targetId: z.string(),
  reason: z.string(),
  status: z.enum(REQUEST_STATUSES),
  inputs: z.object({
    instanceLabel: z.string().nullable(),
    proxyUri: z.string().nullable(),
    remote: z.number().int().nullable(),
    variables: z.record(z.string(), z.string()),
    headers: z.record(z.string(), z.string()),
  }),
  secretInputs: z.array(z.string()).describe('secret inputs the request holds (encrypted; never shown)'),
  missingSecrets: z.array(z.string()).describe('secret inputs the approver must give'),
  requestedBy: z.string(),
  requestedByName: z.string(),
  decidedBy: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: isoTime.nullable(),
  comment: z.string().nullable(),
  apiId: z.number().int().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type InstallRequestView = z.output<typeof installRequestSchema>;

export const installRequestListSchema = z.object({ total: z.number().int(), data: z.array(installRequestSchema) });

/** What an install (or a custom MCP creation, or an approved request) made, in one answer. */
export const composedBackendSchema = z.object({
  apiId: z.number().int(),
  instanceLabel: z.string(),
  assetId: z.string(),
  assetVersion: z.string(),
  assetCreated: z.boolean().describe('false when an Exchange asset of an earlier install was reused'),
  deploymentId: z.number().int(),
  policies: z.array(
    z.object({ id: z.number().int(), assetId: z.string(), order: z.number().int(), label: z.string().nullable() }),
  ),
  upstreamUri: z.string().describe('the instance\'s upstream: the remote URL up to its last "/"'),
  remoteUrl: z.string().describe('the remote URL the gateway reaches, variables substituted'),
  proxyUri: z.string(),
  mcpPath: z
    .string()
    .describe(
      "where clients call the server on the gateway's listener: the base path and what followed the upstream in the remote URL",
    ),
});
