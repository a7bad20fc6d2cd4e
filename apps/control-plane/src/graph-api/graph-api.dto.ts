import { z } from 'zod';

/** Longest query text accepted (the body limit applies as well). */
const MAX_QUERY_CHARS = 20_000;

/**
 * The body of `POST /graph/api/v2/graphql` (GraphQL over HTTP, JSON). `variables.accessToken` is
 * the Exchange Graph API's way to pass the caller's token (anypoint-cli-v4 sends it there, with no
 * Authorization header); other variables are the operation's own.
 */
export const graphRequestBody = z.strictObject({
  query: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'must not be empty')
    .max(MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`),
  operationName: z.string('must be a string').nullable().optional(),
  variables: z.record(z.string(), z.unknown(), 'must be an object').nullable().optional(),
  extensions: z.record(z.string(), z.unknown(), 'must be an object').nullable().optional(),
});
export type GraphRequestBody = z.infer<typeof graphRequestBody>;
