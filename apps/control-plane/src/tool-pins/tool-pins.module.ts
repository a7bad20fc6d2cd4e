import { Module } from '@nestjs/common';
import { ToolPinsController } from './tool-pins.controller.js';
import { ToolPinsRepository } from './tool-pins.repository.js';
import { ToolPinsService } from './tool-pins.service.js';

/** Tool-definition pins and changes: REST for operators, recordReport for the sync service. */
@Module({
  controllers: [ToolPinsController],
  providers: [ToolPinsRepository, ToolPinsService],
  exports: [ToolPinsService],
})
export class ToolPinsModule {}
