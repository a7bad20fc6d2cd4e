import { Module } from '@nestjs/common';
import { AgentsController } from './agents.controller.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { PredefinedAgents } from './predefined-agents.js';

/**
 * Agents and agent → MCP mapping (issue 20): the shipped list is validated when the module loads
 * (an invalid predefined-agents.json fails the start).
 */
@Module({
  controllers: [AgentsController],
  providers: [PredefinedAgents, AgentsRepository, AgentsService],
})
export class AgentsModule {}
