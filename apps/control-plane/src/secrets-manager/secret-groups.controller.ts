import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { SecretGroupsService } from './secret-groups.service.js';
import { createSecretGroupBody, type CreateSecretGroupBody, secretGroupSchema } from './secrets-manager.dto.js';

/** Secret groups of an environment (Anypoint Secrets Manager). */
@ApiTags('Secrets Manager')
@Controller('secrets-manager/api/v1/organizations/:orgId/environments/:envId/secretGroups')
export class SecretGroupsController {
  constructor(private readonly groups: SecretGroupsService) {}

  @Post()
  @RequireScope('manage:secret_groups')
  @ApiOperation({ summary: 'Create a secret group' })
  @ApiZodBody(createSecretGroupBody)
  create(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Body(new ZodPipe(createSecretGroupBody)) body: CreateSecretGroupBody,
  ) {
    return this.groups.create(orgId, envId, body);
  }

  @Get()
  @RequireScope('read:secret_groups')
  @ApiOperation({ summary: "List the environment's secret groups" })
  @ApiZodResponse(200, z.array(secretGroupSchema), 'The secret groups of the environment')
  list(@Param('orgId') orgId: string, @Param('envId') envId: string) {
    return this.groups.list(orgId, envId);
  }

  @Get(':secretGroupId')
  @RequireScope('read:secret_groups')
  @ApiOperation({ summary: 'Get a secret group' })
  get(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('secretGroupId') secretGroupId: string) {
    return this.groups.get(orgId, envId, secretGroupId);
  }

  @Delete(':secretGroupId')
  @HttpCode(204)
  @RequireScope('manage:secret_groups')
  @ApiOperation({ summary: 'Delete a secret group that holds no TLS contexts' })
  async delete(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('secretGroupId') secretGroupId: string,
  ): Promise<void> {
    await this.groups.delete(orgId, envId, secretGroupId);
  }
}
