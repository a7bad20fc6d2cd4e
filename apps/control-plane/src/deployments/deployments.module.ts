import { Module } from '@nestjs/common';
import { GatewayTargetsModule } from '../gateway-targets/gateway-targets.module.js';
import { DeploymentsController } from './deployments.controller.js';
import { DeploymentsRepository } from './deployments.repository.js';
import { DeploymentsService } from './deployments.service.js';
import { TargetApisController } from './target-apis.controller.js';

/** Exports DeploymentsService for API instances (inline xapi deployment, proxyUri changes). */
@Module({
  imports: [GatewayTargetsModule],
  controllers: [DeploymentsController, TargetApisController],
  providers: [DeploymentsRepository, DeploymentsService],
  exports: [DeploymentsService],
})
export class DeploymentsModule {}
