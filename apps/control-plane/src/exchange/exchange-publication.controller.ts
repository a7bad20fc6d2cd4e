import { Controller, Delete, Get, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { ApiZodMultipartBody } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { ENV, type Env } from '../config/env.js';
import { publicBaseUrl } from '../config/public-url.js';
import { draftFromPublishForm } from './asset-draft.js';
import { AssetFileLinks } from './asset-file-links.js';
import { closeConnectionAfterUpload, readMultipart } from './exchange-multipart.js';
import { ExchangePublicationService } from './exchange-publication.service.js';
import { publishForm, publishParams, type PublishParams } from './exchange.dto.js';
import { assetDetail, runStatus, runStatusLink } from './exchange.view.js';

@ApiTags('Exchange')
@Controller('exchange/api/v2/organizations/:orgId/assets/:groupId/:assetId/:version')
export class ExchangePublicationController {
  constructor(
    private readonly publication: ExchangePublicationService,
    private readonly links: AssetFileLinks,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /**
   * v2 publish (contract §3.2). `x-sync-publication: true` → 201 with the asset; otherwise 202
   * with `publicationStatusLink` (the run is already completed, see ExchangePublicationService).
   */
  @Post()
  @RequireScope('create:exchange')
  @ApiOperation({ summary: 'Publish an asset version (multipart/form-data)' })
  @ApiHeader({
    name: 'x-sync-publication',
    required: false,
    description: 'true: publish now and answer 201 with the asset; otherwise 202 with publicationStatusLink',
    schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
  })
  @ApiZodMultipartBody(
    publishForm,
    [
      { name: 'files.mcp-metadata.json', file: true, description: 'a file part, named files.<classifier>.<packaging>' },
      { name: 'properties.platform', file: false, description: 'an asset attribute, named properties.<name>' },
      { name: 'categories.industry', file: false, description: 'a category, named categories.<key>: comma-separated values' },
      { name: 'fields.owner', file: false, description: 'a custom field, named fields.<key>: comma-separated values' },
    ],
    'The asset fields; files as files.<classifier>.<packaging>, attributes as properties.<name>, categories and custom fields as categories.<key> and fields.<key>',
  )
  @ApiResponse({ status: 201, description: 'x-sync-publication: true — the published asset' })
  @ApiResponse({ status: 202, description: 'asynchronous publication — { publicationStatusLink }' })
  async publish(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(publishParams)) params: PublishParams,
    @Headers('x-sync-publication') syncHeader: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    closeConnectionAfterUpload(reply);
    if (!req.isMultipart()) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be multipart/form-data to publish an asset');
    }
    const draft = draftFromPublishForm(params, await readMultipart(req, this.env.PORTICO_UPLOAD_LIMIT_BYTES));
    const sync = syncHeader?.trim().toLowerCase() === 'true';
    const { asset, runId } = await this.publication.publish(principal, params.orgId, draft, {
      where: 'params',
      recordRun: !sync,
    });
    const baseUrl = publicBaseUrl(this.env, req);
    if (runId) {
      void reply.status(202);
      return { publicationStatusLink: runStatusLink(baseUrl, { ...asset, id: runId }, 'publication') };
    }
    void reply.status(201);
    return assetDetail(asset, this.links.forRequest(req));
  }

  /** Exchange answers DELETE on the publish URL with 405 (contract §3.6). */
  @Delete()
  @ApiOperation({ summary: 'Not allowed: delete through DELETE /exchange/api/v2/assets/{groupId}/{assetId}/{version}' })
  notAllowed(@Res({ passthrough: true }) reply: FastifyReply): never {
    void reply.header('allow', 'POST');
    throw new DomainError(
      'METHOD_NOT_ALLOWED',
      'DELETE is not allowed on the publish URL; use DELETE /exchange/api/v2/assets/{groupId}/{assetId}/{version}',
    );
  }

  @Get('publication/status')
  @RequireScope('read:exchange')
  @ApiOperation({ summary: 'Status of the latest publication of an asset version' })
  async latestStatus(@Param() p: Record<'orgId' | 'groupId' | 'assetId' | 'version', string>) {
    const { run, asset } = await this.publication.status(p.orgId, p.groupId, p.assetId, p.version);
    return runStatus(run, asset);
  }

  @Get('publication/status/:runId')
  @RequireScope('read:exchange')
  @ApiOperation({ summary: 'Status of one publication run' })
  async status(@Param() p: Record<'orgId' | 'groupId' | 'assetId' | 'version' | 'runId', string>) {
    const { run, asset } = await this.publication.status(p.orgId, p.groupId, p.assetId, p.version, p.runId);
    return runStatus(run, asset);
  }
}
