import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireScope } from '../auth/decorators.js';
import { ZodPipe } from '../common/validation.js';
import { analyticsEventsQuery, type AnalyticsEventsQuery } from './analytics.dto.js';
import { AnalyticsEventsService } from './analytics-events.service.js';

/** Anypoint's Analytics Event API (`/analytics/1.0/{orgId}/environments/{envId}/events`). */
@ApiTags('Analytics')
@Controller('analytics/1.0/:orgId/environments/:envId/events')
export class AnalyticsEventsController {
  constructor(private readonly events: AnalyticsEventsService) {}

  @Get()
  @RequireScope('read:analytics')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Report the events of an environment (Anypoint Analytics Event API), oldest first',
    description:
      'JSON: an array of records keyed by field name ("API ID", "Status Code", "Timestamp", …); CSV: a header of the field names, then one line per event.',
  })
  async report(
    @Param('envId') envId: string,
    @Query(new ZodPipe(analyticsEventsQuery)) query: AnalyticsEventsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const report = await this.events.report(envId, query);
    if (report.format === 'csv') void reply.header('content-type', 'text/csv; charset=utf-8');
    return report.body;
  }
}
