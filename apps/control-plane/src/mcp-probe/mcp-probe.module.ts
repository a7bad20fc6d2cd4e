import { Module } from '@nestjs/common';
import { McpProbeController } from './mcp-probe.controller.js';
import { McpProbeService } from './mcp-probe.service.js';

/** Custom MCP auth probing (issue 20): what credentials an MCP endpoint wants, before it is added. */
@Module({
  controllers: [McpProbeController],
  providers: [McpProbeService],
})
export class McpProbeModule {}
