import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { createUpstreamBody, type CreateUpstreamBody, updateUpstreamBody, type UpdateUpstreamBody } from './api-instances.dto.js';
import { UpstreamsService } from './upstreams.service.js';

/** Upstreams of an API instance (contract §4.7). */
@ApiTags('API Manager: API instances')
@Controller('apimanager/api/v1/organizations/:orgId/environments/:envId/apis/:apiId/upstreams')
export class UpstreamsController {
  constructor(private readonly upstreams: UpstreamsService) {}

  @Get()
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: "List an API instance's upstreams" })
  list(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId') apiId: string) {
    return this.upstreams.list(orgId, envId, apiId);
  }

  @Post()
  @RequireScope('manage:api_configuration')
  @ApiOperation({ summary: 'Add an upstream' })
  @ApiZodBody(createUpstreamBody)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Body(new ZodPipe(createUpstreamBody)) body: CreateUpstreamBody,
  ) {
    return this.upstreams.create(principal, orgId, envId, apiId, body);
  }

  @Get(':upstreamId')
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'Get an upstream' })
  get(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Param('upstreamId') upstreamId: string,
  ) {
    return this.upstreams.get(orgId, envId, apiId, upstreamId);
  }

  @Patch(':upstreamId')
  @RequireScope('manage:api_configuration')
  @ApiOperation({ summary: 'Change an upstream (uri, label, tlsContext)' })
  @ApiZodBody(updateUpstreamBody)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Param('upstreamId') upstreamId: string,
    @Body(new ZodPipe(updateUpstreamBody)) body: UpdateUpstreamBody,
  ) {
    return this.upstreams.update(principal, orgId, envId, apiId, upstreamId, body);
  }

  @Delete(':upstreamId')
  @HttpCode(204)
  @RequireScope('manage:api_configuration')
  @ApiOperation({ summary: 'Delete an upstream no route uses' })
  async delete(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Param('upstreamId') upstreamId: string,
  ): Promise<void> {
    await this.upstreams.delete(orgId, envId, apiId, upstreamId);
  }
}
