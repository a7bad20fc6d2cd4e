import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  deploymentBody,
  type DeploymentBody,
  deploymentPatchBody,
  type DeploymentPatchBody,
  deploymentStatusSchema,
} from './deployments.dto.js';
import { DeploymentsService } from './deployments.service.js';

/** The documented proxies-xapi routes and their API Manager twins (contract §5). */
@ApiTags('Proxies: deployments')
@Controller([
  'proxies/xapi/v1/organizations/:orgId/environments/:envId/apis/:apiId/deployments',
  'apimanager/api/v1/organizations/:orgId/environments/:envId/apis/:apiId/deployments',
])
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Post()
  @RequireScope('manage:api_proxies')
  @ApiOperation({ summary: 'Deploy an API instance to a gateway target (type HY); $.id is the deployment id' })
  @ApiZodBody(deploymentBody)
  create(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Body(new ZodPipe(deploymentBody)) body: DeploymentBody,
  ) {
    return this.deployments.create(orgId, envId, apiId, body);
  }

  @Get()
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: "List the API instance's deployments (at most one)" })
  list(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId') apiId: string) {
    return this.deployments.list(orgId, envId, apiId);
  }

  @Get(':deploymentId')
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'Get a deployment' })
  get(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Param('deploymentId') id: string,
  ) {
    return this.deployments.get(orgId, envId, apiId, id);
  }

  @Get(':deploymentId/status')
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'Rollout status: applying | applied | failed | undeployed, and the API status' })
  @ApiZodResponse(200, deploymentStatusSchema, 'The rollout status and the API status')
  status(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Param('deploymentId') id: string,
  ) {
    return this.deployments.status(orgId, envId, apiId, id);
  }

  @Patch(':deploymentId')
  @RequireScope('manage:api_proxies')
  @ApiOperation({ summary: 'Change a deployment (target, gateway version, expected status)' })
  @ApiZodBody(deploymentPatchBody)
  patch(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Param('deploymentId') id: string,
    @Body(new ZodPipe(deploymentPatchBody)) body: DeploymentPatchBody,
  ) {
    return this.deployments.update(orgId, envId, apiId, id, body, false);
  }

  @Put(':deploymentId')
  @HttpCode(201)
  @RequireScope('manage:api_proxies')
  @ApiOperation({ summary: 'Replace a deployment' })
  @ApiZodBody(deploymentBody)
  replace(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Param('deploymentId') id: string,
    @Body(new ZodPipe(deploymentBody)) body: DeploymentBody,
  ) {
    return this.deployments.update(orgId, envId, apiId, id, body, true);
  }

  @Delete(':deploymentId')
  @HttpCode(204)
  @RequireScope('manage:api_proxies')
  @ApiOperation({ summary: 'Undeploy' })
  async delete(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Param('deploymentId') id: string,
  ): Promise<void> {
    await this.deployments.undeploy(orgId, envId, apiId, id);
  }
}
