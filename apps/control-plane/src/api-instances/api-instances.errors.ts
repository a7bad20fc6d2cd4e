/** API Manager instance error codes → HTTP status. Codes are API: add, never rename. */
export const apiInstanceErrors = {
  API_NOT_FOUND: 404,
  API_ALREADY_EXISTS: 409,
  API_ASSET_NOT_FOUND: 400,
  API_PROXY_CONFLICT: 409,
  /** the change would rename autodiscoveryInstanceName and `force=true` was not sent (contract §4.4) */
  API_FORCE_REQUIRED: 400,
  /** `api promote` from the environment the instance is already in */
  API_PROMOTION_SAME_ENVIRONMENT: 400,
  /** `api promote` of an instance serving https: its listener TLS context is a secret of its environment */
  API_PROMOTION_NEEDS_TLS_CONTEXT: 409,
  /** a Mule runtime command (download-proxy, classify): Portico has no Mule runtime */
  MULE_RUNTIME_UNAVAILABLE: 400,
  UPSTREAM_NOT_FOUND: 404,
  UPSTREAM_IN_USE: 409,
} as const;
