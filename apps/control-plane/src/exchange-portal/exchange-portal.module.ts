import { Module } from '@nestjs/common';
import { ExchangeModule } from '../exchange/exchange.module.js';
import { ExchangePortalV1Controller } from './exchange-portal-v1.controller.js';
import { ExchangePortalController } from './exchange-portal.controller.js';
import { ExchangePortalRepository } from './exchange-portal.repository.js';
import { ExchangePortalService } from './exchange-portal.service.js';
import { MarkdownBodyParser } from './markdown-body.js';

/** The documentation (pages and resources) of Exchange asset versions, published and in draft. */
@Module({
  imports: [ExchangeModule],
  controllers: [ExchangePortalController, ExchangePortalV1Controller],
  providers: [ExchangePortalRepository, ExchangePortalService, MarkdownBodyParser],
})
export class ExchangePortalModule {}
