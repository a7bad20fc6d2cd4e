/** Gateway registration and certificate error codes → HTTP status. Codes are API: add, never rename. */
export const gatewayRegistrationErrors = {
  /** no registration token with that value exists */
  REGISTRATION_TOKEN_INVALID: 401,
  REGISTRATION_TOKEN_EXPIRED: 401,
  /** tokens are one-shot: a second registration needs a new token */
  REGISTRATION_TOKEN_USED: 401,
  /** the name belongs to a registered or deleted gateway of the environment (names are never reused) */
  REGISTRATION_NAME_IN_USE: 409,
  GATEWAY_CERTIFICATE_NOT_FOUND: 404,
  GATEWAY_CERTIFICATE_ALREADY_REVOKED: 400,
} as const;
