import { z } from 'zod';

/**
 * Account names are bounded (the login throttle keeps them as keys, throttling/login-throttle.ts);
 * usernames the API creates have at most 128 characters, client ids 32.
 */
const accountName = z.string().min(1, 'is required').max(256, 'must have at most 256 characters');
const secret = z.string().min(1, 'is required');

export const loginBody = z.object({
  username: accountName,
  password: secret,
});

/** OAuth2 token request (JSON or form): client_credentials for connected apps, or password. */
export const tokenBody = z.discriminatedUnion(
  'grant_type',
  [
    z.object({
      grant_type: z.literal('client_credentials'),
      client_id: accountName,
      client_secret: secret,
    }),
    z.object({
      grant_type: z.literal('password'),
      client_id: accountName,
      client_secret: secret,
      username: accountName,
      password: secret,
    }),
  ],
  { error: 'must be client_credentials or password' },
);

export type TokenBody = z.infer<typeof tokenBody>;
