/** SLA tier error codes → HTTP status. Codes are API: add, never rename. */
export const slaTierErrors = {
  SLA_TIER_NOT_FOUND: 404,
  SLA_TIER_ALREADY_EXISTS: 409,
  /** contracts run under the tier (revoke and delete them, or move them, first) */
  SLA_TIER_IN_USE: 409,
  /** a deprecated tier takes no new contracts */
  SLA_TIER_DEPRECATED: 400,
  /** a body's apiVersionId names another API instance than the route */
  SLA_TIER_API_MISMATCH: 400,
} as const;
