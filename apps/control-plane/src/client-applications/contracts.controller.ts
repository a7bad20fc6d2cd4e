import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { IntIdPipe } from '../common/integer-id.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  contractSchema,
  createContractBody,
  listContractsQuery,
  type CreateContractBody,
  type ListContractsQuery,
} from './client-applications.dto.js';
import { ClientApplicationsService } from './client-applications.service.js';

const apiId = new IntIdPipe('API_NOT_FOUND', 'API instance');
const contractId = new IntIdPipe('CONTRACT_NOT_FOUND', 'Contract');

@ApiTags('API Manager contracts')
@Controller('apimanager/api/v1/organizations/:orgId/environments/:envId/apis/:apiId/contracts')
export class ContractsController {
  constructor(private readonly apps: ClientApplicationsService) {}

  @ApiOperation({ summary: 'Request access for a client application (a contract)' })
  @ApiZodBody(createContractBody)
  @RequireScope('manage:api_contracts')
  @Post()
  @ApiZodResponse(201, contractSchema, 'The contract requested')
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') organizationId: string,
    @Param('envId') environmentId: string,
    @Param('apiId', apiId) id: number,
    @Body(new ZodPipe(createContractBody)) body: CreateContractBody,
  ) {
    return this.apps.createContract(principal, { organizationId, environmentId, apiId: id }, body);
  }

  @ApiOperation({ summary: "List an API instance's contracts" })
  @RequireScope('read:api_contracts')
  @Get()
  list(
    @Param('orgId') organizationId: string,
    @Param('envId') environmentId: string,
    @Param('apiId', apiId) id: number,
    @Query(new ZodPipe(listContractsQuery)) query: ListContractsQuery,
  ) {
    return this.apps.listContracts({ organizationId, environmentId, apiId: id }, query);
  }

  @ApiOperation({ summary: 'Get a contract' })
  @RequireScope('read:api_contracts')
  @Get(':contractId')
  get(
    @Param('orgId') organizationId: string,
    @Param('envId') environmentId: string,
    @Param('apiId', apiId) id: number,
    @Param('contractId', contractId) contract: number,
  ) {
    return this.apps.getContract({ organizationId, environmentId, apiId: id }, contract);
  }

  @ApiOperation({ summary: 'Approve a contract' })
  @RequireScope('manage:api_contracts')
  @Post(':contractId/approve')
  @HttpCode(201)
  approve(
    @Param('orgId') o: string,
    @Param('envId') e: string,
    @Param('apiId', apiId) a: number,
    @Param('contractId', contractId) c: number,
  ) {
    return this.apps.setContractStatus({ organizationId: o, environmentId: e, apiId: a }, c, 'approve');
  }

  @ApiOperation({ summary: 'Reject a contract' })
  @RequireScope('manage:api_contracts')
  @Post(':contractId/reject')
  @HttpCode(201)
  reject(
    @Param('orgId') o: string,
    @Param('envId') e: string,
    @Param('apiId', apiId) a: number,
    @Param('contractId', contractId) c: number,
  ) {
    return this.apps.setContractStatus({ organizationId: o, environmentId: e, apiId: a }, c, 'reject');
  }

  @ApiOperation({ summary: 'Revoke a contract' })
  @RequireScope('manage:api_contracts')
  @Post(':contractId/revoke')
  @HttpCode(201)
  revoke(
    @Param('orgId') o: string,
    @Param('envId') e: string,
    @Param('apiId', apiId) a: number,
    @Param('contractId', contractId) c: number,
  ) {
    return this.apps.setContractStatus({ organizationId: o, environmentId: e, apiId: a }, c, 'revoke');
  }

  @ApiOperation({ summary: 'Delete a contract that is not active' })
  @RequireScope('manage:api_contracts')
  @Delete(':contractId')
  @HttpCode(204)
  async remove(
    @Param('orgId') organizationId: string,
    @Param('envId') environmentId: string,
    @Param('apiId', apiId) id: number,
    @Param('contractId', contractId) contract: number,
  ): Promise<void> {
    await this.apps.deleteContract({ organizationId, environmentId, apiId: id }, contract);
  }
}
