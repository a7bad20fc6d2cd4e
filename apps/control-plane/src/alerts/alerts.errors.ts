/** API alert error codes → HTTP status. Codes are API: add, never rename. */
export const alertErrors = {
  ALERT_NOT_FOUND: 404,
} as const;
