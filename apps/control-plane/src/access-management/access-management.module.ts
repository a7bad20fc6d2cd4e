import { Module } from '@nestjs/common';
import { AccessManagementRepository } from './access-management.repository.js';
import { ConnectedAppController } from './connected-app.controller.js';
import { ConnectedAppService } from './connected-app.service.js';
import { EnvironmentController } from './environment.controller.js';
import { EnvironmentService } from './environment.service.js';
import { LoginController } from './login.controller.js';
import { LoginService } from './login.service.js';
import { MeController } from './me.controller.js';
import { MeService } from './me.service.js';
import { OrganizationController } from './organization.controller.js';
import { OrganizationService } from './organization.service.js';
import { PermissionController } from './permission.controller.js';
import { ScopeGrantService } from './scope-grant.service.js';
import { UserController } from './user.controller.js';
import { UserService } from './user.service.js';

@Module({
  controllers: [
    LoginController,
    MeController,
    OrganizationController,
    EnvironmentController,
    UserController,
    ConnectedAppController,
    PermissionController,
  ],
  providers: [
    AccessManagementRepository,
    LoginService,
    MeService,
    ScopeGrantService,
    OrganizationService,
    EnvironmentService,
    UserService,
    ConnectedAppService,
  ],
})
export class AccessManagementModule {}
