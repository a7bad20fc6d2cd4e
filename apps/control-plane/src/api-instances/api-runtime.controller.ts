import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../auth/decorators.js';
import { DomainError } from '../common/domain-error.js';
import { ZodPipe } from '../common/validation.js';
import { autodiscoveryApiName } from './api-instance.view.js';
import { ApiInstancesService } from './api-instances.service.js';

const API = 'apimanager/api/v1/organizations/:orgId/environments/:envId/apis/:apiId';

const autodiscoveryQuery = z.object({
  gatewayVersion: z
    .string({ error: 'is required: the version of the gateway that will serve the instance' })
    .regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'must be a version such as 1.0.0'),
});
type AutodiscoveryQuery = z.output<typeof autodiscoveryQuery>;

const downloadProxyQuery = z.object({ gatewayVersion: z.string().max(64).optional() });

/**
 * What an API instance means to the runtime that serves it: its autodiscovery properties and the
 * TLS contexts it can use; and the Mule runtime commands, which Portico answers by name since it
 * has no Mule runtime (anypoint-cli's `api download-proxy` and `api classify`).
 */
@ApiTags('API Manager: API instances')
@Controller()
export class ApiRuntimeController {
  constructor(private readonly instances: ApiInstancesService) {}

  @Get(`${API}/autodiscoveryProperties`)
  @RequireScope('read:api_configuration')
  @ApiOperation({
    summary: 'The properties that pair a runtime with the instance (anypoint-cli api autodiscovery)',
    description:
      'Portico gateways pair with their instances through the configuration stream; these are the identifiers API Manager shows for it.',
  })
  async autodiscovery(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Query(new ZodPipe(autodiscoveryQuery)) query: AutodiscoveryQuery,
  ) {
    const api = await this.instances.get(orgId, envId, apiId);
    return {
      apiId: api.id,
      autodiscoveryApiName: autodiscoveryApiName(api),
      autodiscoveryInstanceName: api.autodiscoveryInstanceName,
      technology: api.technology,
      gatewayVersion: query.gatewayVersion,
      environmentId: api.environmentId,
      organizationId: api.organizationId,
    };
  }

  @Get(`${API}/tls-contexts`)
  @RequireScope('read:api_configuration')
  @ApiOperation({
    summary: "TLS contexts of the instance's environment it can use, each with where the instance uses it",
    description: 'usage.inbound: its listener serves https with it; usage.upstreamIds: the upstreams that connect with it.',
  })
  tlsContexts(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('apiId') apiId: string) {
    return this.instances.usableTlsContexts(orgId, envId, apiId);
  }

  @Get('proxies/xapi/v1/organizations/:orgId/environments/:envId/apis/:apiId/proxy')
  @RequireScope('read:api_configuration')
  @ApiOperation({ summary: 'Not available: a proxy is a Mule application, and Portico has no Mule runtime (400)' })
  async downloadProxy(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId') apiId: string,
    @Query(new ZodPipe(downloadProxyQuery)) _query: unknown,
  ): Promise<never> {
    await this.instances.get(orgId, envId, apiId);
    throw new DomainError(
      'MULE_RUNTIME_UNAVAILABLE',
      `API instance ${apiId} has no proxy application to download: Portico has no Mule runtime. Deploy the instance to a Portico gateway instead (api-mgr api deploy ${apiId} --target <gatewayId>)`,
    );
  }

  @Post('apiplatform/repository/v2/organizations/:orgId/apis/:assetId/versions/:apiId/classify')
  @RequireScope('manage:api_configuration')
  @ApiOperation({ summary: 'Not available: Portico has no unclassified (Mule 3) environments to classify from (400)' })
  classify(@Param('apiId') apiId: string): never {
    throw new DomainError(
      'MULE_RUNTIME_UNAVAILABLE',
      `API instance ${apiId} cannot be classified: Portico has no Mule runtime and no unclassified environments, so every instance already belongs to an environment. To copy it to another environment use api-mgr api promote`,
    );
  }
}
