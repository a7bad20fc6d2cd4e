import { Controller, Get, HttpCode, Inject, Param, Patch, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { ApiZodMultipartBody } from '../common/openapi.js';
import { ENV, type Env } from '../config/env.js';
import { publicBaseUrl } from '../config/public-url.js';
import { ExchangeCurationService } from './exchange-curation.service.js';
import { closeConnectionAfterUpload, readMultipart } from './exchange-multipart.js';
import { ExchangePublicationService } from './exchange-publication.service.js';
import { mutableDataForm } from './exchange.dto.js';
import { runStatus, runStatusLink } from './exchange.view.js';
import { mutableDataFromForm } from './mutable-data.js';

type OrgCoordinates = Record<'orgId' | 'groupId' | 'assetId' | 'version', string>;

/**
 * Mutable data of a published version (anypoint-cli `asset mutableDataUpload`; see
 * mutable-data.ts). Like publishing, the change is applied before the answer: the 202's
 * `mutableDataStatusLink` points to a run that is already completed.
 */
@ApiTags('Exchange')
@Controller('exchange/api/v2/organizations/:orgId/assets/:groupId/:assetId/:version/mutabledata')
export class ExchangeMutableDataController {
  constructor(
    private readonly curation: ExchangeCurationService,
    private readonly publication: ExchangePublicationService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  @Patch()
  @HttpCode(202)
  @RequireScope('create:exchange')
  @ApiOperation({
    summary: 'Change the tags, categories, custom fields or documentation of an asset version (multipart/form-data)',
  })
  @ApiZodMultipartBody(
    mutableDataForm,
    [
      {
        name: 'categories.industry',
        file: false,
        description: 'one category, named categories.<key>: comma-separated values; empty removes it',
      },
      {
        name: 'fields.owner',
        file: false,
        description: 'one custom field, named fields.<key>: comma-separated values; empty removes it',
      },
      { name: 'files.docs.zip', file: true, description: 'the documentation archive' },
    ],
    'tags replaces the tags; categories / fields (JSON lists) replace them all',
  )
  @ApiResponse({ status: 202, description: '{ mutableDataStatusLink }: the change is already applied' })
  async change(
    @CurrentPrincipal() principal: Principal,
    @Param() p: OrgCoordinates,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    closeConnectionAfterUpload(reply);
    if (!req.isMultipart()) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be multipart/form-data to change mutable data');
    }
    const change = mutableDataFromForm(await readMultipart(req, this.env.PORTICO_UPLOAD_LIMIT_BYTES));
    const { asset, runId } = await this.curation.changeMutableData(principal, p.orgId, p, change);
    return { mutableDataStatusLink: runStatusLink(publicBaseUrl(this.env, req), { ...asset, id: runId }, 'mutable-data') };
  }

  @Get('status/:runId')
  @RequireScope('read:exchange')
  @ApiOperation({ summary: 'Status of one mutable data change' })
  async status(@Param() p: OrgCoordinates & { runId: string }) {
    const { run } = await this.publication.status(p.orgId, p.groupId, p.assetId, p.version, p.runId, 'mutable-data');
    return runStatus(run, null);
  }
}
