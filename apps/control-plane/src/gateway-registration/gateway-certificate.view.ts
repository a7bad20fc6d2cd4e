import type { GatewayCertificateRecord } from './gateway-registration.repository.js';

export type GatewayCertificateStatus = 'VALID' | 'REVOKED' | 'EXPIRED';

/** A revoked certificate stays REVOKED after it expires: revocation is the stronger fact. */
export function certificateStatus(cert: GatewayCertificateRecord, now: Date): GatewayCertificateStatus {
  if (cert.revokedAt) return 'REVOKED';
  return cert.notAfter <= now ? 'EXPIRED' : 'VALID';
}

/** An item of GET .../gateways/{gatewayId}/certificates. */
export function certificateView(cert: GatewayCertificateRecord, now: Date) {
  return {
    serialNumber: cert.serialNumber,
    fingerprintSha256: cert.fingerprintSha256,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    revokedAt: cert.revokedAt?.toISOString() ?? null,
    status: certificateStatus(cert, now),
  };
}
