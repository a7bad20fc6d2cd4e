import { z } from 'zod';
import { isoTime } from '../common/audit.js';

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

/** An API key of an instance (api-keys.service.ts keyView); the secret only in the answer that created it. */
const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('the first characters of the key, to recognise it by'),
  status: z.enum(['active', 'revoked', 'expired']),
  createdBy: z.string(),
  createdAt: isoTime,
  expiresAt: isoTime.nullable(),
  lastUsedAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
});
export type ApiKey = z.output<typeof apiKeySchema>;

/** POST …/api-keys: the key with its secret, shown this once. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });

export const apiKeyListSchema = z.object({ total: z.number().int(), apiKeys: z.array(apiKeySchema) });
