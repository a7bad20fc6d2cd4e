/** Errors of the HTTP layer itself (validation, auth, framework). Codes are API: add, never rename. */
export const commonErrors = {
  VALIDATION_FAILED: 400,
  MALFORMED_BODY: 400,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  /** a percent-escape in the URL that does not decode */
  MALFORMED_URL: 400,
  /** a path parameter longer than the router takes */
  URI_TOO_LONG: 414,
  /** Postgres cannot be reached or dropped the connection (common/database-unavailable.ts); answered with Retry-After */
  DATABASE_UNAVAILABLE: 503,
  /** bytes that are not an HTTP/1.1 request (client-errors.ts) */
  MALFORMED_REQUEST: 400,
  /** the request headers did not arrive within the headers timeout */
  REQUEST_TIMEOUT: 408,
  /** request headers over Node's 16 KiB */
  HEADERS_TOO_LARGE: 431,
} as const;
