import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import type { Principal } from '../auth/principal.js';
import { runInAuditRequest } from './audit-context.js';

/** Longest request id and User-Agent kept (both come from the client); the rest is cut. */
const MAX_HEADER = 512;

/**
 * Global: runs every HTTP handler inside its audit request (audit-context.ts). Interceptors run
 * after the guards, so the principal is known; Nest binds the handler to the async context
 * `next.handle()` is called in.
 */
@Injectable()
export class AuditContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const userAgent = request.headers['user-agent'];
    return runInAuditRequest(
      {
        principal: request.principal,
        requestId: request.id.slice(0, MAX_HEADER),
        clientIp: request.ip ?? null,
        userAgent: userAgent ? userAgent.slice(0, MAX_HEADER) : null,
      },
      () => next.handle(),
    );
  }
}
