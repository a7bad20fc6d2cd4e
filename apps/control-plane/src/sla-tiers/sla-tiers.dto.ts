import { z } from 'zod';
import { int32 } from '../common/integer-id.js';
import { objectError } from '../common/validation.js';

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
 * its default, as on creation.
 */
export const tierBody = z.strictObject(
  {
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

/** GET …/apis/{id}/tiers: by id. */
export const listTiersQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0).describe('tiers to skip'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('tiers to return'),
});

export type TierLimit = z.output<typeof tierLimit>;
export type TierBody = z.output<typeof tierBody>;
export type ListTiersQuery = z.output<typeof listTiersQuery>;
