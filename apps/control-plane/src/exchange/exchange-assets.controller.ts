import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CurrentPrincipal, Public } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { ApiZodBody, ApiZodMultipartBody, ApiZodResponse } from '../common/openapi.js';
import { parseInput, ZodPipe } from '../common/validation.js';
import { ENV, type Env } from '../config/env.js';
import { type AssetDraft, draftFromJson, draftFromLegacyForm } from './asset-draft.js';
import { AssetFileLinks, linkFileName } from './asset-file-links.js';
import { ExchangeAssetsService, linkInvalid } from './exchange-assets.service.js';
import { ExchangeCurationService } from './exchange-curation.service.js';
import { closeConnectionAfterUpload, readMultipart } from './exchange-multipart.js';
import { ExchangePublicationService } from './exchange-publication.service.js';
import {
  assetSearchItem,
  createAssetBody,
  DELETE_TYPES,
  legacyForm,
  parseDeleteType,
  required,
  searchQuery,
  type SearchQuery,
  statusBody,
  type StatusBody,
} from './exchange.dto.js';
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

const fileLinkQuery = z.strictObject({ link: z.string(required('must be a string')).max(512, 'must be at most 512 characters') });
type FileLinkQuery = z.infer<typeof fileLinkQuery>;

function fileResponse(file: { classifier: string; packaging: string; content: Uint8Array }, asset: Coordinates): StreamableFile {
  return new StreamableFile(Buffer.from(file.content), {
    type: CONTENT_TYPES[file.packaging.toLowerCase()] ?? 'application/octet-stream',
    disposition: `attachment; filename="${linkFileName(asset, file)}"`,
    length: file.content.length,
  });
}

/** Exchange assets across organizations (contract §3.3–§3.6); permissions are checked per asset. */
@ApiTags('Exchange')
@Controller('exchange/api/v2/assets')
export class ExchangeAssetsController {
  constructor(
    private readonly assets: ExchangeAssetsService,
    private readonly publication: ExchangePublicationService,
    private readonly curation: ExchangeCurationService,
    private readonly links: AssetFileLinks,
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
  async create(
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (req.isMultipart()) closeConnectionAfterUpload(reply);
    const asset = await this.publication.create(principal, await this.draftOf(req));
    return assetDetail(asset, this.links.forRequest(req));
  }

  /** Not org-scoped: everything the caller can see, as a bare array (contract §3.4). */
  @Get('search')
  @ApiOperation({ summary: 'Search assets across the organizations the caller can see' })
  @ApiZodResponse(200, z.array(assetSearchItem), 'The matching asset versions, as a bare array')
  async search(@CurrentPrincipal() principal: Principal, @Query(new ZodPipe(searchQuery)) query: SearchQuery) {
    return (await this.assets.search(principal, query)).map(searchItem);
  }

  @Get(':groupId/:assetId/:version/files/:classifier/:packaging')
  @ApiOperation({ summary: 'Download a file of an asset version' })
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param() p: Coordinates & Record<'classifier' | 'packaging', string>,
  ): Promise<StreamableFile> {
    return fileResponse(await this.assets.file(principal, p.groupId, p.assetId, p.version, p.classifier, p.packaging), p);
  }

  /**
   * A file's `externalLink` (asset-file-links.ts): no Authorization header, the `link` token
   * says which file it opens until when. A token for another file, or an expired one, is a 403.
   */
  @Get(':groupId/:assetId/:version/files/:classifier/:packaging/:fileName')
  @Public()
  @ApiOperation({ summary: "Download a file through its externalLink (no bearer token: the link's token authorizes it)" })
  async downloadLinked(
    @Param() p: Coordinates & Record<'classifier' | 'packaging' | 'fileName', string>,
    @Query(new ZodPipe(fileLinkQuery)) query: FileLinkQuery,
  ): Promise<StreamableFile> {
    const file = await this.assets.linkedFile(this.links.fileIdOf(query.link));
    const { asset } = file;
    const same =
      asset.groupId === p.groupId &&
      asset.assetId === p.assetId &&
      asset.version === p.version &&
      file.classifier === p.classifier &&
      file.packaging === p.packaging &&
      linkFileName(asset, file) === p.fileName;
    if (!same) throw linkInvalid();
    return fileResponse(file, asset);
  }

  @Get(':groupId/:assetId/:version')
  @ApiOperation({ summary: 'Get an asset version' })
  async get(@CurrentPrincipal() principal: Principal, @Param() p: Coordinates, @Req() req: FastifyRequest) {
    const { asset, versions } = await this.assets.get(principal, p.groupId, p.assetId, p.version);
    return assetDetail(asset, this.links.forRequest(req), versions);
  }

  @Get(':groupId/:assetId')
  @ApiOperation({ summary: 'Get the latest version of an asset' })
  async latest(@CurrentPrincipal() principal: Principal, @Param() p: Omit<Coordinates, 'version'>, @Req() req: FastifyRequest) {
    const { asset, versions } = await this.assets.latest(principal, p.groupId, p.assetId);
    return assetDetail(asset, this.links.forRequest(req), versions);
  }

  /**
   * anypoint-cli `asset deprecate` / `undeprecate` / `updateStatus`: development → published →
   * deprecated → published (exchange-curation.service.ts).
   */
  @Put(':groupId/:assetId/:version/status')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change the status of an asset version (publish, deprecate, undeprecate)' })
  @ApiZodBody(statusBody)
  async setStatus(
    @CurrentPrincipal() principal: Principal,
    @Param() p: Coordinates,
    @Body(new ZodPipe(statusBody)) body: StatusBody,
  ): Promise<void> {
    await this.curation.setStatus(principal, p, body.status);
  }

  /**
   * Contract §3.6: `X-Delete-Type: soft-delete` (the default) keeps the group/asset/version taken;
   * `hard-delete` frees it. A version an API instance uses is kept (409).
   */
  @Delete(':groupId/:assetId/:version')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an asset version' })
  @ApiHeader({
    name: 'x-delete-type',
    required: false,
    schema: { type: 'string', enum: [...DELETE_TYPES], default: 'soft-delete' },
  })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param() p: Coordinates,
    @Headers('x-delete-type') deleteType: string | undefined,
  ): Promise<void> {
    await this.assets.delete(principal, p.groupId, p.assetId, p.version, parseDeleteType(deleteType));
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
