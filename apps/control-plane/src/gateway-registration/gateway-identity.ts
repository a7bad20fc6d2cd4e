/**
 * The identity a gateway client certificate carries, and how to read it back.
 *
 * Contract: the control plane's CA puts exactly one SAN URI
 * `spiffe://portico/organizations/<org>/environments/<env>/gateways/<targetId>` into every gateway
 * certificate. The subject CN is the gateway name, informative only: identity comes from the URI.
 * Parsing does not check the signature, expiry or revocation — the TLS handshake checked the
 * chain, and callers check the GatewayCertificate row (exists, not revoked, target not deleted).
 */
import { X509Certificate } from 'node:crypto';

export interface GatewayIdentity {
  organizationId: string;
  environmentId: string;
  /** the gateway (target) id */
  targetId: string;
}

export interface GatewayCertificateIdentity extends GatewayIdentity {
  /** as `X509Certificate.serialNumber` prints it (upper-case hex): the GatewayCertificate key */
  serialNumber: string;
  fingerprintSha256: string;
  notAfter: Date;
}

const TRUST_DOMAIN = 'spiffe://portico/';
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const GATEWAY_URI = new RegExp(`^spiffe://portico/organizations/(${UUID})/environments/(${UUID})/gateways/(${UUID})$`);

/** The SAN URI naming a gateway. */
export function gatewaySpiffeId(identity: GatewayIdentity): string {
  return `${TRUST_DOMAIN}organizations/${identity.organizationId}/environments/${identity.environmentId}/gateways/${identity.targetId}`;
}

/** SHA-256 fingerprint as stored in GatewayCertificate (`AB:CD:…`, what `openssl x509 -fingerprint -sha256` shows). */
export function certificateFingerprint(certificate: X509Certificate): string {
  return certificate.fingerprint256;
}

/**
 * The gateway identity in a certificate issued at registration.
 *
 * @param cert a parsed certificate, DER or PEM bytes (grpc-js gives the peer's DER as
 *   `call.getAuthContext().sslPeerCertificate.raw`), or a PEM string
 * @throws Error when `cert` is not a certificate, or has no or a malformed Portico SAN URI
 */
export function parseGatewayIdentity(cert: X509Certificate | Buffer | string): GatewayCertificateIdentity {
  const certificate = toCertificate(cert);
  const uris = sanUris(certificate.subjectAltName).filter((uri) => uri.startsWith(TRUST_DOMAIN));
  if (uris.length === 0) {
    throw new Error(`the certificate carries no gateway identity (no SAN URI ${TRUST_DOMAIN}…)`);
  }
  if (uris.length > 1) throw new Error(`the certificate carries ${uris.length} gateway identities; expected one`);
  const match = GATEWAY_URI.exec(uris[0] as string);
  if (!match) {
    throw new Error(
      `malformed gateway identity ${JSON.stringify(uris[0])}: expected ${TRUST_DOMAIN}organizations/<uuid>/environments/<uuid>/gateways/<uuid>`,
    );
  }
  const [, organizationId, environmentId, targetId] = match as unknown as [string, string, string, string];
  return {
    organizationId: organizationId.toLowerCase(),
    environmentId: environmentId.toLowerCase(),
    targetId: targetId.toLowerCase(),
    serialNumber: certificate.serialNumber,
    fingerprintSha256: certificateFingerprint(certificate),
    notAfter: new Date(certificate.validTo),
  };
}

function toCertificate(cert: X509Certificate | Buffer | string): X509Certificate {
  if (cert instanceof X509Certificate) return cert;
  try {
    return new X509Certificate(cert);
  } catch (err) {
    throw new Error(`not an X.509 certificate: ${(err as Error).message}`);
  }
}

/**
 * URI entries of Node's `subjectAltName` text (`DNS:a, URI:b`). Node prints an entry whose value
 * holds a separator or quote as a JSON string (`URI:"a, b"`), so such entries are decoded
 * instead of split apart.
 */
function sanUris(subjectAltName: string | undefined): string[] {
  const uris: string[] = [];
  const entry = /(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (const [, type, raw] of (subjectAltName ?? '').matchAll(entry)) {
    if (type !== 'URI' || raw === undefined) continue;
    uris.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return uris;
}
