import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { type ScopesBody, scopesBody } from './access-management.dto.js';
import { type CreateConnectedAppBody, createConnectedAppBody } from './connected-app.dto.js';
import { ConnectedAppService } from './connected-app.service.js';

@ApiTags('Access Management')
@Controller('accounts/api')
export class ConnectedAppController {
  constructor(private readonly apps: ConnectedAppService) {}

  @ApiOperation({ summary: "Create a connected application in the caller's organization; the secret is returned only here" })
  @ApiZodBody(createConnectedAppBody)
  @Post('connectedApplications')
  create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(createConnectedAppBody)) body: CreateConnectedAppBody) {
    return this.apps.create(principal, body);
  }

  @ApiOperation({ summary: "List the connected applications of the caller's organizations" })
  @Get('connectedApplications')
  list(@CurrentPrincipal() principal: Principal) {
    return this.apps.list(principal);
  }

  @ApiOperation({ summary: 'Get a connected application' })
  @Get('connectedApplications/:clientId')
  get(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string) {
    return this.apps.get(principal, clientId);
  }

  @ApiOperation({ summary: 'Delete a connected application with its tokens and permissions' })
  @Delete('connectedApplications/:clientId')
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string): Promise<void> {
    await this.apps.delete(principal, clientId);
  }

  @ApiOperation({ summary: "List a connected application's scopes" })
  @Get('connectedApplications/:clientId/scopes')
  scopes(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string) {
    return this.apps.scopes(principal, clientId);
  }

  @ApiOperation({ summary: "Replace a connected application's scopes" })
  @ApiZodBody(scopesBody)
  @Patch('connectedApplications/:clientId/scopes')
  @HttpCode(204)
  async replaceScopes(
    @CurrentPrincipal() principal: Principal,
    @Param('clientId') clientId: string,
    @Body(new ZodPipe(scopesBody)) body: ScopesBody,
  ): Promise<void> {
    await this.apps.replaceScopes(principal, clientId, body.scopes);
  }

  @ApiOperation({ summary: "Remove a connected application's scopes in one organization" })
  @RequireScope('admin:organization')
  @Delete('organizations/:orgId/connectedApplications/:clientId/scopes')
  @HttpCode(204)
  async deleteScopes(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('clientId') clientId: string,
  ): Promise<void> {
    await this.apps.deleteScopesIn(principal, orgId, clientId);
  }

  @ApiOperation({ summary: "Rotate a connected application's secret; the new one is returned only here" })
  @Post('connectedApplications/:clientId/client-secret')
  @HttpCode(201)
  rotateSecret(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string) {
    return this.apps.rotateSecret(principal, clientId);
  }
}
