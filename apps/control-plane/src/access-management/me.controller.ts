import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodResponse } from '../common/openapi.js';
import { meSchema } from './access-management.dto.js';
import { MeService } from './me.service.js';

@ApiTags('Access Management')
@Controller('accounts/api')
export class MeController {
  constructor(private readonly me: MeService) {}

  /** Who the token belongs to: `$.user.organization.id`, or `$.client.org_id` for app tokens (contract §2.3). */
  @ApiOperation({ summary: 'Who the bearer token belongs to' })
  @Get('me')
  @ApiZodResponse(200, meSchema, 'The user (or connected app) and its organizations and grants')
  get(@CurrentPrincipal() principal: Principal) {
    return this.me.describe(principal);
  }

  /** The account at the top level, as anypoint-cli-v4 reads it at sign-in (see MeService). */
  @ApiOperation({ summary: 'The account the bearer token belongs to, with the organizations it is a member of' })
  @Get('users/me')
  account(@CurrentPrincipal() principal: Principal) {
    return this.me.account(principal);
  }
}
