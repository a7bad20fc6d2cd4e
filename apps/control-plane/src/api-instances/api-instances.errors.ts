/** API Manager instance error codes → HTTP status. Codes are API: add, never rename. */
export const apiInstanceErrors = {
  API_NOT_FOUND: 404,
  API_ALREADY_EXISTS: 409,
  API_ASSET_NOT_FOUND: 400,
  API_PROXY_CONFLICT: 409,
  /** the change would rename autodiscoveryInstanceName and `force=true` was not sent (contract §4.4) */
  API_FORCE_REQUIRED: 400,
  UPSTREAM_NOT_FOUND: 404,
  UPSTREAM_IN_USE: 409,
} as const;
