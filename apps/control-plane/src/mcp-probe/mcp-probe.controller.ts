import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { type ProbeBody, probeBody, probeVerdict } from './mcp-probe.dto.js';
import { McpProbeService } from './mcp-probe.service.js';

/** Probing a custom MCP server's authentication before adding it (issue 20); needs Create Custom MCP. */
@ApiTags('MCP gateway')
@Controller('mcpgateway')
export class McpProbeController {
  constructor(private readonly probes: McpProbeService) {}

  @ApiOperation({
    summary: 'Probe an MCP endpoint for the credentials it wants',
    description:
      'Sends initialize without credentials and follows what the answer points at (OAuth protected-resource and authorization-server metadata, an API key header). The verdict is none, oauth, api-key or unknown, with the configuration Portico proposes and every HTTP exchange made. Addresses PORTICO_PROBE_DENY refuses are never contacted; a URL naming one is a 400.',
  })
  @ApiZodBody(probeBody)
  @ApiZodResponse(200, probeVerdict, 'The verdict, the proposed configuration and the exchanges made')
  @RequireScope('create:custom_mcp')
  @HttpCode(200)
  @Post('api/v1/organizations/:orgId/environments/:envId/probes')
  probe(@Param('orgId') _orgId: string, @Param('envId') _envId: string, @Body(new ZodPipe(probeBody)) body: ProbeBody) {
    return this.probes.probe(body);
  }
}
