import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  exchangePolicyTemplate,
  type ExchangeTemplateQuery,
  exchangeTemplateQuery,
  type ExchangeTemplatesQuery,
  exchangeTemplatesQuery,
  type GenericTemplatesQuery,
  genericTemplatesQuery,
} from './policies.dto.js';
import { PolicyTemplatesService } from './policy-templates.service.js';

/** The policy catalog (contract §6.4). Reading it needs View Policies. */
@ApiTags('Policies')
@Controller('apimanager')
export class PolicyTemplatesController {
  constructor(private readonly templates: PolicyTemplatesService) {}

  @ApiOperation({
    summary: 'List policy templates with Exchange coordinates and gateway configuration schema',
    description: 'Use this catalog to apply policies: with apiInstanceId, only templates implemented for that instance.',
  })
  @RequireScope('read:api_policies')
  @Get('xapi/v1/organizations/:orgId/exchange-policy-templates')
  @ApiZodResponse(200, z.array(exchangePolicyTemplate), 'The templates applicable, each with its versions')
  listExchange(@Param('orgId') orgId: string, @Query(new ZodPipe(exchangeTemplatesQuery)) query: ExchangeTemplatesQuery) {
    return this.templates.listExchange(orgId, query);
  }

  @ApiOperation({ summary: 'Get one policy template by its Exchange coordinates' })
  @RequireScope('read:api_policies')
  @Get('xapi/v1/organizations/:orgId/exchange-policy-templates/:groupId/:assetId/:assetVersion')
  getExchange(
    @Param('groupId') groupId: string,
    @Param('assetId') assetId: string,
    @Param('assetVersion') assetVersion: string,
    @Query(new ZodPipe(exchangeTemplateQuery)) query: ExchangeTemplateQuery,
  ) {
    return this.templates.getExchange(groupId, assetId, assetVersion, query);
  }

  @ApiOperation({
    summary: 'List policy templates in the generic form',
    description:
      'A bare array, one entry a template (its latest version), identified by its asset id such as rate-limiting; generic property names and no Exchange coordinates.',
  })
  @RequireScope('read:api_policies')
  @Get('api/v1/organizations/:orgId/policy-templates')
  listGeneric(@Param('orgId') orgId: string, @Query(new ZodPipe(genericTemplatesQuery)) query: GenericTemplatesQuery) {
    return this.templates.listGeneric(orgId, query);
  }

  @ApiOperation({ summary: 'Get one policy template in the generic form, by its id (the asset id, such as rate-limiting)' })
  @RequireScope('read:api_policies')
  @Get('api/v1/organizations/:orgId/policy-templates/:policyTemplateId')
  getGeneric(@Param('policyTemplateId') policyTemplateId: string) {
    return this.templates.getGeneric(policyTemplateId);
  }
}
