import { Module } from '@nestjs/common';
import { ApiInstancesModule } from '../api-instances/api-instances.module.js';
import { BackendOAuthModule } from '../backend-oauth/backend-oauth.module.js';
import { McpInventoryModule } from '../mcp-inventory/mcp-inventory.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { BackendToolsService } from './backend-tools.service.js';
import { BackendConnectionService } from './backend-connection.service.js';
import { McpBackendsController } from './mcp-backends.controller.js';
import { McpBackendsRepository } from './mcp-backends.repository.js';
import { McpBackendsService } from './mcp-backends.service.js';

/** MCP backends: list, enable/disable, connection mode, tools, delete (seed 003). */
@Module({
  imports: [ApiInstancesModule, PoliciesModule, BackendOAuthModule, McpInventoryModule],
  controllers: [McpBackendsController],
  providers: [McpBackendsRepository, McpBackendsService, BackendConnectionService, BackendToolsService],
})
export class McpBackendsModule {}
