import { Module } from '@nestjs/common';
import { McpInventoryController } from './mcp-inventory.controller.js';
import { McpInventoryRepository } from './mcp-inventory.repository.js';
import { McpInventoryService } from './mcp-inventory.service.js';

/** The AI inventory: REST for operators, recordObserved for the sync service (gateways' tool lists). */
@Module({
  controllers: [McpInventoryController],
  providers: [McpInventoryRepository, McpInventoryService],
  exports: [McpInventoryService],
})
export class McpInventoryModule {}
