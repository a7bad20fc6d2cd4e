import { Module } from '@nestjs/common';
import { ApiInstancesModule } from '../api-instances/api-instances.module.js';
import { AccessLogsController } from './access-logs.controller.js';
import { AccessLogsService } from './access-logs.service.js';
import { AnalyticsEventsController } from './analytics-events.controller.js';
import { AnalyticsEventsService } from './analytics-events.service.js';
import { AnalyticsRepository } from './analytics.repository.js';

/** REST reads of the stored access events: Anypoint's event report, the log search, analytics and the workflow graph. */
@Module({
  imports: [ApiInstancesModule],
  controllers: [AnalyticsEventsController, AccessLogsController],
  providers: [AnalyticsRepository, AnalyticsEventsService, AccessLogsService],
})
export class AnalyticsModule {}
