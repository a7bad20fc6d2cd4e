import { Module } from '@nestjs/common';
import { SlaTiersController } from './sla-tiers.controller.js';
import { SlaTiersRepository } from './sla-tiers.repository.js';
import { SlaTiersService } from './sla-tiers.service.js';

/** SLA tiers of API instances: the quotas contracts ask for and rate-limiting-sla-based enforces. */
@Module({
  controllers: [SlaTiersController],
  providers: [SlaTiersRepository, SlaTiersService],
})
export class SlaTiersModule {}
