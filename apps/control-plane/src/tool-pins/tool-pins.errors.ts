/** Tool pinning error codes → HTTP status. Codes are API: add, never rename. */
export const toolPinErrors = {
  TOOL_PIN_NOT_FOUND: 404,
  TOOL_CHANGE_NOT_FOUND: 404,
  TOOL_CHANGE_ALREADY_DECIDED: 409,
} as const;
