import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../auth/decorators.js';
import { IntIdPipe } from '../common/integer-id.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  clientApplicationSchema,
  clientApplicationWithSecret,
  contractSchema,
  createApplicationBody,
  updateApplicationBody,
  type CreateApplicationBody,
  type UpdateApplicationBody,
} from './client-applications.dto.js';
import { ClientApplicationsService } from './client-applications.service.js';

const applicationId = new IntIdPipe('APPLICATION_NOT_FOUND', 'Application');

@ApiTags('Exchange client applications')
@Controller('exchange/api/v2/organizations/:orgId/applications')
export class ClientApplicationsController {
  constructor(private readonly apps: ClientApplicationsService) {}

  @ApiOperation({ summary: 'Create a client application (its secret is shown only in this response)' })
  @ApiZodBody(createApplicationBody)
  @RequireScope('create:client_applications')
  @Post()
  @ApiZodResponse(201, clientApplicationWithSecret, 'The application with its client secret, shown this once')
  create(@Param('orgId') orgId: string, @Body(new ZodPipe(createApplicationBody)) body: CreateApplicationBody) {
    return this.apps.create(orgId, body);
  }

  @ApiOperation({ summary: 'List client applications' })
  @RequireScope('read:client_applications')
  @Get()
  @ApiZodResponse(200, z.array(clientApplicationSchema), 'The applications of the organization')
  list(@Param('orgId') orgId: string) {
    return this.apps.list(orgId);
  }

  @ApiOperation({ summary: 'Get a client application' })
  @RequireScope('read:client_applications')
  @Get(':applicationId')
  @ApiZodResponse(200, clientApplicationSchema, 'The application')
  get(@Param('orgId') orgId: string, @Param('applicationId', applicationId) id: number) {
    return this.apps.get(orgId, id);
  }

  @ApiOperation({ summary: 'Update a client application' })
  @ApiZodBody(updateApplicationBody)
  @RequireScope('create:client_applications')
  @Patch(':applicationId')
  update(
    @Param('orgId') orgId: string,
    @Param('applicationId', applicationId) id: number,
    @Body(new ZodPipe(updateApplicationBody)) body: UpdateApplicationBody,
  ) {
    return this.apps.update(orgId, id, body);
  }

  @ApiOperation({ summary: 'Delete a client application and its contracts' })
  @RequireScope('create:client_applications')
  @Delete(':applicationId')
  @HttpCode(204)
  async remove(@Param('orgId') orgId: string, @Param('applicationId', applicationId) id: number): Promise<void> {
    await this.apps.remove(orgId, id);
  }

  @ApiOperation({ summary: 'Reset the client secret (the new one is shown only in this response)' })
  @RequireScope('create:client_applications')
  @Post(':applicationId/secret/reset')
  @HttpCode(201)
  @ApiZodResponse(201, clientApplicationWithSecret, 'The application with its new client secret, shown this once')
  resetSecret(@Param('orgId') orgId: string, @Param('applicationId', applicationId) id: number) {
    return this.apps.resetSecret(orgId, id);
  }

  @ApiOperation({ summary: "List a client application's contracts" })
  @RequireScope('read:client_applications')
  @Get(':applicationId/contracts')
  @ApiZodResponse(200, z.array(contractSchema), 'The contracts of the application')
  contracts(@Param('orgId') orgId: string, @Param('applicationId', applicationId) id: number) {
    return this.apps.applicationContracts(orgId, id);
  }
}
