import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditContextInterceptor } from './audit-context.interceptor.js';
import { AuditLogController } from './audit-log.controller.js';
import { AuditLogService } from './audit-log.service.js';
import { AuditRepository } from './audit.repository.js';
import { AuditTrailService } from './audit-trail.service.js';

/** The audit trail: every feature records its changes through AuditTrailService (global). */
@Global()
@Module({
  controllers: [AuditLogController],
  providers: [
    AuditRepository,
    AuditTrailService,
    AuditLogService,
    { provide: APP_INTERCEPTOR, useClass: AuditContextInterceptor },
  ],
  exports: [AuditTrailService],
})
export class AuditModule {}
