import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { IntIdPipe } from '../common/integer-id.js';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { AlertsService } from './alerts.service.js';
import {
  legacyAlertBody,
  type LegacyAlertBody,
  legacyAlertPatch,
  type LegacyAlertPatch,
  listLegacyAlertsQuery,
  type ListLegacyAlertsQuery,
} from './legacy-alerts.dto.js';

const API_ID = new IntIdPipe('API_NOT_FOUND', 'API instance');

/**
 * API Manager's alerts of an instance (`api-mgr alert add-legacy | list-legacy`). Alerts are part
 * of the API's configuration here: reads need View APIs Configuration, writes Manage APIs
 * Configuration (Anypoint's "Manage API Alerts" has no scope of its own in Portico).
 */
@ApiTags('API Manager alerts')
@Controller('apimanager/api/v1/organizations/:orgId/environments/:envId/apis/:apiId/alerts')
export class LegacyAlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @ApiOperation({ summary: 'Create an alert on an API instance' })
  @ApiZodBody(legacyAlertBody)
  @RequireScope('manage:api_configuration')
  @Post()
  create(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Body(new ZodPipe(legacyAlertBody)) body: LegacyAlertBody,
  ) {
    return this.alerts.createLegacy({ orgId, envId, apiId }, body);
  }

  @ApiOperation({ summary: "List an API instance's alerts" })
  @RequireScope('read:api_configuration')
  @Get()
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Query(new ZodPipe(listLegacyAlertsQuery)) query: ListLegacyAlertsQuery,
  ) {
    return this.alerts.listLegacy({ orgId, envId, apiId }, query);
  }

  @ApiOperation({ summary: 'Get an alert' })
  @RequireScope('read:api_configuration')
  @Get(':alertId')
  get(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('alertId') alertId: string,
  ) {
    return this.alerts.getLegacy({ orgId, envId, apiId }, alertId);
  }

  @ApiOperation({
    summary: 'Update an alert',
    description:
      'Each field sent replaces the stored one (condition, period and recipients whole); the result must be a valid alert.',
  })
  @ApiZodBody(legacyAlertPatch)
  @RequireScope('manage:api_configuration')
  @Patch(':alertId')
  update(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('alertId') alertId: string,
    @Body(new ZodPipe(legacyAlertPatch)) body: LegacyAlertPatch,
  ) {
    return this.alerts.patchLegacy({ orgId, envId, apiId }, alertId, body);
  }

  @ApiOperation({ summary: 'Delete an alert' })
  @RequireScope('manage:api_configuration')
  @Delete(':alertId')
  @HttpCode(204)
  async remove(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('alertId') alertId: string,
  ): Promise<void> {
    await this.alerts.removeLegacy({ orgId, envId, apiId }, alertId);
  }
}
