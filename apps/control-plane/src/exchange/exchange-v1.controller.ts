import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Put, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { AssetFileLinks } from './asset-file-links.js';
import { ExchangeAssetsService } from './exchange-assets.service.js';
import { ExchangeCurationService } from './exchange-curation.service.js';
import { DELETE_TYPES, metadataBody, type MetadataBody, parseDeleteType, tagsBody } from './exchange.dto.js';
import { assetV1 } from './exchange.view.js';

type Coordinates = Record<'groupId' | 'assetId' | 'version', string>;
type OrgCoordinates = Coordinates & { orgId: string };

/**
 * Exchange's v1 asset routes that anypoint-cli-v4 calls: `asset describe` / `download` (GET),
 * `asset modify` (metadata, tags) and `asset delete`. They share the rules of the v2 routes
 * (exchange-assets.service.ts, exchange-curation.service.ts); on `…/organizations/{orgId}/…` the
 * version must also belong to that organization (404 otherwise).
 */
@ApiTags('Exchange')
@Controller('exchange/api/v1')
export class ExchangeV1Controller {
  constructor(
    private readonly assets: ExchangeAssetsService,
    private readonly curation: ExchangeCurationService,
    private readonly links: AssetFileLinks,
  ) {}

  @Get('assets/:groupId/:assetId/:version')
  @ApiOperation({ summary: 'Get an asset version (v1 body: tag objects, productAPIVersions, file externalLinks)' })
  async get(@CurrentPrincipal() principal: Principal, @Param() p: Coordinates, @Req() req: FastifyRequest) {
    const { asset, versions } = await this.assets.get(principal, p.groupId, p.assetId, p.version);
    return assetV1(asset, this.links.forRequest(req), versions);
  }

  /** anypoint-cli `asset modify --tags`: the tags of the version, replaced as a whole. */
  @Put('assets/:groupId/:assetId/:version/tags')
  @HttpCode(204)
  @ApiOperation({ summary: 'Replace the tags of an asset version' })
  @ApiZodBody(tagsBody)
  async setTags(
    @CurrentPrincipal() principal: Principal,
    @Param() p: Coordinates,
    @Body(new ZodPipe(tagsBody)) tags: string[],
  ): Promise<void> {
    await this.curation.setTags(principal, p, tags);
  }

  /** anypoint-cli `asset modify --name`. */
  @Patch('organizations/:orgId/assets/:groupId/:assetId/:version/metadata')
  @HttpCode(204)
  @RequireScope('create:exchange')
  @ApiOperation({ summary: 'Change the name, description or contact of an asset version' })
  @ApiZodBody(metadataBody)
  async setMetadata(
    @CurrentPrincipal() principal: Principal,
    @Param() p: OrgCoordinates,
    @Body(new ZodPipe(metadataBody)) body: MetadataBody,
  ): Promise<void> {
    await this.curation.setMetadata(principal, p.orgId, p, body);
  }

  /** anypoint-cli `asset delete` (sends `X-Delete-Type: hard-delete`): the rule of every delete route. */
  @Delete('organizations/:orgId/assets/:groupId/:assetId/:version')
  @HttpCode(204)
  @RequireScope('create:exchange')
  @ApiOperation({ summary: 'Delete an asset version of the organization' })
  @ApiHeader({
    name: 'x-delete-type',
    required: false,
    schema: { type: 'string', enum: [...DELETE_TYPES], default: 'soft-delete' },
  })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param() p: OrgCoordinates,
    @Headers('x-delete-type') deleteType: string | undefined,
  ): Promise<void> {
    await this.assets.deleteInOrganization(principal, p.orgId, p, parseDeleteType(deleteType));
  }
}
