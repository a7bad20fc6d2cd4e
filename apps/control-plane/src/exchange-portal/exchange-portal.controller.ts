import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { ApiZodBody, ApiZodMultipartBody, ApiZodResponse } from '../common/openapi.js';
import { parseInput, ZodPipe } from '../common/validation.js';
import { ENV, type Env } from '../config/env.js';
import {
  type AssetParams,
  assetParams,
  type CreatePageBody,
  createPageBody,
  moveSourceHeader,
  type PageParams,
  pageParams,
  portalPage,
  portalResource,
  portalView,
  type ResourceParams,
  resourceParams,
} from './exchange-portal.dto.js';
import type { PortalState } from './exchange-portal.repository.js';
import { ExchangePortalService } from './exchange-portal.service.js';
import { MARKDOWN } from './markdown-body.js';
import { readResourceUpload } from './resource-upload.js';

const ASSET = new ZodPipe(assetParams);
const PAGE = new ZodPipe(pageParams);
const RESOURCE = new ZodPipe(resourceParams);

/**
 * Exchange's asset portal routes (Exchange Experience API v2, "Asset Documentation"), which
 * anypoint-cli `exchange asset page …` and `exchange asset resource …` call. Routes under
 * `portal/draft` read or change the draft; the others read the published portal, except PATCH
 * `portal`, which publishes the draft (as PUT `portal/draft` and anypoint-cli's PATCH on the v1
 * asset do). Permissions are checked per asset (exchange-portal.service.ts).
 */
@ApiTags('Exchange portal')
@Controller('exchange/api/v2/assets/:groupId/:assetId/:version/portal')
export class ExchangePortalController {
  constructor(
    private readonly portal: ExchangePortalService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The published portal: draft status and pages' })
  @ApiZodResponse(200, portalView, 'draftStatus and the published pages')
  view(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams) {
    return this.portal.view(principal, a, 'published');
  }

  @Patch()
  @HttpCode(204)
  @ApiOperation({ summary: 'Publish the draft (no body)' })
  async publish(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams): Promise<void> {
    await this.portal.publish(principal, a);
  }

  @Get('pages')
  @ApiOperation({ summary: 'List the published pages' })
  @ApiZodResponse(200, z.array(portalPage), 'the published pages, in the order they were created')
  pages(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams) {
    return this.portal.pages(principal, a, 'published');
  }

  @Get('pages/:pagePath')
  @ApiOperation({ summary: 'A published page: its markdown, or {path, name} when application/json is asked for' })
  @ApiProduces(MARKDOWN, 'application/json')
  page(
    @CurrentPrincipal() principal: Principal,
    @Param(PAGE) p: PageParams,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.sendPage(principal, p, 'published', accept, reply);
  }

  @Get('resources')
  @ApiOperation({ summary: 'List the published resources' })
  @ApiZodResponse(200, z.array(portalResource), 'the paths pages link the published resources by')
  resources(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams) {
    return this.portal.resources(principal, a, 'published');
  }

  @Get('resources/:resourceId')
  @ApiOperation({ summary: 'Download a published resource' })
  @Header('x-content-type-options', 'nosniff')
  @Header('content-security-policy', "default-src 'none'; sandbox")
  resource(@CurrentPrincipal() principal: Principal, @Param(RESOURCE) r: ResourceParams) {
    return this.sendResource(principal, r, 'published');
  }

  @Get('draft')
  @ApiOperation({ summary: 'The draft: draft status and pages (anypoint-cli calls it to enter draft mode)' })
  @ApiZodResponse(200, portalView, 'draftStatus and the pages of the draft')
  draft(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams) {
    return this.portal.view(principal, a, 'draft');
  }

  @Put('draft')
  @HttpCode(204)
  @ApiOperation({ summary: 'Publish the draft (no body)' })
  async publishDraft(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams): Promise<void> {
    await this.portal.publish(principal, a);
  }

  @Delete('draft')
  @HttpCode(204)
  @ApiOperation({ summary: "Discard the draft's changes" })
  async discard(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams): Promise<void> {
    await this.portal.discard(principal, a);
  }

  @Get('draft/pages')
  @ApiOperation({ summary: 'List the pages of the draft' })
  @ApiZodResponse(200, z.array(portalPage), 'the pages of the draft')
  draftPages(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams) {
    return this.portal.pages(principal, a, 'draft');
  }

  @Post('draft/pages')
  @ApiOperation({ summary: 'Create an empty page in the draft, or rename the page x-move-source names' })
  @ApiHeader({ name: 'x-move-source', required: false, description: 'the draft page to rename to pagePath' })
  @ApiZodBody(createPageBody)
  @ApiZodResponse(201, portalPage, 'the page created (or renamed)')
  async createPage(
    @CurrentPrincipal() principal: Principal,
    @Param(ASSET) a: AssetParams,
    @Body(new ZodPipe(createPageBody)) body: CreatePageBody,
    @Headers('x-move-source') moveSource: string | undefined,
  ) {
    const source = parseInput(moveSourceHeader, { 'x-move-source': moveSource }, 'headers')['x-move-source'];
    await this.portal.createPage(principal, a, body.pagePath, source);
    return { path: body.pagePath, name: body.pagePath };
  }

  @Get('draft/pages/:pagePath')
  @ApiOperation({ summary: 'A page of the draft: its markdown, or {path, name} when application/json is asked for' })
  @ApiProduces(MARKDOWN, 'application/json')
  draftPage(
    @CurrentPrincipal() principal: Principal,
    @Param(PAGE) p: PageParams,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.sendPage(principal, p, 'draft', accept, reply);
  }

  @Put('draft/pages/:pagePath')
  @HttpCode(204)
  @ApiOperation({ summary: 'Replace the markdown of a page of the draft' })
  @ApiConsumes(MARKDOWN)
  @ApiBody({ schema: { type: 'string' }, description: 'the page, in markdown' })
  async writePage(@CurrentPrincipal() principal: Principal, @Param(PAGE) p: PageParams, @Req() req: FastifyRequest) {
    if (!new RegExp(`^${MARKDOWN}\\b`, 'i').test(req.headers['content-type'] ?? '')) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${MARKDOWN}: the body is the page's markdown`);
    }
    await this.portal.writePage(principal, p, typeof req.body === 'string' ? req.body : '');
  }

  @Delete('draft/pages/:pagePath')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a page of the draft' })
  async deletePage(@CurrentPrincipal() principal: Principal, @Param(PAGE) p: PageParams): Promise<void> {
    await this.portal.deletePage(principal, p);
  }

  @Get('draft/resources')
  @ApiOperation({ summary: 'List the resources of the draft' })
  @ApiZodResponse(200, z.array(portalResource), 'the paths pages link the resources of the draft by')
  draftResources(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams) {
    return this.portal.resources(principal, a, 'draft');
  }

  @Post('draft/resources')
  @ApiOperation({ summary: 'Upload a resource (a file pages link to) to the draft' })
  @ApiZodMultipartBody(
    z.object({ 'Content-Type': z.string().optional().describe('the media type of the file; else known by its extension') }),
    [{ name: 'files.png', file: true, description: 'the file, in one file part of any name (anypoint-cli: files.<ext>)' }],
    'One file part and, optionally, its media type',
  )
  @ApiZodResponse(201, portalResource, 'the path to link the resource by, e.g. ![logo](resources/logo-<uuid>.png)')
  uploadResource(@CurrentPrincipal() principal: Principal, @Param(ASSET) a: AssetParams, @Req() req: FastifyRequest) {
    return this.portal.uploadResource(principal, a, () => readResourceUpload(req, this.env.PORTICO_UPLOAD_LIMIT_BYTES));
  }

  @Get('draft/resources/:resourceId')
  @ApiOperation({ summary: 'Download a resource of the draft' })
  @Header('x-content-type-options', 'nosniff')
  @Header('content-security-policy', "default-src 'none'; sandbox")
  draftResource(@CurrentPrincipal() principal: Principal, @Param(RESOURCE) r: ResourceParams) {
    return this.sendResource(principal, r, 'draft');
  }

  @Delete('draft/resources/:resourceId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a resource from the draft' })
  async deleteResource(@CurrentPrincipal() principal: Principal, @Param(RESOURCE) r: ResourceParams): Promise<void> {
    await this.portal.deleteResource(principal, r);
  }

  /** The page's markdown, or `{path, name}` for a client that asks for JSON and not for markdown. */
  private async sendPage(
    principal: Principal,
    p: PageParams,
    state: PortalState,
    accept: string | undefined,
    reply: FastifyReply,
  ) {
    const page = await this.portal.page(principal, p, state);
    const asks = (type: string) => accept?.toLowerCase().includes(type) ?? false;
    if (asks('application/json') && !asks(MARKDOWN)) return { path: page.path, name: page.path };
    void reply.type(`${MARKDOWN}; charset=utf-8`);
    return page.content;
  }

  /**
   * The resource's bytes with its media type. Uploads are anyone's files served from the API's
   * origin, so the answer forbids sniffing and, should one be a page or an SVG opened directly,
   * running anything in it (the headers on the routes).
   */
  private async sendResource(principal: Principal, r: ResourceParams, state: PortalState): Promise<StreamableFile> {
    const resource = await this.portal.resource(principal, r, state);
    return new StreamableFile(Buffer.from(resource.content), {
      type: resource.contentType,
      disposition: `inline; filename="${resource.fileName}"`,
      length: resource.size,
    });
  }
}
