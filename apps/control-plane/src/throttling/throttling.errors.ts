/** Login / token-endpoint throttling error codes → HTTP status. Codes are API: add, never rename. */
export const throttlingErrors = {
  /** too many failed attempts for the account, from the address, or both; answered with Retry-After */
  LOGIN_THROTTLED: 429,
  /** every slot for checking passwords and client secrets is taken; answered with Retry-After */
  LOGIN_BUSY: 503,
} as const;
