import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { AlertsService } from './alerts.service.js';
import {
  createMonitoringAlertQuery,
  type CreateMonitoringAlertQuery,
  listMonitoringAlertsQuery,
  type ListMonitoringAlertsQuery,
  monitoringAlertBody,
  type MonitoringAlertBody,
  monitoringAlertPut,
  type MonitoringAlertPut,
} from './monitoring-alerts.dto.js';

/**
 * Anypoint Monitoring's basic API alerts of an environment (`api-mgr alert add | list`). Scopes
 * as for API Manager's alerts (legacy-alerts.controller.ts).
 */
@ApiTags('Monitoring alerts')
@Controller('monitoring/api/alerts/api/v2/organizations/:orgId/environments/:envId/alerts')
export class MonitoringAlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @ApiOperation({ summary: 'Create a basic alert on an API instance' })
  @ApiZodBody(monitoringAlertBody)
  @RequireScope('manage:api_configuration')
  @Post()
  create(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(createMonitoringAlertQuery)) query: CreateMonitoringAlertQuery,
    @Body(new ZodPipe(monitoringAlertBody)) body: MonitoringAlertBody,
  ) {
    return this.alerts.createMonitoring({ orgId, envId }, query, body);
  }

  @ApiOperation({ summary: "List the environment's basic alerts, or an API instance's (apiId)" })
  @RequireScope('read:api_configuration')
  @Get()
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(listMonitoringAlertsQuery)) query: ListMonitoringAlertsQuery,
  ) {
    return this.alerts.listMonitoring({ orgId, envId }, query);
  }

  @ApiOperation({ summary: 'Get a basic alert' })
  @RequireScope('read:api_configuration')
  @Get(':alertId')
  get(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('alertId') alertId: string) {
    return this.alerts.getMonitoring({ orgId, envId }, alertId);
  }

  @ApiOperation({
    summary: 'Replace a basic alert',
    description: 'state: paused disables the alert, any other value enables it.',
  })
  @ApiZodBody(monitoringAlertPut)
  @RequireScope('manage:api_configuration')
  @Put(':alertId')
  replace(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('alertId') alertId: string,
    @Body(new ZodPipe(monitoringAlertPut)) body: MonitoringAlertPut,
  ) {
    return this.alerts.putMonitoring({ orgId, envId }, alertId, body);
  }

  @ApiOperation({ summary: 'Delete a basic alert' })
  @RequireScope('manage:api_configuration')
  @Delete(':alertId')
  @HttpCode(204)
  async remove(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('alertId') alertId: string): Promise<void> {
    await this.alerts.removeMonitoring({ orgId, envId }, alertId);
  }
}
