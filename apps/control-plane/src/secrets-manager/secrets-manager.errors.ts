/** Secrets Manager error codes → HTTP status. Codes are API: add, never rename. */
export const secretsManagerErrors = {
  SECRET_GROUP_NOT_FOUND: 404,
  SECRET_GROUP_ALREADY_EXISTS: 409,
  /** the group still holds TLS contexts */
  SECRET_GROUP_IN_USE: 409,
  TLS_CONTEXT_NOT_FOUND: 404,
  TLS_CONTEXT_ALREADY_EXISTS: 409,
  /** an API instance upstream still references the context */
  TLS_CONTEXT_IN_USE: 409,
} as const;
