import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  createTlsContextBody,
  type CreateTlsContextBody,
  tlsContextSchema,
  updateTlsContextBody,
  type UpdateTlsContextBody,
} from './secrets-manager.dto.js';
import { TlsContextsService } from './tls-contexts.service.js';

/** TLS contexts of a secret group, for the outbound traffic of gateways to upstreams. */
@ApiTags('Secrets Manager')
@Controller('secrets-manager/api/v1/organizations/:orgId/environments/:envId/secretGroups/:secretGroupId/tlsContexts')
export class TlsContextsController {
  constructor(private readonly contexts: TlsContextsService) {}

  @Post()
  @RequireScope('manage:secret_groups')
  @ApiOperation({ summary: 'Create a TLS context (Flex Gateway outbound TLS: CA bundle, client certificate, SNI)' })
  @ApiZodBody(createTlsContextBody)
  create(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('secretGroupId') secretGroupId: string,
    @Body(new ZodPipe(createTlsContextBody)) body: CreateTlsContextBody,
  ) {
    return this.contexts.create(orgId, envId, secretGroupId, body);
  }

  @Get()
  @RequireScope('read:secret_groups')
  @ApiOperation({ summary: "List a secret group's TLS contexts" })
  @ApiZodResponse(200, z.array(tlsContextSchema), 'The TLS contexts of the group')
  list(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('secretGroupId') secretGroupId: string) {
    return this.contexts.list(orgId, envId, secretGroupId);
  }

  @Get(':tlsContextId')
  @RequireScope('read:secret_groups')
  @ApiOperation({ summary: 'Get a TLS context (the private key reads ********)' })
  get(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('secretGroupId') secretGroupId: string,
    @Param('tlsContextId') tlsContextId: string,
  ) {
    return this.contexts.get(orgId, envId, secretGroupId, tlsContextId);
  }

  @Patch(':tlsContextId')
  @RequireScope('manage:secret_groups')
  @ApiOperation({ summary: 'Change a TLS context; gateways using it pick the change up' })
  @ApiZodBody(updateTlsContextBody)
  update(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('secretGroupId') secretGroupId: string,
    @Param('tlsContextId') tlsContextId: string,
    @Body(new ZodPipe(updateTlsContextBody)) body: UpdateTlsContextBody,
  ) {
    return this.contexts.update(orgId, envId, secretGroupId, tlsContextId, body);
  }

  @Delete(':tlsContextId')
  @HttpCode(204)
  @RequireScope('manage:secret_groups')
  @ApiOperation({ summary: 'Delete a TLS context no upstream references' })
  async delete(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('secretGroupId') secretGroupId: string,
    @Param('tlsContextId') tlsContextId: string,
  ): Promise<void> {
    await this.contexts.delete(orgId, envId, secretGroupId, tlsContextId);
  }
}
