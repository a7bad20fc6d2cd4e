import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { IntIdPipe } from '../common/integer-id.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { listTiersQuery, tierBody, type ListTiersQuery, type TierBody, tierListSchema } from './sla-tiers.dto.js';
import { SlaTiersService } from './sla-tiers.service.js';

const API_ID = new IntIdPipe('API_NOT_FOUND', 'API instance');
const TIER_ID = new IntIdPipe('SLA_TIER_NOT_FOUND', 'Tier');

/**
 * SLA tiers of an instance (contract §7.4). They are part of the API's configuration, as in
 * API Manager: reads need View APIs Configuration, writes Manage APIs Configuration.
 */
@ApiTags('API Manager SLA tiers')
@Controller('apimanager/api/v1/organizations/:orgId/environments/:envId/apis/:apiId/tiers')
export class SlaTiersController {
  constructor(private readonly tiers: SlaTiersService) {}

  @ApiOperation({ summary: 'Create an SLA tier' })
  @ApiZodBody(tierBody)
  @RequireScope('manage:api_configuration')
  @Post()
  create(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Body(new ZodPipe(tierBody)) body: TierBody,
  ) {
    return this.tiers.create({ orgId, envId, apiId }, body);
  }

  @ApiOperation({ summary: "List an API instance's SLA tiers" })
  @RequireScope('read:api_configuration')
  @Get()
  @ApiZodResponse(200, tierListSchema, 'One page of tiers and how many match in all')
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Query(new ZodPipe(listTiersQuery)) query: ListTiersQuery,
  ) {
    return this.tiers.list({ orgId, envId, apiId }, query);
  }

  @ApiOperation({ summary: 'Get an SLA tier' })
  @RequireScope('read:api_configuration')
  @Get(':tierId')
  get(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('tierId', TIER_ID) tierId: number,
  ) {
    return this.tiers.get({ orgId, envId, apiId }, tierId);
  }

  @ApiOperation({
    summary: 'Replace an SLA tier',
    description: 'Name, description, limits, status and autoApprove; a field left out takes its default.',
  })
  @ApiZodBody(tierBody)
  @RequireScope('manage:api_configuration')
  @Put(':tierId')
  replace(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('tierId', TIER_ID) tierId: number,
    @Body(new ZodPipe(tierBody)) body: TierBody,
  ) {
    return this.tiers.replace({ orgId, envId, apiId }, tierId, body);
  }

  @ApiOperation({ summary: 'Delete an SLA tier no contract runs under' })
  @RequireScope('manage:api_configuration')
  @Delete(':tierId')
  @HttpCode(204)
  async remove(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('tierId', TIER_ID) tierId: number,
  ): Promise<void> {
    await this.tiers.remove({ orgId, envId, apiId }, tierId);
  }
}
