import { Module } from '@nestjs/common';
import { ExchangeModule } from '../exchange/exchange.module.js';
import { GraphApiController } from './graph-api.controller.js';

/** The Exchange Graph API (`/graph/api/v2/graphql`), over Exchange's assets. */
@Module({
  imports: [ExchangeModule],
  controllers: [GraphApiController],
})
export class GraphApiModule {}
