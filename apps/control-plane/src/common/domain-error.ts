import type { ErrorCode } from './error-codes.js';

export interface ErrorDetail {
  /** JSON pointer-ish location, e.g. `/body/endpoint/isCloudHub` */
  path: string;
  message: string;
  errorCode?: string;
}

/**
 * The only error services and repositories throw. The HTTP status comes from the code
 * (common/error-codes.ts); `message` is shown to the caller verbatim, so it must never carry
 * secrets or internals.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
