import { Module } from '@nestjs/common';
import { GatewayManagerController } from './gateway-manager.controller.js';
import { GatewayTargetsController } from './gateway-targets.controller.js';
import { GatewayTargetsRepository } from './gateway-targets.repository.js';
import { GatewayTargetsService } from './gateway-targets.service.js';
import { RegistrationTokensController } from './registration-tokens.controller.js';
import { RegistrationTokensService } from './registration-tokens.service.js';
import { StandaloneGatewaysController } from './standalone-gateways.controller.js';

@Module({
  controllers: [GatewayTargetsController, GatewayManagerController, StandaloneGatewaysController, RegistrationTokensController],
  providers: [GatewayTargetsRepository, GatewayTargetsService, RegistrationTokensService],
  exports: [GatewayTargetsService],
})
export class GatewayTargetsModule {}
