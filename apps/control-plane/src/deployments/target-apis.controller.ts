import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ZodPipe } from '../common/validation.js';
import { targetApisQuery, type TargetApisQuery } from './deployments.dto.js';
import { DeploymentsService } from './deployments.service.js';

/** Contract §8.3: the listeners in use on a target. */
@ApiTags('API Manager: gateway targets')
@Controller('apimanager/xapi/v1/organizations/:orgId/environments/:envId/gateway-targets/:targetId/apis')
export class TargetApisController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Get()
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'API instances listening on a target, optionally on one port and base path (empty = free)' })
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('targetId') targetId: string,
    @Query(new ZodPipe(targetApisQuery)) query: TargetApisQuery,
  ) {
    return this.deployments.targetApis(orgId, envId, targetId, query);
  }
}
