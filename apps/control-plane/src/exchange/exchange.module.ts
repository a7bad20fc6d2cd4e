import { Module } from '@nestjs/common';
import { AssetFileLinks } from './asset-file-links.js';
import { ExchangeAssetsController } from './exchange-assets.controller.js';
import { ExchangeAssetsService } from './exchange-assets.service.js';
import { ExchangeCurationService } from './exchange-curation.service.js';
import { ExchangeMutableDataController } from './exchange-mutable-data.controller.js';
import { ExchangePublicationController } from './exchange-publication.controller.js';
import { ExchangePublicationService } from './exchange-publication.service.js';
import { ExchangeV1Controller } from './exchange-v1.controller.js';
import { ExchangeRepository } from './exchange.repository.js';

/**
 * Exchange (contract §3). Exports ExchangeAssetsService for features that reference assets, and
 * AssetFileLinks for answers that list asset files (the Graph API).
 */
@Module({
  controllers: [ExchangePublicationController, ExchangeMutableDataController, ExchangeAssetsController, ExchangeV1Controller],
  providers: [ExchangeRepository, ExchangeAssetsService, ExchangePublicationService, ExchangeCurationService, AssetFileLinks],
  exports: [ExchangeAssetsService, ExchangePublicationService, AssetFileLinks],
})
export class ExchangeModule {}
