import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  type CreateGatewayBody,
  createGatewayBody,
  gatewayReplicaPage,
  standalonePageQuery,
  type StandalonePageQuery,
} from './gateway-targets.dto.js';
import { GatewayTargetsService } from './gateway-targets.service.js';

/** Self-managed gateway objects of the standalone API (contract §9.5). */
@ApiTags('Standalone: gateways')
@Controller('standalone/api/v1/organizations/:orgId/environments/:envId/gateways')
export class StandaloneGatewaysController {
  constructor(private readonly targets: GatewayTargetsService) {}

  @Get()
  @RequireScope('read:servers')
  @ApiOperation({ summary: 'List gateways, deleted ones included (pageSize default 30, max 100)' })
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(standalonePageQuery)) query: StandalonePageQuery,
  ) {
    return this.targets.listGateways(orgId, envId, query);
  }

  @Post()
  @RequireScope('manage:servers')
  @ApiOperation({ summary: 'Create a gateway before it registers (Portico extension); names are never reusable' })
  @ApiZodBody(createGatewayBody)
  create(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Body(new ZodPipe(createGatewayBody)) body: CreateGatewayBody,
  ) {
    return this.targets.createGateway(orgId, envId, body);
  }

  @Get(':gatewayId')
  @RequireScope('read:servers')
  @ApiOperation({ summary: 'Get one gateway with the versions its replicas run' })
  get(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('gatewayId') gatewayId: string) {
    return this.targets.getGateway(orgId, envId, gatewayId);
  }

  @Get(':gatewayId/replicas')
  @RequireScope('read:servers')
  @ApiOperation({ summary: "List a gateway's replicas" })
  @ApiZodResponse(200, gatewayReplicaPage, 'One page of replicas, and the gateway')
  replicas(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('gatewayId') gatewayId: string,
    @Query(new ZodPipe(standalonePageQuery)) query: StandalonePageQuery,
  ) {
    return this.targets.listReplicas(orgId, envId, gatewayId, query);
  }

  @Delete(':gatewayId')
  @HttpCode(202)
  @RequireScope('manage:servers')
  @ApiOperation({ summary: 'Delete a gateway (soft: status DELETED, the name stays taken)' })
  async delete(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('gatewayId') gatewayId: string,
  ): Promise<void> {
    await this.targets.deleteGateway(orgId, envId, gatewayId);
  }
}
