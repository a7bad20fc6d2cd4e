/** Exchange error codes → HTTP status. Codes are API: add, never rename. */
export const exchangeErrors = {
  ASSET_NOT_FOUND: 404,
  /** Exchange's own name for a taken group/asset/version triple (kept even after delete). */
  ASSET_PRE_CONDITIONS_FAILED: 409,
  ASSET_IN_USE: 409,
  /** The built-in policy catalog cannot be changed through Exchange. */
  ASSET_READ_ONLY: 403,
  ASSET_FILE_NOT_FOUND: 404,
  PUBLICATION_NOT_FOUND: 404,
} as const;
