/** API key error codes → HTTP status. Codes are API: add, never rename. */
export const apiKeyErrors = {
  API_KEY_NOT_FOUND: 404,
} as const;
