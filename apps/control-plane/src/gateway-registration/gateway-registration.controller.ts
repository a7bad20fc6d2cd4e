import { Body, Controller, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators.js';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { registrationBody, type RegistrationBody, type RegistrationResult } from './gateway-registration.dto.js';
import { GatewayRegistrationService } from './gateway-registration.service.js';

/** The gateway registration facade flexctl talks to (contract §1.1, §9.2); the body shape is Portico's. */
@ApiTags('Gateway registration')
@Controller('amc/registration-facade/api/v1/registrations')
export class GatewayRegistrationController {
  constructor(private readonly registrations: GatewayRegistrationService) {}

  /** No bearer token: the one-time registration token in the body authenticates. */
  @Public()
  @Post()
  @ApiOperation({
    summary:
      'Register a gateway: trade a registration token and a CSR for a client certificate (used by `portico gateway register`)',
  })
  @ApiZodBody(registrationBody)
  register(@Body(new ZodPipe(registrationBody)) body: RegistrationBody): Promise<RegistrationResult> {
    return this.registrations.register(body);
  }
}
