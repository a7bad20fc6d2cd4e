/**
 * Global guard: every route needs a bearer token unless marked @Public(). When the path has
 * `:orgId` / `:envId`, the organization must be visible to the caller and the environment must
 * belong to it (404 otherwise), and a @RequireScope() scope is checked there (403).
 */
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AccessService } from './access.service.js';
import { PUBLIC_ROUTE, REQUIRED_SCOPE } from './decorators.js';
import type { Principal } from './principal.js';
import type { Scope } from './scopes.js';

export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^\s*bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const principal = await this.access.authenticate(bearerToken(request.headers.authorization));
    request.principal = principal;

    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const { orgId, envId } = params;
    if (orgId !== undefined) {
      this.access.assertOrganizationVisible(principal, orgId);
      if (envId !== undefined) await this.access.assertEnvironmentInOrganization(orgId, envId);
      const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
      if (scope) await this.access.assertScope(principal, { scope, organizationId: orgId, environmentId: envId ?? null });
    }
    return true;
  }
}
