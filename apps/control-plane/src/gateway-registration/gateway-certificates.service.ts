/**
 * The client certificates issued to a gateway (standalone API family, a Portico extension):
 * listing and revoking. Revoking sets revokedAt; a database trigger then wakes the sync service,
 * which ends the streams of that certificate and refuses it from then on. A revocation is recorded
 * as the list shows the certificate.
 */
import { Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import { GatewayTargetsService } from '../gateway-targets/gateway-targets.service.js';
import { certificateView } from './gateway-certificate.view.js';
import { GatewayRegistrationRepository } from './gateway-registration.repository.js';

@Injectable()
export class GatewayCertificatesService {
  constructor(
    private readonly repo: GatewayRegistrationRepository,
    private readonly targets: GatewayTargetsService,
    private readonly audit: AuditTrailService,
  ) {}

  async list(organizationId: string, environmentId: string, gatewayId: string) {
    const gateway = await this.targets.getGateway(organizationId, environmentId, gatewayId);
    const certificates = await this.repo.listCertificates(gateway.id);
    const now = new Date();
    return { content: certificates.map((c) => certificateView(c, now)), totalElements: certificates.length };
  }

  /** Repeat → 400 "This certificate was already revoked" (the standalone API's "already deleted" style). */
  async revoke(organizationId: string, environmentId: string, gatewayId: string, serialNumber: string): Promise<void> {
    const gateway = await this.targets.getGateway(organizationId, environmentId, gatewayId);
    await this.repo.transaction(async (tx) => {
      // Serials print as upper-case hex; accept them in any case.
      const certificate = await this.repo.lockCertificate(tx, gateway.id, serialNumber.toUpperCase());
      if (!certificate) {
        throw new DomainError('GATEWAY_CERTIFICATE_NOT_FOUND', `Certificate ${serialNumber} not found for this gateway`);
      }
      if (certificate.revokedAt) {
        throw new DomainError('GATEWAY_CERTIFICATE_ALREADY_REVOKED', 'This certificate was already revoked');
      }
      const revoked = await this.repo.revokeCertificate(tx, certificate.serialNumber);
      const now = new Date();
      await this.audit.record(tx, {
        organizationId,
        environmentId,
        action: 'revoke',
        resource: { type: 'gateway-certificate', id: certificate.serialNumber, name: gateway.name },
        before: certificateView(certificate, now),
        after: certificateView(revoked, now),
      });
    });
  }
}
