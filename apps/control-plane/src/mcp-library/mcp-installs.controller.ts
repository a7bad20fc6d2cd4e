import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { composedBackendSchema, type CustomMcpBody, customMcpBody, type InstallBody, installBody } from './mcp-library.dto.js';
import { McpInstallsService } from './mcp-installs.service.js';

const ENVIRONMENT = 'api/v1/organizations/:orgId/environments/:envId';

/**
 * Installs from the MCP library and custom MCPs (issue 20): each makes the Exchange asset, the
 * API instance, its policies and its deployment in one call, or nothing.
 */
@ApiTags('MCP library')
@Controller('mcpgateway')
export class McpInstallsController {
  constructor(private readonly installs: McpInstallsService) {}

  @ApiOperation({
    summary: 'Install an MCP library entry',
    description:
      'Creates the asset, the API instance in front of the entry’s streamable-http remote, MCP Support, an Upstream Credential per secret header, a Header Injection for the other headers, and the deployment to the target.',
  })
  @ApiZodBody(installBody)
  @RequireScope('install:mcp_library')
  @Post(`${ENVIRONMENT}/installs`)
  @ApiZodResponse(201, composedBackendSchema, 'What the install made')
  install(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Body(new ZodPipe(installBody)) body: InstallBody,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.installs.install(principal, { orgId, envId }, body);
  }

  @ApiOperation({
    summary: 'Add a custom MCP server',
    description:
      'Fronts any http(s) MCP endpoint like an install does; connection.mode says how the gateway authenticates to it.',
  })
  @ApiZodBody(customMcpBody)
  @RequireScope('create:custom_mcp')
  @Post(`${ENVIRONMENT}/backends/custom`)
  @ApiZodResponse(201, composedBackendSchema, 'What the creation made')
  createCustom(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Body(new ZodPipe(customMcpBody)) body: CustomMcpBody,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.installs.createCustom(principal, { orgId, envId }, body);
  }
}
