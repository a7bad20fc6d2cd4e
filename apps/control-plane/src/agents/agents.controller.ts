import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  agentListSchema,
  agentMappingSchema,
  agentSchema,
  type CreateAgentBody,
  createAgentBody,
  predefinedAgentListSchema,
  type PutAgentMappingBody,
  putAgentMappingBody,
  type UpdateAgentBody,
  updateAgentBody,
} from './agents.dto.js';
import { AgentsService } from './agents.service.js';

const AGENTS = 'api/v1/organizations/:orgId/agents';
const MAPPING = 'api/v1/organizations/:orgId/environments/:envId/backends/:apiId/agents';

/**
 * Agents and agent → MCP mapping (issue 20, seed 003). The shipped list is readable by anyone who
 * sees the organization; the organization's agents by holders of View APIs Configuration or
 * Configure Agents there or in one of its environments; writes need Configure Agents.
 */
@ApiTags('MCP agents')
@Controller('mcpgateway')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @ApiOperation({
    summary: 'List the predefined agents',
    description: 'Well-known MCP clients Portico ships, with the clientInfo names and client metadata URLs they identify by.',
  })
  @Get(`${AGENTS}/predefined`)
  @ApiZodResponse(200, predefinedAgentListSchema, 'The predefined agents')
  predefined() {
    return this.agents.predefined();
  }

  @ApiOperation({
    summary: 'List the agents of an organization',
    description: 'By name, each with the backends it is mapped to.',
  })
  @Get(AGENTS)
  @ApiZodResponse(200, agentListSchema, 'The agents, by name')
  list(@Param('orgId') orgId: string, @CurrentPrincipal() principal: Principal) {
    return this.agents.list(principal, orgId);
  }

  @ApiOperation({
    summary: 'Create an agent',
    description:
      'A custom agent `{name, clientIds, clientMetadataUrls, clientInfoNames, applicationIds}` (at least one rule), or a predefined one `{predefined, name?}`.',
  })
  @ApiZodBody(createAgentBody)
  @RequireScope('configure:agents')
  @Post(AGENTS)
  @ApiZodResponse(201, agentSchema, 'The agent created')
  create(@Param('orgId') orgId: string, @Body(new ZodPipe(createAgentBody)) body: CreateAgentBody) {
    return this.agents.create(orgId, body);
  }

  @ApiOperation({ summary: 'Get an agent' })
  @Get(`${AGENTS}/:agentId`)
  @ApiZodResponse(200, agentSchema, 'The agent')
  get(@Param('orgId') orgId: string, @Param('agentId') agentId: string, @CurrentPrincipal() principal: Principal) {
    return this.agents.get(principal, orgId, agentId);
  }

  @ApiOperation({
    summary: 'Update an agent',
    description: 'The fields given replace the agent’s; gateways get the change with the next push.',
  })
  @ApiZodBody(updateAgentBody)
  @RequireScope('configure:agents')
  @Patch(`${AGENTS}/:agentId`)
  @ApiZodResponse(200, agentSchema, 'The agent as updated')
  update(
    @Param('orgId') orgId: string,
    @Param('agentId') agentId: string,
    @Body(new ZodPipe(updateAgentBody)) body: UpdateAgentBody,
  ) {
    return this.agents.update(orgId, agentId, body);
  }

  @ApiOperation({ summary: 'Delete an agent', description: 'Its mappings to backends go with it.' })
  @RequireScope('configure:agents')
  @HttpCode(204)
  @Delete(`${AGENTS}/:agentId`)
  async delete(@Param('orgId') orgId: string, @Param('agentId') agentId: string): Promise<void> {
    await this.agents.delete(orgId, agentId);
  }

  @ApiOperation({
    summary: 'Get the agents mapped to an MCP backend',
    description: 'Whether the backend restricts agents, and the agents mapped to it with their tools.',
  })
  @RequireScope('read:api_configuration')
  @Get(MAPPING)
  @ApiZodResponse(200, agentMappingSchema, 'The mapping')
  getMapping(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId') apiId: string) {
    return this.agents.getMapping({ organizationId: orgId, environmentId: envId }, apiId);
  }

  @ApiOperation({
    summary: 'Replace the agents mapped to an MCP backend',
    description:
      '`restricted: true`: only the agents listed may use the backend (others get 403 at the gateway); a mapping’s `tools`, when not empty, are the only tools that agent lists and calls there. Agents recognised only by their clientInfo name (self-asserted) make the restriction advisory: see the README.',
  })
  @ApiZodBody(putAgentMappingBody)
  @RequireScope('configure:agents')
  @Put(MAPPING)
  @ApiZodResponse(200, agentMappingSchema, 'The mapping as replaced')
  putMapping(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Body(new ZodPipe(putAgentMappingBody)) body: PutAgentMappingBody,
  ) {
    return this.agents.putMapping({ organizationId: orgId, environmentId: envId }, apiId, body);
  }
}
