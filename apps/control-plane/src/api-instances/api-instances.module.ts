import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { SecretsManagerModule } from '../secrets-manager/secrets-manager.module.js';
import { ApiInstancesController } from './api-instances.controller.js';
import { ApiInstancesRepository } from './api-instances.repository.js';
import { ApiInstancesService } from './api-instances.service.js';
import { ApiPromotionService } from './api-promotion.service.js';
import { ApiRuntimeController } from './api-runtime.controller.js';
import { UpstreamsController } from './upstreams.controller.js';
import { UpstreamsService } from './upstreams.service.js';

@Module({
  imports: [AlertsModule, DeploymentsModule, PoliciesModule, SecretsManagerModule],
  controllers: [ApiInstancesController, ApiRuntimeController, UpstreamsController],
  providers: [ApiInstancesRepository, ApiInstancesService, ApiPromotionService, UpstreamsService],
  exports: [ApiInstancesRepository, ApiInstancesService],
})
export class ApiInstancesModule {}
