import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { MeService } from './me.service.js';

@ApiTags('Access Management')
@Controller('accounts/api/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  /** Who the token belongs to: `$.user.organization.id`, or `$.client.org_id` for app tokens (contract §2.3). */
  @ApiOperation({ summary: 'Who the bearer token belongs to' })
  @Get()
  get(@CurrentPrincipal() principal: Principal) {
    return this.me.describe(principal);
  }
}
