import { Module } from '@nestjs/common';
import { SecretGroupsController } from './secret-groups.controller.js';
import { SecretGroupsService } from './secret-groups.service.js';
import { SecretsManagerRepository } from './secrets-manager.repository.js';
import { TlsContextsController } from './tls-contexts.controller.js';
import { TlsContextsService } from './tls-contexts.service.js';

/** Secrets Manager: secret groups and their TLS contexts; API instance upstreams resolve references through TlsContextsService. */
@Module({
  controllers: [SecretGroupsController, TlsContextsController],
  providers: [SecretsManagerRepository, SecretGroupsService, TlsContextsService],
  exports: [TlsContextsService],
})
export class SecretsManagerModule {}
