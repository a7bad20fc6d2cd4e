import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { SecretsManagerModule } from '../secrets-manager/secrets-manager.module.js';
import { ApiInstancesController } from './api-instances.controller.js';
import { ApiInstancesRepository } from './api-instances.repository.js';
import { ApiInstancesService } from './api-instances.service.js';
import { UpstreamsController } from './upstreams.controller.js';
import { UpstreamsService } from './upstreams.service.js';

@Module({
  imports: [DeploymentsModule, SecretsManagerModule],
  controllers: [ApiInstancesController, UpstreamsController],
  providers: [ApiInstancesRepository, ApiInstancesService, UpstreamsService],
  exports: [ApiInstancesRepository],
})
export class ApiInstancesModule {}
