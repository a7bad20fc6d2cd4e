import { Module } from '@nestjs/common';
import { ApiInstancesModule } from '../api-instances/api-instances.module.js';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { ExchangeModule } from '../exchange/exchange.module.js';
import { GatewayTargetsModule } from '../gateway-targets/gateway-targets.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { BackendComposerService } from './backend-composer.service.js';
import { CuratedLibrary } from './curated-library.js';
import { InstallRequestsController } from './install-requests.controller.js';
import { InstallRequestsService } from './install-requests.service.js';
import { McpInstallsController } from './mcp-installs.controller.js';
import { McpInstallsService } from './mcp-installs.service.js';
import { McpLibraryController } from './mcp-library.controller.js';
import { McpLibraryRepository } from './mcp-library.repository.js';
import { McpLibraryService } from './mcp-library.service.js';

/**
 * The MCP library, installs, custom MCPs and install requests (issue 20). Installs compose the
 * Exchange, API instance, policy and deployment services; the curated library is validated when
 * the module starts (an invalid curated-library.json fails the start).
 */
@Module({
  imports: [ExchangeModule, ApiInstancesModule, PoliciesModule, DeploymentsModule, GatewayTargetsModule],
  controllers: [McpLibraryController, McpInstallsController, InstallRequestsController],
  providers: [
    CuratedLibrary,
    McpLibraryRepository,
    McpLibraryService,
    BackendComposerService,
    McpInstallsService,
    InstallRequestsService,
  ],
})
export class McpLibraryModule {}
