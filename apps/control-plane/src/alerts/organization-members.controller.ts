import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type PageQuery, pageQuery } from '../access-management/access-management.dto.js';
import { userView } from '../access-management/user.view.js';
import { RequireScope } from '../auth/decorators.js';
import { ZodPipe } from '../common/validation.js';
import { AlertsService } from './alerts.service.js';

/**
 * `GET /accounts/api/organizations/{orgId}/members` (Access Management): the users an alert can
 * notify, which `api-mgr alert add --recipient <username>` reads to turn usernames into e-mail
 * addresses (monitoring dialect) or user ids (legacy). Members are the organization's users and
 * the users of other organizations holding a permission in it (a business group's). Answers
 * `{data: [user], total}` as the users list does, with the same scope.
 */
@ApiTags('Access Management')
@Controller('accounts/api/organizations/:orgId/members')
export class OrganizationMembersController {
  constructor(private readonly alerts: AlertsService) {}

  @ApiOperation({ summary: 'List the members of an organization' })
  @RequireScope('read:organization')
  @Get()
  async list(@Param('orgId') orgId: string, @Query(new ZodPipe(pageQuery)) page: PageQuery) {
    const { rows, total } = await this.alerts.listMembers(orgId, page);
    return { data: rows.map(userView), total };
  }
}
