/** Client application and contract error codes → HTTP status. Codes are API: add, never rename. */
export const clientApplicationErrors = {
  APPLICATION_NOT_FOUND: 404,
  APPLICATION_ALREADY_EXISTS: 409,
  APPLICATION_TARGET_NOT_ALLOWED: 400,
  CONTRACT_NOT_FOUND: 404,
  CONTRACT_ALREADY_EXISTS: 409,
  CONTRACT_ACTIVE: 400,
  /** the API has active SLA tiers and the request names none */
  CONTRACT_TIER_REQUIRED: 400,
} as const;
