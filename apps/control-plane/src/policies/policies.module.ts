import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { PoliciesController } from './policies.controller.js';
import { PoliciesRepository } from './policies.repository.js';
import { PoliciesService } from './policies.service.js';
import { PolicyTemplatesController } from './policy-templates.controller.js';
import { PolicyTemplatesService } from './policy-templates.service.js';

/** The policy catalog and applied policies; the built-in templates are seeded at start. */
@Module({
  controllers: [PolicyTemplatesController, PoliciesController],
  providers: [PoliciesRepository, PolicyTemplatesService, PoliciesService],
})
export class PoliciesModule implements OnApplicationBootstrap {
  constructor(private readonly templates: PolicyTemplatesService) {}

  onApplicationBootstrap(): Promise<void> {
    return this.templates.seed();
  }
}
