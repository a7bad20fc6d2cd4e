import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/validation.js';
import { type PageQuery, pageQuery, type ScopesBody, scopesBody } from './access-management.dto.js';
import { type CreateUserBody, createUserBody, type UpdateUserBody, updateUserBody } from './user.dto.js';
import { UserService } from './user.service.js';

/** Reading users needs View Organization (read:organization); writes need admin:organization. */
@ApiTags('Access Management')
@Controller('accounts/api/organizations/:orgId/users')
export class UserController {
  constructor(private readonly users: UserService) {}

  @ApiOperation({ summary: 'List the users of an organization' })
  @RequireScope('read:organization')
  @Get()
  list(@Param('orgId') orgId: string, @Query(new ZodPipe(pageQuery)) page: PageQuery) {
    return this.users.list(orgId, page);
  }

  @ApiOperation({ summary: 'Create a user, optionally with permissions' })
  @ApiZodBody(createUserBody)
  @RequireScope('admin:organization')
  @Post()
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Body(new ZodPipe(createUserBody)) body: CreateUserBody,
  ) {
    return this.users.create(principal, orgId, body);
  }

  @ApiOperation({ summary: 'Get a user' })
  @RequireScope('read:organization')
  @Get(':userId')
  get(@Param('orgId') orgId: string, @Param('userId') userId: string) {
    return this.users.get(orgId, userId);
  }

  @ApiOperation({ summary: 'Update a user (names, email, enabled, password)' })
  @ApiZodBody(updateUserBody)
  @RequireScope('admin:organization')
  @Put(':userId')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('userId') userId: string,
    @Body(new ZodPipe(updateUserBody)) body: UpdateUserBody,
  ) {
    return this.users.update(principal, orgId, userId, body);
  }

  @ApiOperation({ summary: 'Delete a user with its tokens and permissions' })
  @RequireScope('admin:organization')
  @Delete(':userId')
  @HttpCode(204)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('userId') userId: string,
  ): Promise<void> {
    await this.users.delete(principal, orgId, userId);
  }

  @ApiOperation({ summary: "List a user's permissions" })
  @RequireScope('read:organization')
  @Get(':userId/scopes')
  scopes(@Param('orgId') orgId: string, @Param('userId') userId: string) {
    return this.users.scopes(orgId, userId);
  }

  @ApiOperation({ summary: "Replace a user's permissions" })
  @ApiZodBody(scopesBody)
  @RequireScope('admin:organization')
  @Put(':userId/scopes')
  replaceScopes(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('userId') userId: string,
    @Body(new ZodPipe(scopesBody)) body: ScopesBody,
  ) {
    return this.users.replaceScopes(principal, orgId, userId, body.scopes);
  }

  @ApiOperation({ summary: 'Add permissions to a user' })
  @ApiZodBody(scopesBody)
  @RequireScope('admin:organization')
  @Patch(':userId/scopes')
  addScopes(
    @CurrentPrincipal() principal: Principal,
    @Param('orgId') orgId: string,
    @Param('userId') userId: string,
    @Body(new ZodPipe(scopesBody)) body: ScopesBody,
  ) {
    return this.users.addScopes(principal, orgId, userId, body.scopes);
  }
}
