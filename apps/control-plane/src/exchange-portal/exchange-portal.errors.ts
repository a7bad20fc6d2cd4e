/** Exchange portal (asset documentation) error codes → HTTP status. Codes are API: add, never rename. */
export const exchangePortalErrors = {
  PORTAL_PAGE_NOT_FOUND: 404,
  /** a page of that name is already in the draft (create, or the target of a rename) */
  PORTAL_PAGE_ALREADY_EXISTS: 409,
  PORTAL_RESOURCE_NOT_FOUND: 404,
} as const;
