import { Module } from '@nestjs/common';
import { BackendOAuthController } from './backend-oauth.controller.js';
import { BackendOAuthRepository } from './backend-oauth.repository.js';
import { BackendOAuthService } from './backend-oauth.service.js';

/** Gateway-managed OAuth to MCP backends: users' connections, the callback, and the gateways' token service. */
@Module({
  controllers: [BackendOAuthController],
  providers: [BackendOAuthRepository, BackendOAuthService],
  exports: [BackendOAuthService],
})
export class BackendOAuthModule {}
