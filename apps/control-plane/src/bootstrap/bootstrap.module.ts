import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { BootstrapRepository } from './bootstrap.repository.js';
import { BootstrapService } from './bootstrap.service.js';

@Module({ providers: [BootstrapRepository, BootstrapService], exports: [BootstrapService] })
export class BootstrapModule implements OnApplicationBootstrap {
  constructor(private readonly bootstrap: BootstrapService) {}

  onApplicationBootstrap(): Promise<void> {
    return this.bootstrap.run();
  }
}
