import { z } from 'zod';
import { auditSchema } from '../common/audit.js';
import { int32 } from '../common/integer-id.js';
import { legacyId, objectError } from '../common/validation.js';

const positiveInteger = int32('must be an integer from 1 to 2147483647');

/** One quota of a tier; `visible` only says whether Exchange shows it (every limit is enforced). */
export const tierLimit = z.strictObject(
  {
    maximumRequests: positiveInteger,
    timePeriodInMilliseconds: positiveInteger,
    visible: z.boolean({ error: 'must be a boolean' }).default(true),
  },
  objectError('must be an object {maximumRequests, timePeriodInMilliseconds, visible}'),
);

/**
 * POST and PUT …/apis/{id}/tiers (contract §7.4). PUT replaces the tier: a field left out takes
 * its default, as on creation. `anypoint-cli-v4 tier copy` sends back a tier as GET shows it, so
 * the read-only fields of that view are accepted and ignored (the route decides them);
 * `apiVersionId`, which `tier add` and `tier copy` set, must name the route's API instance.
 */
export const tierBody = z.strictObject(
  {
    apiVersionId: legacyId,
    id: legacyId,
    apiId: legacyId,
    audit: z.unknown().optional(),
    masterOrganizationId: z.string({ error: 'must be a string' }).nullish(),
    organizationId: z.string({ error: 'must be a string' }).nullish(),
    applicationCount: z.number({ error: 'must be a number' }).nullish(),
    name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(255, 'must be at most 255 characters'),
    description: z.string({ error: 'must be a string' }).max(2000, 'must be at most 2000 characters').nullish(),
    limits: z
      .array(tierLimit, { error: 'is required: a list of {maximumRequests, timePeriodInMilliseconds, visible}' })
      .min(1, 'must hold at least one limit')
      .max(20, 'must hold at most 20 limits'),
    status: z.enum(['ACTIVE', 'DEPRECATED'], { error: 'must be ACTIVE or DEPRECATED' }).default('ACTIVE'),
    autoApprove: z.boolean({ error: 'must be a boolean' }).default(false),
  },
  objectError('must be an object {name, description, limits, status, autoApprove}'),
);

/** GET …/apis/{id}/tiers: anypoint-cli lists with `limit, offset, sort, query, ascending`. */
export const listTiersQuery = z.object({
  query: z.string().max(255).optional().describe('case-insensitive part of the tier name'),
  sort: z.enum(['id', 'name', 'status', 'createdDate', 'updatedDate']).default('id'),
  ascending: z.stringbool().default(true),
  offset: z.coerce.number().int().min(0).default(0).describe('tiers to skip'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('tiers to return'),
});

export type TierLimit = z.output<typeof tierLimit>;
export type TierBody = z.output<typeof tierBody>;
export type ListTiersQuery = z.output<typeof listTiersQuery>;

/** A tier as a contract shows it (sla-tier.view.ts tierSummary, contract §7.2). */
export const tierSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  limits: z.array(tierLimit),
  status: z.enum(['ACTIVE', 'DEPRECATED']),
  autoApprove: z.boolean(),
});
export type TierSummary = z.output<typeof tierSummarySchema>;

/** An SLA tier (sla-tier.view.ts tierView); `applicationCount` counts the approved contracts on it. */
const tierSchema = tierSummarySchema.extend({
  audit: auditSchema,
  masterOrganizationId: z.string(),
  organizationId: z.string(),
  apiId: z.number().int(),
  applicationCount: z.number().int(),
});
export type Tier = z.output<typeof tierSchema>;

export const tierListSchema = z.object({ total: z.number().int(), tiers: z.array(tierSchema) });
