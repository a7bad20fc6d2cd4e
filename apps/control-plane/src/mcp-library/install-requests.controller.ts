import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  type ApproveRequestBody,
  approveRequestBody,
  type FileRequestBody,
  fileRequestBody,
  installRequestListSchema,
  installRequestSchema,
  type ListRequestsQuery,
  listRequestsQuery,
  type RejectRequestBody,
  rejectRequestBody,
} from './mcp-library.dto.js';
import { InstallRequestsService } from './install-requests.service.js';

const REQUESTS = 'api/v1/organizations/:orgId/environments/:envId/install-requests';

/**
 * Install requests (issue 20): filed by anyone who views the environment's APIs, decided by
 * holders of Approve MCP Install Requests, who see every request; others see their own.
 */
@ApiTags('MCP library')
@Controller('mcpgateway')
export class InstallRequestsController {
  constructor(private readonly requests: InstallRequestsService) {}

  @ApiOperation({
    summary: 'Request the install of an MCP library entry',
    description:
      'Inputs are checked as an install checks them; required secrets may be left for the approver. Secrets are stored encrypted.',
  })
  @ApiZodBody(fileRequestBody)
  @RequireScope('read:api_configuration')
  @Post(REQUESTS)
  @ApiZodResponse(201, installRequestSchema, 'The request filed')
  file(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Body(new ZodPipe(fileRequestBody)) body: FileRequestBody,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.requests.file(principal, { orgId, envId }, body);
  }

  @ApiOperation({
    summary: 'List install requests',
    description: 'Approvers see every request of the environment; others their own.',
  })
  @Get(REQUESTS)
  @ApiZodResponse(200, installRequestListSchema, 'The requests, newest first')
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(listRequestsQuery)) query: ListRequestsQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.requests.list(principal, { orgId, envId }, query);
  }

  @ApiOperation({
    summary: 'Get an install request',
    description: 'Its status, decision, comment and the installed API instance.',
  })
  @Get(`${REQUESTS}/:requestId`)
  get(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('requestId') requestId: string,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.requests.get(principal, { orgId, envId }, requestId);
  }

  @ApiOperation({
    summary: 'Approve an install request',
    description:
      'Installs the entry as the approver, who may add inputs (such as secrets the requester left out). A failed install leaves the request pending.',
  })
  @ApiZodBody(approveRequestBody)
  @RequireScope('approve:mcp_install_requests')
  @HttpCode(200)
  @Post(`${REQUESTS}/:requestId/approve`)
  approve(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('requestId') requestId: string,
    @Body(new ZodPipe(approveRequestBody)) body: ApproveRequestBody,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.requests.approve(principal, { orgId, envId }, requestId, body);
  }

  @ApiOperation({ summary: 'Reject an install request', description: 'With a comment the requester reads.' })
  @ApiZodBody(rejectRequestBody)
  @RequireScope('approve:mcp_install_requests')
  @HttpCode(200)
  @Post(`${REQUESTS}/:requestId/reject`)
  reject(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('requestId') requestId: string,
    @Body(new ZodPipe(rejectRequestBody)) body: RejectRequestBody,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.requests.reject(principal, { orgId, envId }, requestId, body);
  }
}
