import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ALL_SCOPES, SCOPES } from '../auth/scopes.js';

@ApiTags('Access Management')
@Controller('accounts/api/permissions')
export class PermissionController {
  /** The scope catalog: what `scopes[].scope` accepts, as scope string or UI name. */
  @ApiOperation({ summary: 'List the permission scopes and their UI names' })
  @Get()
  list() {
    return { data: ALL_SCOPES.map((scope) => ({ scope, name: SCOPES[scope] })), total: ALL_SCOPES.length };
  }
}
