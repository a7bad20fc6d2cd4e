import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  importLibraryBody,
  libraryEntryListSchema,
  libraryEntrySchema,
  type ListLibraryQuery,
  listLibraryQuery,
} from './mcp-library.dto.js';
import { McpLibraryService } from './mcp-library.service.js';

const LIBRARY = 'api/v1/organizations/:orgId/library';

/**
 * The MCP library of an organization (issue 20): curated entries and the organization's own, in
 * the MCP Registry's server.json format. Anyone who sees the organization reads it; importing and
 * deleting entries needs Install Library MCP.
 */
@ApiTags('MCP library')
@Controller('mcpgateway')
export class McpLibraryController {
  constructor(private readonly library: McpLibraryService) {}

  @ApiOperation({
    summary: 'List the MCP library',
    description: 'Portico’s curated entries, then the organization’s own; `search` matches name, title and description.',
  })
  @Get(LIBRARY)
  @ApiZodResponse(200, libraryEntryListSchema, 'Curated entries, then the organization’s own')
  list(@Param('orgId') orgId: string, @Query(new ZodPipe(listLibraryQuery)) query: ListLibraryQuery) {
    return this.library.list(orgId, query);
  }

  @ApiOperation({ summary: 'Get an MCP library entry', description: 'With its server.json and the inputs an install asks for.' })
  @Get(`${LIBRARY}/:entryId`)
  @ApiZodResponse(200, libraryEntrySchema, 'The entry')
  get(@Param('orgId') orgId: string, @Param('entryId') entryId: string) {
    return this.library.get(orgId, entryId);
  }

  @ApiOperation({
    summary: 'Import MCP servers into the library',
    description:
      'One server.json, or a registry export { servers: [...] }. Every server is validated before anything is written; all are imported or none.',
  })
  @ApiZodBody(importLibraryBody)
  @RequireScope('install:mcp_library')
  @Post(LIBRARY)
  import(
    @Param('orgId') orgId: string,
    @Body(new ZodPipe(importLibraryBody)) body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.library.import(principal, orgId, body);
  }

  @ApiOperation({
    summary: 'Delete an MCP library entry',
    description: 'The organization’s own entries only; curated ones stay.',
  })
  @RequireScope('install:mcp_library')
  @HttpCode(204)
  @Delete(`${LIBRARY}/:entryId`)
  async delete(@Param('orgId') orgId: string, @Param('entryId') entryId: string): Promise<void> {
    await this.library.delete(orgId, entryId);
  }
}
