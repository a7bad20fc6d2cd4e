import { DomainError } from '../common/domain-error.js';

/** 429 LOGIN_THROTTLED; RetryAfterInterceptor sends `retryAfterSeconds` as the Retry-After header. */
export class ThrottledError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('LOGIN_THROTTLED', message);
  }
}
