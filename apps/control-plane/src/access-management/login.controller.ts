import { Body, Controller, Headers, HttpCode, Ip, Post, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessService, issuedTokenSchema } from '../auth/access.service.js';
import { bearerToken } from '../auth/auth.guard.js';
import { Public } from '../auth/decorators.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { RetryAfterInterceptor } from '../throttling/retry-after.interceptor.js';
import { loginBody, tokenBody, type TokenBody } from './login.dto.js';
import { LoginService } from './login.service.js';

@ApiTags('Access Management')
@Controller('accounts')
export class LoginController {
  constructor(
    private readonly login: LoginService,
    private readonly access: AccessService,
  ) {}

  /** Username/password → bearer token (contract §2.1); throttled per account and address (429 + Retry-After). */
  @Public()
  @UseInterceptors(RetryAfterInterceptor)
  @ApiOperation({ summary: 'Log in with username and password' })
  @ApiZodBody(loginBody)
  @ApiZodResponse(200, issuedTokenSchema, 'The bearer token')
  @Post('login')
  @HttpCode(200)
  createLogin(@Body(new ZodPipe(loginBody)) body: { username: string; password: string }, @Ip() clientIp: string) {
    return this.login.login(body.username, body.password, clientIp);
  }

  /** Connected-app tokens, JSON or form-encoded (contract §2.2); throttled like login. */
  @Public()
  @UseInterceptors(RetryAfterInterceptor)
  @ApiOperation({ summary: 'OAuth 2.0 token (client_credentials or password grant)' })
  @ApiZodBody(tokenBody, { form: true })
  @ApiZodResponse(200, issuedTokenSchema, 'The bearer token')
  @Post('api/v2/oauth2/token')
  @HttpCode(200)
  token(@Body(new ZodPipe(tokenBody)) body: TokenBody, @Ip() clientIp: string) {
    return this.login.token(body, clientIp);
  }

  /** Revokes the caller's token. */
  @ApiOperation({ summary: "Revoke the caller's token" })
  @Post('api/logout')
  @HttpCode(204)
  async logout(@Headers('authorization') authorization: string | undefined): Promise<void> {
    const token = bearerToken(authorization);
    if (token) await this.access.revokeToken(token);
  }
}
