import { z } from 'zod';

const parameter = z.string().max(4096, 'must be at most 4096 characters').optional();

/** What authorization servers put on the redirect (RFC 6749 §4.1.2, RFC 9207 `iss`, and common extras). */
export const callbackQuery = z.object({
  code: parameter,
  state: parameter,
  error: parameter,
  error_description: parameter,
  error_uri: parameter,
  iss: parameter,
  scope: parameter,
  session_state: parameter,
});
export type CallbackQuery = z.output<typeof callbackQuery>;
