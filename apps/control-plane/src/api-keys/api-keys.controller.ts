import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { IntIdPipe } from '../common/integer-id.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { apiKeyListSchema, type CreateApiKeyBody, createApiKeyBody, createdApiKeySchema } from './api-keys.dto.js';
import { ApiKeysService } from './api-keys.service.js';

const API_KEYS = 'api/v1/organizations/:orgId/environments/:envId/apis/:apiId/api-keys';
const API_ID = new IntIdPipe('API_NOT_FOUND', 'API instance');

/** API keys of an instance (seed 003), enforced by api-key-authentication. Reads need View Policies, writes Manage Policies. */
@ApiTags('API keys')
@Controller('apimanager')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @ApiOperation({
    summary: 'Create an API key',
    description: 'The answer holds the key itself, shown this once; it is stored hashed.',
  })
  @ApiZodBody(createApiKeyBody)
  @RequireScope('manage:api_policies')
  @Post(API_KEYS)
  @ApiZodResponse(201, createdApiKeySchema, 'The key with its secret, shown this once')
  create(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Body(new ZodPipe(createApiKeyBody)) body: CreateApiKeyBody,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.keys.create({ orgId, envId, apiId }, body, principal);
  }

  @ApiOperation({ summary: 'List the API keys of an instance', description: 'Without their secrets; with status and last use.' })
  @RequireScope('read:api_policies')
  @Get(API_KEYS)
  @ApiZodResponse(200, apiKeyListSchema, 'The keys of the instance')
  list(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId', API_ID) apiId: number) {
    return this.keys.list({ orgId, envId, apiId });
  }

  @ApiOperation({ summary: 'Revoke an API key', description: 'Gateways refuse it once the change is pushed.' })
  @RequireScope('manage:api_policies')
  @HttpCode(204)
  @Delete(`${API_KEYS}/:keyId`)
  async revoke(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('keyId') keyId: string,
  ): Promise<void> {
    await this.keys.revoke({ orgId, envId, apiId }, keyId);
  }
}
