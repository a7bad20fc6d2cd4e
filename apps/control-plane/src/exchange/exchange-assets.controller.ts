import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { ApiZodBody, ApiZodMultipartBody } from '../common/openapi.js';
import { parseInput, ZodPipe } from '../common/validation.js';
import { ENV, type Env } from '../config/env.js';
import { publicBaseUrl } from '../config/public-url.js';
import { type AssetDraft, draftFromJson, draftFromLegacyForm } from './asset-draft.js';
import { ExchangeAssetsService } from './exchange-assets.service.js';
import { readMultipart } from './exchange-multipart.js';
import { ExchangePublicationService } from './exchange-publication.service.js';
import { createAssetBody, legacyForm, searchQuery, type SearchQuery } from './exchange.dto.js';
import { assetDetail, searchItem } from './exchange.view.js';

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  raml: 'application/raml+yaml',
  xml: 'application/xml',
  wsdl: 'application/xml',
  zip: 'application/zip',
  jar: 'application/java-archive',
};

type Coordinates = Record<'groupId' | 'assetId' | 'version', string>;

/** Exchange assets across organizations (contract §3.3–§3.6); permissions are checked per asset. */
@ApiTags('Exchange')
@Controller('exchange/api/v2/assets')
export class ExchangeAssetsController {
  constructor(
    private readonly assets: ExchangeAssetsService,
    private readonly publication: ExchangePublicationService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Legacy multipart create (contract §3.3) or the JSON create of seed 001 step 1. */
  @Post()
  @ApiOperation({ summary: 'Create an asset version (JSON, or legacy multipart/form-data)' })
  @ApiConsumes('application/json')
  @ApiZodBody(createAssetBody)
  @ApiZodMultipartBody(
    legacyForm,
    [
      { name: 'asset', file: true, description: 'the asset file, stored under its classifier and extension' },
      { name: 'files.mcp-metadata.json', file: true, description: 'a file part, named files.<classifier>.<packaging>' },
      { name: 'properties.platform', file: false, description: 'an asset attribute, named properties.<name>' },
    ],
    'Legacy form (contract §3.3); the JSON body of seed 001 step 1 is the other way',
  )
  async create(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const asset = await this.publication.create(principal, await this.draftOf(req));
    return assetDetail(asset, publicBaseUrl(this.env, req));
  }

  /** Not org-scoped: everything the caller can see, as a bare array (contract §3.4). */
  @Get('search')
  @ApiOperation({ summary: 'Search assets across the organizations the caller can see' })
  async search(@CurrentPrincipal() principal: Principal, @Query(new ZodPipe(searchQuery)) query: SearchQuery) {
    return (await this.assets.search(principal, query)).map(searchItem);
  }

  @Get(':groupId/:assetId/:version/files/:classifier/:packaging')
  @ApiOperation({ summary: 'Download a file of an asset version' })
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param() p: Coordinates & Record<'classifier' | 'packaging', string>,
  ): Promise<StreamableFile> {
    const file = await this.assets.file(principal, p.groupId, p.assetId, p.version, p.classifier, p.packaging);
    return new StreamableFile(Buffer.from(file.content), {
      type: CONTENT_TYPES[file.packaging.toLowerCase()] ?? 'application/octet-stream',
      disposition: `attachment; filename="${p.assetId}-${p.version}-${file.classifier}.${file.packaging}"`,
      length: file.content.length,
    });
  }

  @Get(':groupId/:assetId/:version')
  @ApiOperation({ summary: 'Get an asset version' })
  async get(@CurrentPrincipal() principal: Principal, @Param() p: Coordinates, @Req() req: FastifyRequest) {
    const { asset, versions } = await this.assets.get(principal, p.groupId, p.assetId, p.version);
    return assetDetail(asset, publicBaseUrl(this.env, req), versions);
  }

  @Get(':groupId/:assetId')
  @ApiOperation({ summary: 'Get the latest version of an asset' })
  async latest(@CurrentPrincipal() principal: Principal, @Param() p: Omit<Coordinates, 'version'>, @Req() req: FastifyRequest) {
    const { asset, versions } = await this.assets.latest(principal, p.groupId, p.assetId);
    return assetDetail(asset, publicBaseUrl(this.env, req), versions);
  }

  /** Soft delete (contract §3.6): the version disappears, its group/asset/version stays taken. */
  @Delete(':groupId/:assetId/:version')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an asset version' })
  async delete(@CurrentPrincipal() principal: Principal, @Param() p: Coordinates): Promise<void> {
    await this.assets.delete(principal, p.groupId, p.assetId, p.version);
  }

  private async draftOf(req: FastifyRequest): Promise<AssetDraft> {
    if (req.isMultipart()) {
      return draftFromLegacyForm(await readMultipart(req, this.env.PORTICO_UPLOAD_LIMIT_BYTES));
    }
    if (/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return draftFromJson(parseInput(createAssetBody, req.body, 'body'));
    }
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json or multipart/form-data');
  }
}
