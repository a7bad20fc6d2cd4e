/** Gateway target error codes → HTTP status. Codes are API: add, never rename. */
export const gatewayTargetErrors = {
  TARGET_NOT_FOUND: 404,
  TARGET_ALREADY_EXISTS: 409,
  TARGET_ALREADY_DELETED: 400,
  TARGET_IN_USE: 409,
  /** standalone API paging: `Wrong page size` (contract §9.5) */
  TARGET_PAGE_SIZE_INVALID: 400,
  /** The target's gateways do not implement a policy type an API deployed to it would need. */
  POLICY_NOT_ENFORCEABLE: 409,
  /** Gateway Manager's create: Portico runs no managed gateways, only self-managed ones */
  MANAGED_GATEWAY_UNAVAILABLE: 400,
} as const;
