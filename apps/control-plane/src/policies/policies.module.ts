import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { GatewayTargetsModule } from '../gateway-targets/gateway-targets.module.js';
import { PoliciesController } from './policies.controller.js';
import { PoliciesRepository } from './policies.repository.js';
import { PoliciesService } from './policies.service.js';
import { PolicyTemplatesController } from './policy-templates.controller.js';
import { PolicyTemplatesService } from './policy-templates.service.js';

/** The policy catalog and applied policies; the built-in templates are seeded at start. */
@Module({
  imports: [GatewayTargetsModule],
  controllers: [PolicyTemplatesController, PoliciesController],
  providers: [PoliciesRepository, PolicyTemplatesService, PoliciesService],
  exports: [PolicyTemplatesService, PoliciesService],
})
export class PoliciesModule implements OnApplicationBootstrap {
  constructor(private readonly templates: PolicyTemplatesService) {}

  onApplicationBootstrap(): Promise<void> {
    return this.templates.seed();
  }
}
