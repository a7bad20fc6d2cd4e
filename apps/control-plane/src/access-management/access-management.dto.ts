/**
 * Schemas shared by the Access Management routes: paging and boolean query parameters (query
 * strings arrive as strings, so they are coerced explicitly) and scope grants.
 */
import { z } from 'zod';
import { isoTime } from '../common/audit.js';
import { objectError } from '../common/validation.js';

/** `true` / `false` only; anything else names the parameter. */
export const booleanQuery = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

export const offsetQuery = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a non-negative integer')
  .transform(Number)
  .default(0);

export const limitQuery = z
  .string()
  .regex(/^\d{1,9}$/, 'must be an integer between 1 and 500')
  .transform(Number)
  .pipe(z.number().min(1, 'must be an integer between 1 and 500').max(500, 'must be an integer between 1 and 500'))
  .default(25);

export const pageQuery = z.object({ offset: offsetQuery, limit: limitQuery });
export type PageQuery = z.output<typeof pageQuery>;

const contextParams = z.strictObject(
  {
    org: z.string({ error: 'must be an organization id' }).min(1, 'must be an organization id').optional(),
    envId: z.string({ error: 'must be an environment id' }).min(1, 'must be an environment id').optional(),
  },
  objectError('must be an object {org, envId?}'),
);

/**
 * One permission: `{scope, context_params:{org, envId?}}`, or a bare scope string (in the default
 * organization). `scope` may be the scope string or its UI name ("Manage Policies"); the service
 * resolves it, so an unknown one is SCOPE_UNKNOWN rather than a validation error.
 */
export const scopeItem = z.preprocess(
  (value) => (typeof value === 'string' ? { scope: value } : value),
  z.strictObject(
    {
      scope: z.string({ error: 'is required' }).min(1, 'is required'),
      context_params: contextParams.optional(),
    },
    objectError('must be a scope string or {scope, context_params}'),
  ),
);
export type ScopeItem = z.output<typeof scopeItem>;

export const scopeList = z.array(scopeItem, { error: 'must be an array of scopes' }).max(200, 'must have at most 200 entries');

export const scopesBody = z.strictObject({ scopes: scopeList }, objectError('must be an object {scopes: [...]}'));
export type ScopesBody = z.output<typeof scopesBody>;

/** A user as Access Management answers it (user.view.ts). */
const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  enabled: z.boolean(),
  deleted: z.literal(false),
  idprovider_id: z.literal('portico'),
  type: z.literal('host'),
  organizationId: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type UserView = z.output<typeof userSchema>;

/** An organization as Access Management answers it (organization.view.ts). */
const organizationSchema = z.object({
  id: z.string(),
  name: z.string(),
  domain: z.string().nullable(),
  clientId: z.string(),
  parentId: z.string().nullable(),
  parentOrganizationIds: z.array(z.string()).describe('every ancestor, root first'),
  subOrganizationIds: z.array(z.string()),
  tenantOrganizationIds: z.array(z.string()),
  isRoot: z.boolean(),
  isMaster: z.boolean(),
  createdAt: isoTime,
  updatedAt: isoTime,
  entitlements: z.object({ apis: z.object({ enabled: z.boolean() }), gateways: z.object({ assigned: z.number().int() }) }),
});
export type OrganizationView = z.output<typeof organizationSchema>;

/** A permission grant as Access Management answers it (grant.view.ts): `envId` only for a grant in one environment. */
const grantSchema = z.object({
  scope: z.string(),
  context_params: z.object({ org: z.string(), envId: z.string().optional() }),
});
export type GrantView = z.output<typeof grantSchema>;

/** An organization the principal may see (`memberOfOrganizations`), root first. */
const memberOrganization = z.object({
  id: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  isRoot: z.boolean(),
  isMaster: z.boolean(),
  clientId: z.string(),
});

/** GET /accounts/api/me: `user` for a user's token, `client` for a connected app's (me.service.ts). */
export const meSchema = z.union([
  z.object({
    user: userSchema.extend({
      organization: organizationSchema,
      memberOfOrganizations: z.array(memberOrganization),
      contributorOfOrganizations: z.array(memberOrganization),
      properties: z.object({}),
      permissions: z.array(grantSchema),
    }),
  }),
  z.object({
    client: z.object({
      client_id: z.string(),
      name: z.string(),
      org_id: z.string(),
      redirect_uris: z.array(z.string()),
      grant_types: z.array(z.string()),
      scopes: z.array(z.string()),
    }),
  }),
]);
export type MeView = z.output<typeof meSchema>;
