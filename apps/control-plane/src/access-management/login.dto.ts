import { z } from 'zod';

export const loginBody = z.object({
  username: z.string().min(1, 'is required'),
  password: z.string().min(1, 'is required'),
});

/** OAuth2 token request (JSON or form): client_credentials for connected apps, or password. */
export const tokenBody = z.discriminatedUnion(
  'grant_type',
  [
    z.object({
      grant_type: z.literal('client_credentials'),
      client_id: z.string().min(1, 'is required'),
      client_secret: z.string().min(1, 'is required'),
    }),
    z.object({
      grant_type: z.literal('password'),
      client_id: z.string().min(1, 'is required'),
      client_secret: z.string().min(1, 'is required'),
      username: z.string().min(1, 'is required'),
      password: z.string().min(1, 'is required'),
    }),
  ],
  { error: 'must be client_credentials or password' },
);

export type TokenBody = z.infer<typeof tokenBody>;
