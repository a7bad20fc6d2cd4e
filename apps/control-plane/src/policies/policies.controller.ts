import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { IntIdPipe } from '../common/integer-id.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  appliedPolicyList,
  type ApplyPolicyBody,
  applyPolicyBody,
  type ApplyPolicyQuery,
  applyPolicyQuery,
  type ListPoliciesQuery,
  listPoliciesQuery,
  type ReorderPoliciesBody,
  reorderPoliciesBody,
  type SimulatePolicyBody,
  simulatePolicyBody,
  type UpdatePolicyBody,
  updatePolicyBody,
} from './policies.dto.js';
import { PoliciesService } from './policies.service.js';

const POLICIES = 'api/v1/organizations/:orgId/environments/:envId/apis/:apiId/policies';
const XAPI_POLICIES = 'xapi/v1/organizations/:orgId/environments/:envId/apis/:apiId/policies';
const API_ID = new IntIdPipe('API_NOT_FOUND', 'API instance');
const POLICY_ID = new IntIdPipe('POLICY_NOT_FOUND', 'Policy');

/** Policies applied to an API instance (contract §6). Reads need View Policies, writes Manage Policies. */
@ApiTags('Policies')
@Controller('apimanager')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @ApiOperation({
    summary: 'Apply a policy to an API instance',
    description:
      'Needs the Exchange coordinates and gateway property names of exchange-policy-templates. 409 when the template is already applied, unless allowDuplicated=true.',
  })
  @ApiZodBody(applyPolicyBody)
  @RequireScope('manage:api_policies')
  @Post(POLICIES)
  apply(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Query(new ZodPipe(applyPolicyQuery)) query: ApplyPolicyQuery,
    @Body(new ZodPipe(applyPolicyBody)) body: ApplyPolicyBody,
  ) {
    return this.policies.apply({ orgId, envId, apiId }, body, query.allowDuplicated);
  }

  @ApiOperation({
    summary: 'List the policies of an API instance',
    description: 'fullInfo=true (default): {policies:[…]} of enabled policies, compact; fullInfo=false: every policy in full.',
  })
  @RequireScope('read:api_policies')
  @Get(POLICIES)
  @ApiZodResponse(
    200,
    appliedPolicyList,
    'fullInfo=true: {policies} of the enabled policies, compact; fullInfo=false: every policy in full',
  )
  list(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Query(new ZodPipe(listPoliciesQuery)) query: ListPoliciesQuery,
  ) {
    return this.policies.list({ orgId, envId, apiId }, query.fullInfo);
  }

  @ApiOperation({ summary: 'Reorder policies', description: 'Body [{id, order}]; the other policies keep their relative order.' })
  @ApiZodBody(reorderPoliciesBody)
  @RequireScope('manage:api_policies')
  @Patch(POLICIES)
  reorder(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Body(new ZodPipe(reorderPoliciesBody)) body: ReorderPoliciesBody,
  ) {
    return this.policies.reorder({ orgId, envId, apiId }, body);
  }

  @ApiOperation({
    summary: 'Simulate the policy chain on an MCP call',
    description:
      "Takes a hypothetical MCP message and caller (headers, client address, identity) and answers, policy by policy in the applied order, what each would decide and why, with the code the gateway runs. upstreamTools: the tool list the upstream would answer (policies that learn it see it first); upstreamResult: the upstream's result, run through the response hooks.",
  })
  @ApiZodBody(simulatePolicyBody)
  @RequireScope('read:api_policies')
  @HttpCode(200)
  @Post(`${POLICIES}/simulate`)
  simulate(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Body(new ZodPipe(simulatePolicyBody)) body: SimulatePolicyBody,
  ) {
    return this.policies.simulate({ orgId, envId, apiId }, body);
  }

  @ApiOperation({ summary: 'Get an applied policy' })
  @RequireScope('read:api_policies')
  @Get(`${POLICIES}/:policyId`)
  get(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('policyId', POLICY_ID) policyId: number,
  ) {
    return this.policies.get({ orgId, envId, apiId }, policyId);
  }

  @ApiOperation({ summary: 'Update an applied policy (configuration is re-validated; a masked secret keeps its value)' })
  @ApiZodBody(updatePolicyBody)
  @RequireScope('manage:api_policies')
  @Patch(`${POLICIES}/:policyId`)
  update(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('policyId', POLICY_ID) policyId: number,
    @Body(new ZodPipe(updatePolicyBody)) body: UpdatePolicyBody,
  ) {
    return this.policies.update({ orgId, envId, apiId }, policyId, body);
  }

  @ApiOperation({ summary: 'Remove a policy from an API instance' })
  @RequireScope('manage:api_policies')
  @Delete(`${POLICIES}/:policyId`)
  @HttpCode(204)
  async remove(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('policyId', POLICY_ID) policyId: number,
  ): Promise<void> {
    await this.policies.remove({ orgId, envId, apiId }, policyId);
  }

  @ApiOperation({ summary: 'Disable an applied policy' })
  @RequireScope('manage:api_policies')
  @Post(`${XAPI_POLICIES}/:policyId/disable`)
  disable(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('policyId', POLICY_ID) policyId: number,
  ) {
    return this.policies.setDisabled({ orgId, envId, apiId }, policyId, true);
  }

  @ApiOperation({ summary: 'Enable a disabled policy' })
  @RequireScope('manage:api_policies')
  @Post(`${XAPI_POLICIES}/:policyId/enable`)
  enable(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('apiId', API_ID) apiId: number,
    @Param('policyId', POLICY_ID) policyId: number,
  ) {
    return this.policies.setDisabled({ orgId, envId, apiId }, policyId, false);
  }
}
