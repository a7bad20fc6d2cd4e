import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { ApiInstancesController } from './api-instances.controller.js';
import { ApiInstancesRepository } from './api-instances.repository.js';
import { ApiInstancesService } from './api-instances.service.js';
import { UpstreamsController } from './upstreams.controller.js';
import { UpstreamsService } from './upstreams.service.js';

@Module({
  imports: [DeploymentsModule],
  controllers: [ApiInstancesController, UpstreamsController],
  providers: [ApiInstancesRepository, ApiInstancesService, UpstreamsService],
})
export class ApiInstancesModule {}
