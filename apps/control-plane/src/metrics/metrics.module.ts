import { Module } from '@nestjs/common';
import { AccessEventsModule } from '../access-events/access-events.module.js';
import { ConfigSyncModule } from '../config-sync/config-sync.module.js';
import { ControlPlaneMetrics } from './control-plane-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRepository } from './metrics.repository.js';

@Module({
  imports: [ConfigSyncModule, AccessEventsModule],
  controllers: [MetricsController],
  providers: [ControlPlaneMetrics, MetricsRepository],
})
export class MetricsModule {}
