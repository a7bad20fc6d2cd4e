/** Gateway-managed OAuth error codes → HTTP status. Codes are API: add, never rename. */
export const backendOAuthErrors = {
  OAUTH_CONNECTION_NOT_FOUND: 404,
  /** the backend's authorization server could not be discovered, registered with or reached */
  OAUTH_AUTHORIZATION_SERVER_FAILED: 502,
  /** a connection mode that needs something the instance lacks (an authentication policy) */
  OAUTH_CONNECTION_MODE_UNAVAILABLE: 409,
} as const;
