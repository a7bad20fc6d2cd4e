import { z } from 'zod';
import { objectError } from '../common/validation.js';
import { scopeList } from './access-management.dto.js';

export const GRANT_TYPES = ['client_credentials', 'password'] as const;

export const createConnectedAppBody = z.strictObject(
  {
    client_name: z
      .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
      .trim()
      .min(1, 'is required')
      .max(255, 'must have at most 255 characters'),
    grant_types: z
      .array(z.enum(GRANT_TYPES, { error: 'must be client_credentials or password' }), {
        error: (iss) => (iss.input === undefined ? 'is required' : 'must be an array of grant types'),
      })
      .min(1, 'must name at least one grant type'),
    /** Bare strings or `{scope, context_params}`; the organization defaults to the caller's. */
    scopes: scopeList.optional(),
    /**
     * Accepted for Anypoint compatibility and not stored: what an app may do follows from its
     * grant_types (client_credentials acts as the app, password acts as the user).
     */
    audience: z.enum(['internal', 'everyone'], { error: 'must be internal or everyone' }).optional(),
  },
  objectError(),
);
export type CreateConnectedAppBody = z.output<typeof createConnectedAppBody>;
