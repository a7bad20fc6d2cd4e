import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { catchError, type Observable, throwError } from 'rxjs';
import { ThrottledError } from './throttled-error.js';

/**
 * Puts the Retry-After of a ThrottledError on the answer; the exception filter then writes the
 * error body and keeps the header. For the routes that throttle (login, the token endpoint).
 */
@Injectable()
export class RetryAfterInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (err instanceof ThrottledError) {
          void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(err.retryAfterSeconds));
        }
        return throwError(() => err);
      }),
    );
  }
}
