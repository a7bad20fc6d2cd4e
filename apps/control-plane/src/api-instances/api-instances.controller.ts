import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { parseInput, ZodPipe } from '../common/validation.js';
import {
  apiInstancesByAsset,
  apiInstanceView,
  createApiBody,
  getApiQuery,
  isPromotion,
  listByAssetQuery,
  type ListByAssetQuery,
  listInstancesQuery,
  type ListInstancesQuery,
  promoteApiBody,
  updateApiBody,
  type UpdateApiBody,
  updateApiQuery,
  type UpdateApiQuery,
} from './api-instances.dto.js';
import { ApiInstancesService } from './api-instances.service.js';
import { ApiPromotionService } from './api-promotion.service.js';

const API = 'apimanager/api/v1/organizations/:orgId/environments/:envId/apis';
const XAPI = 'apimanager/xapi/v1/organizations/:orgId/environments/:envId/apis';

/** API Manager instances on the public API and the experience API (contract §4). */
@ApiTags('API Manager: API instances')
@Controller()
export class ApiInstancesController {
  constructor(
    private readonly instances: ApiInstancesService,
    private readonly promotion: ApiPromotionService,
  ) {}

  @Post([API, XAPI])
  @RequireScope('manage:api_configuration')
  @ApiOperation({
    summary: 'Create an API instance (MCP server: technology flexGateway, endpoint.type mcp), optionally deployed at once',
    description:
      'With promote{originApiId, policies, tiers, alerts} and no spec: promotes the instance originApiId of another environment into this one (api promote): a copy with its routing and, unless their allEntities is false, its policies, SLA tiers and alerts; not its deployment, contracts or TLS context references.',
  })
  @ApiZodBody(z.union([createApiBody, promoteApiBody]))
  @ApiZodResponse(201, apiInstanceView, 'The instance created (or promoted)')
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Body() body: unknown,
  ) {
    if (isPromotion(body)) return this.promotion.promote(principal, orgId, envId, parseInput(promoteApiBody, body, 'body'));
    return this.instances.create(principal, orgId, envId, parseInput(createApiBody, body, 'body'));
  }

  @Get(API)
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'List API instances grouped by asset ($.assets[*].apis[*].id; family=agentic for MCP servers)' })
  @ApiZodResponse(200, apiInstancesByAsset, 'One page of assets, each with its instances')
  listByAsset(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(listByAssetQuery)) query: ListByAssetQuery,
  ) {
    return this.instances.listByAsset(orgId, envId, query);
  }

  @Get(XAPI)
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'List API instances ($.instances[*])' })
  listInstances(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Query(new ZodPipe(listInstancesQuery)) query: ListInstancesQuery,
  ) {
    return this.instances.listInstances(orgId, envId, query);
  }

  @Get(`${API}/:apiId`)
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'Get an API instance' })
  @ApiZodResponse(200, apiInstanceView, 'The instance')
  get(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Query(new ZodPipe(getApiQuery)) _query: unknown,
  ) {
    return this.instances.get(orgId, envId, apiId);
  }

  @Patch([`${API}/:apiId`, `${XAPI}/:apiId`])
  @RequireScope('manage:api_configuration')
  @ApiOperation({ summary: 'Update an API instance; deployment{..., overwrite: true} redeploys it' })
  @ApiZodBody(updateApiBody)
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Query(new ZodPipe(updateApiQuery)) query: UpdateApiQuery,
    @Body(new ZodPipe(updateApiBody)) body: UpdateApiBody,
  ) {
    return this.instances.update(principal, orgId, envId, apiId, body, query);
  }

  /** Same as PATCH: Anypoint documents no separate replace semantics (contract §4.4). */
  @Put(`${API}/:apiId`)
  @RequireScope('manage:api_configuration')
  @ApiOperation({ summary: 'Update an API instance (same as PATCH)' })
  @ApiZodBody(updateApiBody)
  put(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Query(new ZodPipe(updateApiQuery)) query: UpdateApiQuery,
    @Body(new ZodPipe(updateApiBody)) body: UpdateApiBody,
  ) {
    return this.patch(principal, orgId, envId, apiId, query, body);
  }

  @Delete(`${API}/:apiId`)
  @HttpCode(204)
  @RequireScope('manage:api_configuration')
  @ApiOperation({ summary: 'Delete an API instance with its deployment and policies' })
  async delete(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId') apiId: string): Promise<void> {
    await this.instances.delete(orgId, envId, apiId);
  }

  /** The xapi single-instance path only allows PATCH (contract §4.3, §4.5). */
  @Get(`${XAPI}/:apiId`)
  @ApiOperation({ summary: 'Not allowed (405, Allow: PATCH): read instances on the api/v1 path' })
  getOnXapi(@Res({ passthrough: true }) reply: FastifyReply): never {
    return xapiOnlyPatches(reply);
  }

  @Delete(`${XAPI}/:apiId`)
  @ApiOperation({ summary: 'Not allowed (405, Allow: PATCH): delete instances on the api/v1 path' })
  deleteOnXapi(@Res({ passthrough: true }) reply: FastifyReply): never {
    return xapiOnlyPatches(reply);
  }
}

function xapiOnlyPatches(reply: FastifyReply): never {
  void reply.header('allow', 'PATCH');
  throw new DomainError(
    'METHOD_NOT_ALLOWED',
    'Only PATCH is allowed on /apimanager/xapi/v1/.../apis/{id}; use /apimanager/api/v1 to read or delete an instance',
  );
}
