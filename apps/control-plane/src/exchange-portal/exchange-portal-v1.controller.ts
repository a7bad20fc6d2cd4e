import { Controller, HttpCode, Param, Patch } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ZodPipe } from '../common/validation.js';
import { type AssetParams, assetParams } from './exchange-portal.dto.js';
import { ExchangePortalService } from './exchange-portal.service.js';

/**
 * Exchange API v1's PATCH on an asset version, without a body, publishes its portal draft: the
 * call anypoint-cli 1.6.12 ends every `exchange asset page upload|update|modify|delete` with
 * (its `publishAssetDraft`), where v2 has PATCH …/portal.
 */
@ApiTags('Exchange portal')
@Controller('exchange/api/v1/assets/:groupId/:assetId/:version')
export class ExchangePortalV1Controller {
  constructor(private readonly portal: ExchangePortalService) {}

  @Patch()
  @HttpCode(204)
  @ApiOperation({ summary: "Publish the asset version's portal draft (no body; v2: PATCH …/portal)" })
  async publish(@CurrentPrincipal() principal: Principal, @Param(new ZodPipe(assetParams)) a: AssetParams): Promise<void> {
    await this.portal.publish(principal, a);
  }
}
