import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DomainError } from '../common/domain-error.js';
import { ApiZodResponse } from '../common/openapi.js';
import { registrationTokenAnswer } from './gateway-targets.dto.js';
import { RegistrationTokensService } from './registration-tokens.service.js';

/** Gateway registration tokens (contract §9.1). */
@ApiTags('Standalone: gateways')
@Controller('standalone/api/v1/organizations/:orgId/environments/:envId/gatewaytokens')
export class RegistrationTokensController {
  constructor(private readonly tokens: RegistrationTokensService) {}

  /** The body is ignored: the token is minted from the caller and the path. */
  @Post()
  @HttpCode(200)
  @RequireScope('manage:servers')
  @ApiOperation({ summary: 'Mint a one-time registration token for `portico register` / flexctl' })
  @ApiZodResponse(200, registrationTokenAnswer, 'The token, shown only in this answer, and its expiry')
  issue(@CurrentPrincipal() principal: Principal, @Param('orgId') orgId: string, @Param('envId') envId: string) {
    return this.tokens.issue(principal, orgId, envId);
  }

  @Get()
  @ApiOperation({ summary: 'Not allowed (405, Allow: POST): tokens are shown once, when minted' })
  read(@Res({ passthrough: true }) reply: FastifyReply): never {
    void reply.header('allow', 'POST');
    throw new DomainError('METHOD_NOT_ALLOWED', 'Registration tokens can only be created (POST)');
  }
}
