import { Module } from '@nestjs/common';
import { ClientApplicationsController } from './client-applications.controller.js';
import { ClientApplicationsRepository } from './client-applications.repository.js';
import { ClientApplicationsService } from './client-applications.service.js';
import { ContractsController } from './contracts.controller.js';

@Module({
  controllers: [ClientApplicationsController, ContractsController],
  providers: [ClientApplicationsRepository, ClientApplicationsService],
})
export class ClientApplicationsModule {}
