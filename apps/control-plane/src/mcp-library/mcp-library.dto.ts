import { z } from 'zod';
import { STRING_FORMATS } from '#portico/policy-catalog';
import { limitQuery, offsetQuery } from '../access-management/access-management.dto.js';
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
