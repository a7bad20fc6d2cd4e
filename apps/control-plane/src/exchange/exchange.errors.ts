/** Exchange error codes → HTTP status. Codes are API: add, never rename. */
export const exchangeErrors = {
  ASSET_NOT_FOUND: 404,
  /** Exchange's own name for a taken group/asset/version triple (kept even after a soft delete). */
  ASSET_PRE_CONDITIONS_FAILED: 409,
  ASSET_IN_USE: 409,
  /** The built-in policy catalog cannot be changed through Exchange. */
  ASSET_READ_ONLY: 403,
  ASSET_FILE_NOT_FOUND: 404,
  /** A file's externalLink that was not made by this control plane, or has expired. */
  ASSET_FILE_LINK_INVALID: 403,
  /** A status change the asset lifecycle does not allow (e.g. published → development). */
  ASSET_STATUS_CONFLICT: 409,
  PUBLICATION_NOT_FOUND: 404,
} as const;
