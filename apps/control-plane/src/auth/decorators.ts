import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from './principal.js';
import type { Scope } from './scopes.js';

export const PUBLIC_ROUTE = 'portico:public';
export const REQUIRED_SCOPE = 'portico:scope';

/** The route needs no bearer token (login, token endpoint, health). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * The caller needs `scope` in the route's `:orgId` (and `:envId` when present). Without
 * `:orgId` in the path the service checks the scope itself.
 */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);

/** The authenticated caller, set by AuthGuard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a public route');
  return request.principal;
});
