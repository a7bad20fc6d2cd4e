import { Module } from '@nestjs/common';
import { AccessEventsModule } from '../access-events/access-events.module.js';
import { GatewayRegistrationModule } from '../gateway-registration/gateway-registration.module.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { BackendOAuthModule } from '../backend-oauth/backend-oauth.module.js';
import { ToolPinsModule } from '../tool-pins/tool-pins.module.js';
import { McpInventoryModule } from '../mcp-inventory/mcp-inventory.module.js';
import { ConfigSyncRepository } from './config-sync.repository.js';
import { ConfigSyncServer } from './config-sync.server.js';

/** The gRPC sync service that streams configuration to registered gateways and takes their access events. */
@Module({
  imports: [GatewayRegistrationModule, ToolPinsModule, ApiKeysModule, AccessEventsModule, McpInventoryModule, BackendOAuthModule],
  providers: [ConfigSyncRepository, ConfigSyncServer],
  exports: [ConfigSyncServer],
})
export class ConfigSyncModule {}
