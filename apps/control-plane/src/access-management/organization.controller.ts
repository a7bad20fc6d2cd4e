import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import {
  type CreateOrganizationBody,
  createOrganizationBody,
  type UpdateOrganizationBody,
  updateOrganizationBody,
} from './organization.dto.js';
import { OrganizationService } from './organization.service.js';

@ApiTags('Access Management')
@Controller('accounts/api/organizations')
export class OrganizationController {
  constructor(private readonly organizations: OrganizationService) {}

  @ApiOperation({ summary: 'Get an organization or business group' })
  @Get(':orgId')
  get(@CurrentPrincipal() principal: Principal, @Param('orgId') orgId: string) {
    return this.organizations.get(principal, orgId);
  }

  @ApiOperation({ summary: 'Create a business group under a parent organization' })
  @ApiZodBody(createOrganizationBody)
  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(createOrganizationBody)) body: CreateOrganizationBody) {
    return this.organizations.create(principal, body);
  }

  @ApiOperation({ summary: 'Rename an organization or business group' })
  @ApiZodBody(updateOrganizationBody)
  @RequireScope('admin:organization')
  @Put(':orgId')
  update(@Param('orgId') orgId: string, @Body(new ZodPipe(updateOrganizationBody)) body: UpdateOrganizationBody) {
    return this.organizations.update(orgId, body);
  }

  @ApiOperation({ summary: 'Delete an empty business group and its environments' })
  @RequireScope('admin:organization')
  @Delete(':orgId')
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @Param('orgId') orgId: string): Promise<void> {
    await this.organizations.delete(principal, orgId);
  }
}
