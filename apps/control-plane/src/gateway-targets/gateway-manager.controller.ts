import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { DomainError } from '../common/domain-error.js';
import { ZodPipe } from '../common/validation.js';
import {
  type GatewayManagerListQuery,
  gatewayManagerListQuery,
  standalonePageQuery,
  type StandalonePageQuery,
} from './gateway-targets.dto.js';
import { GatewayTargetsService } from './gateway-targets.service.js';

const API = 'gatewaymanager/api/v1/organizations/:orgId/environments/:envId/gateways';
const XAPI = 'gatewaymanager/xapi/v1/organizations/:orgId/environments/:envId/gateways';

/**
 * Gateway Manager (contract §8.5), which Terraform and the console read: Portico's gateways with
 * their runtime version, status and replicas. Every Portico gateway is self-managed (registered
 * with a token and run by its owner); Portico provisions no managed gateways, so creating one is
 * refused by name, and `kind=managed` lists none.
 */
@ApiTags('Gateway Manager')
@Controller()
export class GatewayManagerController {
  constructor(private readonly targets: GatewayTargetsService) {}

  @Get(API)
  @RequireScope('read:servers')
  @ApiOperation({ summary: 'List gateways (pageSize default 30, max 100)' })
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(standalonePageQuery)) query: StandalonePageQuery,
  ) {
    return this.targets.listManagedGateways(orgId, envId, query, false);
  }

  @Get(XAPI)
  @RequireScope('read:servers')
  @ApiOperation({
    summary: 'List gateways; kind=selfManaged lists them all, kind=managed none (Portico runs no managed gateways)',
  })
  listXapi(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(gatewayManagerListQuery)) query: GatewayManagerListQuery,
  ) {
    return this.targets.listManagedGateways(orgId, envId, query, query.kind === 'managed');
  }

  @Get([`${API}/:gatewayId`, `${XAPI}/:gatewayId`])
  @RequireScope('read:servers')
  @ApiOperation({ summary: 'Get a gateway with its runtimeVersion, status and replicas' })
  get(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('gatewayId') gatewayId: string) {
    return this.targets.getManagedGateway(orgId, envId, gatewayId);
  }

  @Delete(`${API}/:gatewayId`)
  @HttpCode(202)
  @RequireScope('manage:servers')
  @ApiOperation({ summary: 'Delete a gateway (soft: status DELETED), as the standalone API does' })
  async delete(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('gatewayId') gatewayId: string,
  ): Promise<void> {
    await this.targets.deleteGateway(orgId, envId, gatewayId);
  }

  @Post(API)
  @RequireScope('manage:servers')
  @ApiOperation({ summary: 'Not available: Portico provisions no managed gateways (400); register a self-managed one' })
  create(): never {
    throw new DomainError(
      'MANAGED_GATEWAY_UNAVAILABLE',
      'Portico provisions no managed gateways: register a self-managed gateway instead (POST /standalone/api/v1/organizations/{orgId}/environments/{envId}/gatewaytokens, then portico gateway register)',
    );
  }
}
