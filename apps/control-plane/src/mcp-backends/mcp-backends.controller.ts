import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { IntIdPipe } from '../common/integer-id.js';
import { BackendToolsService } from './backend-tools.service.js';
import {
  type BackendConnectionBody,
  backendConnectionBody,
  backendListSchema,
  backendSchema,
  backendToolListSchema,
  type BackendToolsBody,
  backendToolsBody,
  type ListBackendsQuery,
  listBackendsQuery,
  type UpdateBackendBody,
  updateBackendBody,
} from './mcp-backends.dto.js';
import { McpBackendsService } from './mcp-backends.service.js';

const BACKENDS = 'api/v1/organizations/:orgId/environments/:envId/backends';
const API_ID = new IntIdPipe('API_NOT_FOUND', 'MCP backend');

/** The MCP backends of an environment. Reads need View APIs Configuration; switching one, Update MCP Backends; deleting one, Delete MCP Backends. */
@ApiTags('MCP backends')
@Controller('mcpgateway')
export class McpBackendsController {
  constructor(
    private readonly backends: McpBackendsService,
    private readonly tools: BackendToolsService,
  ) {}

  @ApiOperation({
    summary: 'List the MCP backends of an environment',
    description: 'With their connection mode, state and deployment.',
  })
  @RequireScope('read:api_configuration')
  @Get(BACKENDS)
  @ApiZodResponse(200, backendListSchema, 'One page of backends and how many match in all')
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(listBackendsQuery)) query: ListBackendsQuery,
  ) {
    return this.backends.list({ organizationId: orgId, environmentId: envId }, query);
  }

  @ApiOperation({ summary: 'Get an MCP backend' })
  @RequireScope('read:api_configuration')
  @Get(`${BACKENDS}/:apiId`)
  @ApiZodResponse(200, backendSchema, 'The backend')
  get(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId') apiId: string) {
    return this.backends.get({ organizationId: orgId, environmentId: envId }, apiId);
  }

  @ApiOperation({
    summary: 'Enable or disable an MCP backend',
    description: 'A disabled backend keeps its configuration; gateways answer its calls 503 BACKEND_DISABLED.',
  })
  @ApiZodBody(updateBackendBody)
  @RequireScope('update:mcp_backends')
  @Patch(`${BACKENDS}/:apiId`)
  @ApiZodResponse(200, backendSchema, 'The backend as switched')
  update(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Body(new ZodPipe(updateBackendBody)) body: UpdateBackendBody,
  ) {
    return this.backends.update({ organizationId: orgId, environmentId: envId }, apiId, body);
  }

  @ApiOperation({
    summary: 'Set how the gateway authenticates to an MCP backend',
    description:
      "none, api-key (a key sent by the gateway), oauth-passthrough (the client's validated token) or gateway-oauth (each user's own token, held by Portico). Set as the upstream-credential / upstream-oauth policies.",
  })
  @ApiZodBody(backendConnectionBody)
  @RequireScope('update:mcp_backends')
  @Put(`${BACKENDS}/:apiId/connection`)
  @ApiZodResponse(200, backendSchema, 'The backend with its new connection')
  setConnection(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Body(new ZodPipe(backendConnectionBody)) body: BackendConnectionBody,
    @Req() req: FastifyRequest,
  ) {
    return this.backends.setConnection({ organizationId: orgId, environmentId: envId }, apiId, body, req);
  }

  @ApiOperation({
    summary: 'List the tools of an MCP backend',
    description: 'As its server last listed them to the gateways, with whether clients get each and under which name.',
  })
  @RequireScope('read:api_configuration')
  @Get(`${BACKENDS}/:apiId/tools`)
  @ApiZodResponse(200, backendToolListSchema, 'The tools as last observed')
  listTools(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId', API_ID) apiId: number) {
    return this.tools.list({ orgId, envId, apiId });
  }

  @ApiOperation({
    summary: 'Enable, disable and rename the tools of an MCP backend',
    description:
      "Written as the instance's mcp-tool-mapping policy (its regex mappings are kept); tools not named are served as listed.",
  })
  @ApiZodBody(backendToolsBody)
  @RequireScope('configure:mcp_tools')
  @Put(`${BACKENDS}/:apiId/tools`)
  @ApiZodResponse(200, backendToolListSchema, 'The tools with their new settings')
  setTools(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Body(new ZodPipe(backendToolsBody)) body: BackendToolsBody,
  ) {
    return this.tools.set({ orgId, envId, apiId }, body);
  }

  @ApiOperation({ summary: 'Delete an MCP backend', description: 'Deletes its instance, deployment, policies and keys.' })
  @RequireScope('delete:mcp_backends')
  @HttpCode(204)
  @Delete(`${BACKENDS}/:apiId`)
  async delete(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId') apiId: string): Promise<void> {
    await this.backends.delete({ organizationId: orgId, environmentId: envId }, apiId);
  }
}
