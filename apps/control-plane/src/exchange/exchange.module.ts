import { Module } from '@nestjs/common';
import { ExchangeAssetsController } from './exchange-assets.controller.js';
import { ExchangeAssetsService } from './exchange-assets.service.js';
import { ExchangePublicationController } from './exchange-publication.controller.js';
import { ExchangePublicationService } from './exchange-publication.service.js';
import { ExchangeRepository } from './exchange.repository.js';

/** Exchange (contract §3). Exports ExchangeAssetsService for features that reference assets. */
@Module({
  controllers: [ExchangePublicationController, ExchangeAssetsController],
  providers: [ExchangeRepository, ExchangeAssetsService, ExchangePublicationService],
  exports: [ExchangeAssetsService],
})
export class ExchangeModule {}
