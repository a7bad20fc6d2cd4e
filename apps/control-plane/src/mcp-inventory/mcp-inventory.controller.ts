import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { inventoryPage, type InventoryQuery, inventoryQuery } from './mcp-inventory.dto.js';
import { McpInventoryService } from './mcp-inventory.service.js';

/**
 * The AI inventory of an environment (issue 20, seed 003: "Review MCP servers from AI Inventory
 * with tools, scopes, DLP action, status, and activity context"). Reading it needs View APIs
 * Configuration, as reading instances does.
 */
@ApiTags('MCP Gateway')
@Controller('mcpgateway/api/v1/organizations/:orgId/environments/:envId')
export class McpInventoryController {
  constructor(private readonly inventory: McpInventoryService) {}

  @Get('inventory')
  @RequireScope('read:api_configuration')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'AI inventory: every MCP server of the environment with its tools, scopes, DLP action, status and activity',
    description:
      'JSON: `{ from, to, data: [server], total }`, each server with its upstreams, backend switch (`enabled`), deployment and ' +
      'replica sync status, the tools gateways observed it list (name, description SHA-256, first and last seen, `listed`, ' +
      '`enabled` as the caller-independent policies decide), the authentication policies and required scopes, the DLP action ' +
      'per direction, and the calls, errors, distinct agents and users and last call of the window. `format=csv` (or ' +
      '`Accept: text/csv`): one line per server, or per observed tool with `rows=tools`.',
  })
  @ApiZodResponse(200, inventoryPage, 'JSON: one page of servers and how many match in all (CSV: text/csv)')
  async list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(inventoryQuery)) query: InventoryQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const answer = await this.inventory.inventory(orgId, envId, query, /\btext\/csv\b/i.test(accept ?? ''));
    if (answer.format === 'csv') void reply.header('content-type', 'text/csv; charset=utf-8');
    return answer.body;
  }
}
