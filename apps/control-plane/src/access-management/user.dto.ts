import { z } from 'zod';
import { objectError } from '../common/validation.js';
import { scopeList } from './access-management.dto.js';

const password = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  .min(8, 'must have at least 8 characters')
  .max(256, 'must have at most 256 characters');
const personName = z.string({ error: 'must be a string' }).max(255, 'must have at most 255 characters');
const email = z
  .string({ error: 'must be a string' })
  .max(254, 'must have at most 254 characters')
  .refine((v) => v === '' || z.email().safeParse(v).success, 'must be an email address');

export const createUserBody = z.strictObject(
  {
    username: z
      .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
      .regex(/^[A-Za-z0-9._@+-]{3,128}$/, 'must be 3 to 128 letters, digits or . _ @ + -'),
    password,
    firstName: personName.optional(),
    lastName: personName.optional(),
    email: email.optional(),
    scopes: scopeList.optional(),
  },
  objectError(),
);
export type CreateUserBody = z.output<typeof createUserBody>;

/**
 * The username cannot change: it, `id` and `organizationId` may only be sent back unchanged (the
 * service checks). Any field not listed is refused by name.
 */
export const updateUserBody = z.strictObject(
  {
    id: z.string().optional(),
    username: z.string().optional(),
    organizationId: z.string().optional(),
    firstName: personName.optional(),
    lastName: personName.optional(),
    email: email.optional(),
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
    password: password.optional(),
  },
  objectError(),
);
export type UpdateUserBody = z.output<typeof updateUserBody>;
