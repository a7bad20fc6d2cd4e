import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodResponse } from '../common/openapi.js';
import { validationError, ZodPipe } from '../common/validation.js';
import {
  gatewayTargetList,
  gatewayTargetQuery,
  type GatewayTargetQuery,
  gatewayTargetsQuery,
  type GatewayTargetsQuery,
} from './gateway-targets.dto.js';
import { GatewayTargetsService } from './gateway-targets.service.js';

/** API Manager's view of deployment targets (contract §8). */
@ApiTags('API Manager: gateway targets')
@Controller('apimanager/xapi/v1/organizations/:orgId/environments/:envId/gateway-targets')
export class GatewayTargetsController {
  constructor(private readonly targets: GatewayTargetsService) {}

  @Get()
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'List the gateway targets an API can be deployed to ($.rows[*].id, name, version)' })
  @ApiZodResponse(200, gatewayTargetList, 'One page of targets and how many match in all')
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(gatewayTargetsQuery)) query: GatewayTargetsQuery,
  ) {
    return this.targets.listTargets(orgId, envId, query);
  }

  @Get(':targetId')
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'Get one gateway target' })
  get(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('targetId') targetId: string,
    @Query(new ZodPipe(gatewayTargetQuery)) query: GatewayTargetQuery,
  ) {
    const { environmentId, enviromentId, targetId: sameTarget } = query;
    const details = [
      ...[['environmentId', environmentId] as const, ['enviromentId', enviromentId] as const]
        .filter(([, value]) => value !== undefined && value !== envId)
        .map(([name]) => ({ path: `/query/${name}`, message: `must be the environment of the path (${envId})` })),
      ...(sameTarget !== undefined && sameTarget !== targetId
        ? [{ path: '/query/targetId', message: `must be the target of the path (${targetId})` }]
        : []),
    ];
    if (details.length) throw validationError(details);
    return this.targets.getTarget(orgId, envId, targetId);
  }
}
