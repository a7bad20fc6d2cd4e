import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  type CreateEnvironmentBody,
  createEnvironmentBody,
  environmentPageSchema,
  type ListEnvironmentsQuery,
  listEnvironmentsQuery,
  type UpdateEnvironmentBody,
  updateEnvironmentBody,
} from './environment.dto.js';
import { EnvironmentService } from './environment.service.js';

/** Listing and reading need only visibility of the organization; writes need admin:organization. */
@ApiTags('Access Management')
@Controller('accounts/api/organizations/:orgId/environments')
export class EnvironmentController {
  constructor(private readonly environments: EnvironmentService) {}

  @ApiOperation({ summary: 'List the environments of an organization' })
  @Get()
  @ApiZodResponse(200, environmentPageSchema, 'One page of environments and how many match in all')
  list(@Param('orgId') orgId: string, @Query(new ZodPipe(listEnvironmentsQuery)) query: ListEnvironmentsQuery) {
    return this.environments.list(orgId, query);
  }

  @ApiOperation({ summary: 'Create an environment' })
  @ApiZodBody(createEnvironmentBody)
  @RequireScope('admin:organization')
  @Post()
  create(@Param('orgId') orgId: string, @Body(new ZodPipe(createEnvironmentBody)) body: CreateEnvironmentBody) {
    return this.environments.create(orgId, body);
  }

  @ApiOperation({ summary: 'Get an environment' })
  @Get(':envId')
  get(@Param('envId') envId: string) {
    return this.environments.get(envId);
  }

  @ApiOperation({ summary: 'Rename an environment' })
  @ApiZodBody(updateEnvironmentBody)
  @RequireScope('admin:organization')
  @Put(':envId')
  update(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Body(new ZodPipe(updateEnvironmentBody)) body: UpdateEnvironmentBody,
  ) {
    return this.environments.update(orgId, envId, body);
  }

  @ApiOperation({ summary: 'Delete an environment that holds no API instances or gateway targets' })
  @RequireScope('admin:organization')
  @Delete(':envId')
  @HttpCode(204)
  async delete(@Param('envId') envId: string): Promise<void> {
    await this.environments.delete(envId);
  }
}
