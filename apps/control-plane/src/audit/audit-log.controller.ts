import { Body, Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { type AuditQueryBody, auditQueryBody, auditQueryParams, auditQueryResult } from './audit.dto.js';
import { AuditLogService } from './audit-log.service.js';

/** Anypoint's Audit Log Query API over Portico's audit trail (audit.dto.ts says what is seen and what inferred). */
@ApiTags('Audit log')
@Controller('audit/v2/organizations/:orgId')
export class AuditLogController {
  constructor(private readonly auditLog: AuditLogService) {}

  @Post('query')
  @HttpCode(200)
  @RequireScope('read:audit_logs')
  @ApiOperation({
    summary: "Query the organization's audit trail: who changed what, when, with the resource before and after",
    description:
      'Every filter is ANDed; an empty list does not filter. Newest first unless ascending is true. Needs Audit Log Viewer (read:audit_logs), which Organization Administrators hold.',
  })
  @ApiZodBody(auditQueryBody)
  @ApiZodResponse(200, auditQueryResult, 'The matching records of this page and how many match in all')
  query(
    @Param('orgId') orgId: string,
    @Query(new ZodPipe(auditQueryParams)) _params: unknown,
    @Body(new ZodPipe(auditQueryBody)) body: AuditQueryBody,
  ) {
    return this.auditLog.query(orgId, body);
  }
}
