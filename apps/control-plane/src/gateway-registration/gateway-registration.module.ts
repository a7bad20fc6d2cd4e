import { Module } from '@nestjs/common';
import { GatewayTargetsModule } from '../gateway-targets/gateway-targets.module.js';
import { CertificateAuthorityService } from './certificate-authority.service.js';
import { GatewayCertificatesController } from './gateway-certificates.controller.js';
import { GatewayCertificatesService } from './gateway-certificates.service.js';
import { GatewayRegistrationController } from './gateway-registration.controller.js';
import { GatewayRegistrationRepository } from './gateway-registration.repository.js';
import { GatewayRegistrationService } from './gateway-registration.service.js';

/**
 * Connected-mode registration: the control plane's CA, the registration endpoint and the
 * certificates of a gateway. Exports the CA for the sync server (its TLS certificate and trust root).
 */
@Module({
  imports: [GatewayTargetsModule],
  controllers: [GatewayRegistrationController, GatewayCertificatesController],
  providers: [GatewayRegistrationRepository, CertificateAuthorityService, GatewayRegistrationService, GatewayCertificatesService],
  exports: [CertificateAuthorityService],
})
export class GatewayRegistrationModule {}
