import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessService } from './access.service.js';
import { AuthGuard } from './auth.guard.js';
import { AuthRepository } from './auth.repository.js';

@Global()
@Module({
  providers: [AuthRepository, AccessService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AccessService],
})
export class AuthModule {}
