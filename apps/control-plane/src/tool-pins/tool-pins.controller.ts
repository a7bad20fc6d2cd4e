import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { IntIdPipe } from '../common/integer-id.js';
import { ZodPipe } from '../common/validation.js';
import { type ListToolChangesQuery, listToolChangesQuery } from './tool-pins.dto.js';
import { ToolPinsService } from './tool-pins.service.js';

const TOOL_PINS = 'api/v1/organizations/:orgId/environments/:envId/apis/:apiId/tool-pins';
const API_ID = new IntIdPipe('API_NOT_FOUND', 'API instance');
const CHANGE_ID = new IntIdPipe('TOOL_CHANGE_NOT_FOUND', 'Tool change');

/**
 * The tool definitions an instance's mcp-tool-pinning policies trust, and the changes gateways
 * saw (issue 8). Reads need View Policies, decisions Manage Policies.
 */
@ApiTags('Tool pinning')
@Controller('apimanager')
export class ToolPinsController {
  constructor(private readonly pins: ToolPinsService) {}

  @ApiOperation({ summary: 'List the pinned tool definitions of an API instance' })
  @RequireScope('read:api_policies')
  @Get(TOOL_PINS)
  list(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId', API_ID) apiId: number) {
    return this.pins.listPins({ orgId, envId, apiId });
  }

  @ApiOperation({
    summary: 'List tool-definition changes gateways saw',
    description: 'Each with the previous and new definition and an RFC 6902 diff; ?status=pending for those awaiting a decision.',
  })
  @RequireScope('read:api_policies')
  @Get(`${TOOL_PINS}/changes`)
  changes(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Query(new ZodPipe(listToolChangesQuery)) query: ListToolChangesQuery,
  ) {
    return this.pins.listChanges({ orgId, envId, apiId }, query.status);
  }

  @ApiOperation({
    summary: 'Approve a tool-definition change',
    description: 'The tool is pinned to the new definition and shown again.',
  })
  @RequireScope('manage:api_policies')
  @HttpCode(200)
  @Post(`${TOOL_PINS}/changes/:changeId/approve`)
  approve(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('changeId', CHANGE_ID) changeId: number,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.pins.approve({ orgId, envId, apiId }, changeId, principal);
  }

  @ApiOperation({ summary: 'Reject a tool-definition change', description: 'The pin stays; the changed tool stays hidden.' })
  @RequireScope('manage:api_policies')
  @HttpCode(200)
  @Post(`${TOOL_PINS}/changes/:changeId/reject`)
  reject(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('changeId', CHANGE_ID) changeId: number,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.pins.reject({ orgId, envId, apiId }, changeId, principal);
  }

  @ApiOperation({ summary: 'Unpin a tool', description: 'The next definition a gateway sees is treated as a first sight.' })
  @RequireScope('manage:api_policies')
  @HttpCode(204)
  @Delete(`${TOOL_PINS}/:toolName`)
  async unpin(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('toolName') toolName: string,
  ): Promise<void> {
    await this.pins.unpin({ orgId, envId, apiId }, toolName);
  }
}
