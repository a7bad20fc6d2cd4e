import { z } from 'zod';
import { objectError } from '../common/validation.js';
import { booleanQuery, limitQuery, offsetQuery } from './access-management.dto.js';

export const ENVIRONMENT_TYPES = ['production', 'sandbox', 'design'] as const;

const type = z.enum(ENVIRONMENT_TYPES, { error: 'must be one of production, sandbox, design' });

/**
 * Anypoint's rule is "alpha-numeric and between 2 & 65 characters"; Portico also allows inner
 * spaces, hyphens and underscores ("QA Env", "dev-2"), as the Anypoint UI does.
 */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 _-]{0,63})[A-Za-z0-9]$/;
const NAME_RULE = 'must be alpha-numeric and between 2 & 65 characters';
const name = z
  .string({ error: (iss) => (iss.input === undefined ? `is required and ${NAME_RULE}` : NAME_RULE) })
  .regex(NAME, NAME_RULE);
const isProduction = z.boolean({ error: 'must be true or false' });

/** `organizationId` (anypoint-cli sends it) may only repeat the organization of the path. */
export const createEnvironmentBody = z
  .strictObject({ name, isProduction: isProduction.optional(), type, organizationId: z.string().optional() }, objectError())
  .refine((b) => b.isProduction === undefined || b.isProduction === (b.type === 'production'), {
    path: ['isProduction'],
    message: 'must be true exactly when type is production',
  });
export type CreateEnvironmentBody = z.output<typeof createEnvironmentBody>;

/**
 * PUT behaves like a patch and only `name` changes (contract §2.4). The other fields of an
 * environment may be sent back unchanged; a different value is refused rather than ignored.
 */
export const updateEnvironmentBody = z.strictObject(
  {
    name: name.optional(),
    isProduction: isProduction.optional(),
    type: type.optional(),
    id: z.string().optional(),
    organizationId: z.string().optional(),
    clientId: z.string().optional(),
  },
  objectError(),
);
export type UpdateEnvironmentBody = z.output<typeof updateEnvironmentBody>;

export const listEnvironmentsQuery = z.object({
  /** exact, case-sensitive */
  name: z.string().optional(),
  isProduction: booleanQuery.optional(),
  type: type.optional(),
  /** case-insensitive partial match on the name */
  search: z.string().optional(),
  offset: offsetQuery,
  limit: limitQuery,
});
export type ListEnvironmentsQuery = z.output<typeof listEnvironmentsQuery>;

/** An environment as every route answers it (environment.view.ts). */
const environmentSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  name: z.string(),
  isProduction: z.boolean(),
  type: z.enum(ENVIRONMENT_TYPES),
  clientId: z.string(),
});
export type EnvironmentView = z.output<typeof environmentSchema>;

/** GET …/environments: one page and how many match in all. */
export const environmentPageSchema = z.object({ data: z.array(environmentSchema), total: z.number().int() });
