import { z } from 'zod';
import { objectError } from '../common/validation.js';

const name = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, 'is required')
  .max(255, 'must have at most 255 characters');

/** A business group; root organizations cannot be created through the API. */
export const createOrganizationBody = z.strictObject(
  {
    name,
    parentOrganizationId: z.string({
      error: (iss) =>
        iss.input === undefined
          ? 'is required (root organizations cannot be created through the API)'
          : 'must be an organization id',
    }),
    ownerId: z.string({ error: 'must be a user id' }).nullish(),
    /** Accepted for Anypoint compatibility and ignored: Portico has no entitlement limits. */
    entitlements: z.record(z.string(), z.unknown(), { error: 'must be an object' }).nullish(),
  },
  objectError(),
);
export type CreateOrganizationBody = z.output<typeof createOrganizationBody>;

/**
 * Only the name can change. `id` and `parentOrganizationId` may only be sent back unchanged (the
 * service checks: business groups do not move); any other field is refused by name.
 */
export const updateOrganizationBody = z.strictObject(
  { name, id: z.string().optional(), parentOrganizationId: z.string().nullish() },
  objectError(),
);
export type UpdateOrganizationBody = z.output<typeof updateOrganizationBody>;
