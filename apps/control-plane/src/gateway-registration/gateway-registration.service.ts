/**
 * Connected-mode registration (contract §9.2): a gateway trades a one-time registration token
 * and a CSR for a client certificate naming it.
 *
 * Contract:
 * - The token is the only credential. Unknown, expired and already used tokens are refused
 *   with distinct 401 messages; a token is redeemed at most once, also under concurrent calls.
 * - The gateway gets the name it asks for in the token's environment. A target of that name that
 *   is not deleted and never had a certificate (created by POST .../gateways, or the bootstrap
 *   `local-gateway`) is adopted; a name of a registered or deleted target is refused (names are
 *   never reused); otherwise a new target is created.
 * - Redeeming the token, creating or adopting the target and recording the certificate are one
 *   transaction: a refused registration leaves the token usable and writes nothing.
 * - A registration is recorded as `register` of the gateway, made for whoever minted the token.
 */
import { Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service.js';
import { DomainError } from '../common/domain-error.js';
import { sha256 } from '../common/secrets.js';
import { SyncEndpoint } from '../config-sync/sync-endpoint.js';
import { CertificateAuthorityService } from './certificate-authority.service.js';
import type { RegistrationBody, RegistrationResult } from './gateway-registration.dto.js';
import { GatewayRegistrationRepository } from './gateway-registration.repository.js';

@Injectable()
export class GatewayRegistrationService {
  constructor(
    private readonly repo: GatewayRegistrationRepository,
    private readonly ca: CertificateAuthorityService,
    private readonly syncEndpoint: SyncEndpoint,
    private readonly audit: AuditTrailService,
  ) {}

  async register(body: RegistrationBody): Promise<RegistrationResult> {
    const token = await this.repo.findToken(sha256(body.registrationToken));
    if (!token) throw new DomainError('REGISTRATION_TOKEN_INVALID', 'Invalid registration token');
    if (token.usedAt) throw tokenUsed();
    const now = new Date();
    if (token.expiresAt <= now) throw new DomainError('REGISTRATION_TOKEN_EXPIRED', 'Registration token expired');
    const syncAddress = this.publicSyncAddress();
    const { organizationId, environmentId } = token;

    return this.repo.transaction(async (tx) => {
      // First, so a concurrent redemption of the same token waits here and then fails as used.
      if (!(await this.repo.redeemToken(tx, token.id, now))) throw tokenUsed();
      const existing = await this.repo.lockTargetByName(tx, organizationId, environmentId, body.name);
      if (existing && (existing.deletedAt || existing.everRegistered)) throw nameInUse(body.name);
      const target = existing ?? (await this.repo.createTarget(tx, { organizationId, environmentId, name: body.name }));
      if (!target) throw nameInUse(body.name);
      await this.repo.linkTokenToTarget(tx, token.id, target.id);

      const issued = await this.ca.signGatewayCertificate(body.csr, {
        organizationId,
        environmentId,
        targetId: target.id,
        name: body.name,
      });
      await this.repo.insertCertificate(tx, {
        serialNumber: issued.serialNumber,
        targetId: target.id,
        fingerprintSha256: issued.fingerprintSha256,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
      });
      await this.audit.record(tx, {
        organizationId,
        environmentId,
        action: 'register',
        resource: { type: 'gateway', id: target.id, name: body.name },
        after: {
          id: target.id,
          name: body.name,
          registrationTokenId: token.id,
          certificateSerialNumber: issued.serialNumber,
          certificateExpiresAt: issued.notAfter.toISOString(),
        },
        onBehalfOf: token.createdById,
      });
      return {
        gatewayId: target.id,
        name: body.name,
        organizationId,
        environmentId,
        syncAddress,
        certificate: issued.certificatePem,
        caCertificate: this.ca.caCertificatePem(),
        certificateSerialNumber: issued.serialNumber,
        certificateExpiresAt: issued.notAfter.toISOString(),
      };
    });
  }

  /** A registration is useless without a sync service to connect to, so none is made before it listens. */
  private publicSyncAddress(): string {
    try {
      return this.syncEndpoint.publicAddress();
    } catch {
      throw new DomainError('SERVICE_UNAVAILABLE', 'The gateway sync service is not listening yet; retry the registration');
    }
  }
}

function tokenUsed(): DomainError {
  return new DomainError('REGISTRATION_TOKEN_USED', 'Registration token was already used');
}

function nameInUse(name: string): DomainError {
  return new DomainError('REGISTRATION_NAME_IN_USE', `Gateway name '${name}' is already in use in this environment`);
}
