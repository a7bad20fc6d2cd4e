/**
 * Global: a query parameter the route does not take is refused with 400 VALIDATION_FAILED naming
 * it, never dropped. A client that filters a list (`…/contracts?coreServicesId=…`) and acts on
 * the first row must not get the unfiltered list; a filter Portico does not implement says so.
 * The parameters a route takes are the properties of its `@Query(new ZodPipe(schema))` schema;
 * a route without one takes none. Runs after the guards (401/403/404 come first), before pipes.
 */
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, type Type } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { inputJsonSchema } from './openapi.js';
import { zodSchemasOf } from './route-arguments.js';
import { validationError } from './validation.js';

@Injectable()
export class QueryParametersInterceptor implements NestInterceptor {
  /** Parameter names per handler, read once from its schemas. */
  private readonly taken = new WeakMap<object, ReadonlySet<string>>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const query = context.switchToHttp().getRequest<FastifyRequest>().query as Record<string, unknown> | undefined;
    const names = query ? Object.keys(query) : [];
    if (names.length > 0) {
      const taken = this.parametersOf(context.getClass(), context.getHandler());
      const unknown = names.filter((name) => !taken.has(name));
      if (unknown.length > 0) {
        const takes = taken.size > 0 ? `it takes ${[...taken].join(', ')}` : 'it takes none';
        throw validationError(
          unknown.map((name) => ({
            path: `/query/${name}`,
            message: `is not a query parameter of this route (${takes})`,
            errorCode: 'unrecognized_keys.validation',
          })),
        );
      }
    }
    return next.handle();
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- what Nest hands out as the handler
  private parametersOf(controller: Type<unknown>, handler: Function): ReadonlySet<string> {
    let taken = this.taken.get(handler);
    if (!taken) {
      const schemas = zodSchemasOf(controller, handler.name, RouteParamtypes.QUERY);
      taken = new Set(schemas.flatMap((schema) => Object.keys((inputJsonSchema(schema).properties as object | undefined) ?? {})));
      this.taken.set(handler, taken);
    }
    return taken;
  }
}
