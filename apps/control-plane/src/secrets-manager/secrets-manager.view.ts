/**
 * Secret groups and TLS contexts as responses show them: Secrets Manager's `meta` block, and for
 * a TLS context its certificates' subjects and expiry. A private key is never shown: it reads
 * {@link SECRET_MASK}, which a PATCH may send back to keep it.
 */
import { SECRET_MASK } from '#portico/policy-catalog';
import type { SecretGroup, TlsContext } from './secrets-manager.dto.js';
import type { SecretGroupRecord, TlsContextRecord } from './secrets-manager.repository.js';
import { certificateDetails } from './tls-material.js';

function meta(row: { id: string; createdAt: Date; updatedAt: Date }) {
  return { id: row.id, createdAt: row.createdAt.toISOString(), modifiedAt: row.updatedAt.toISOString() };
}

export function secretGroupView(group: SecretGroupRecord): SecretGroup {
  return { id: group.id, name: group.name, downloadable: false, meta: meta(group) };
}

export function tlsContextView(context: TlsContextRecord): TlsContext {
  const trusted = certificateDetails(context.trustedCertificates);
  const chain = certificateDetails(context.certificate);
  const expiries = [...trusted, ...chain].map((c) => c.notAfter).sort();
  return {
    id: context.id,
    name: context.name,
    target: context.target,
    secretGroupId: context.secretGroupId,
    meta: meta(context),
    trustedCertificates: context.trustedCertificates,
    certificate: context.certificate,
    privateKey: context.privateKeySealed === null ? null : SECRET_MASK,
    serverName: context.serverName,
    skipVerify: context.skipVerify,
    trustedCertificateDetails: trusted,
    certificateDetails: chain,
    // when the first of its certificates expires
    expirationDate: expiries[0] ?? null,
  };
}
