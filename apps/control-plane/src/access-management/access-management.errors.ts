/** Access Management error codes → HTTP status. Codes are API: add, never rename. */
export const accessManagementErrors = {
  INVALID_CREDENTIALS: 401,
  INVALID_CLIENT: 401,
  USER_DISABLED: 403,
  UNSUPPORTED_GRANT_TYPE: 400,
  ORGANIZATION_NOT_FOUND: 404,
  ORGANIZATION_ALREADY_EXISTS: 409,
  ORGANIZATION_NOT_EMPTY: 409,
  /** the root organization cannot be deleted */
  ORGANIZATION_IS_ROOT: 409,
  ENVIRONMENT_NOT_FOUND: 404,
  ENVIRONMENT_ALREADY_EXISTS: 409,
  ENVIRONMENT_IN_USE: 409,
  USER_NOT_FOUND: 404,
  USER_ALREADY_EXISTS: 409,
  /** a user may not delete or disable themselves (it could lock the last administrator out) */
  USER_IS_CALLER: 409,
  CONNECTED_APP_NOT_FOUND: 404,
  SCOPE_UNKNOWN: 400,
} as const;
