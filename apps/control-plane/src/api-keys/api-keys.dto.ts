import { z } from 'zod';

export const createApiKeyBody = z.strictObject(
  {
    name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    expiresAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2027-01-01T00:00:00Z' })
      .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
      .optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object {name, expiresAt}' : undefined) },
);
export type CreateApiKeyBody = z.output<typeof createApiKeyBody>;
