/**
 * The PEM material of a TLS context, checked with node:crypto when it arrives, so a gateway is
 * never sent a context it would reject (the gateway's translate.ts runs the same checks again).
 *
 * What is stored is re-encoded from what parsed: certificates as their PEM blocks only (text
 * around them, such as the `subject=` lines of openssl bundles, is dropped) and the private key
 * as unencrypted PKCS#8, whatever PEM form it came in.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** What responses show of a certificate. */
export interface CertificateDetails {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function pemBlocks(pem: string): { label: string; text: string }[] {
  return [...pem.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, text: m[0] }));
}

/** One or more CERTIFICATE blocks (a CA bundle, or a chain leaf first) and no other PEM block. */
export function parseCertificates(pem: string): Parsed<X509Certificate[]> {
  const blocks = pemBlocks(pem);
  if (!blocks.length) return { ok: false, problem: 'must be PEM: one or more -----BEGIN CERTIFICATE----- blocks' };
  const other = blocks.find((b) => b.label !== 'CERTIFICATE');
  if (other) return { ok: false, problem: `must hold certificates only, not a ${other.label} block` };
  const certificates: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block.text));
    } catch {
      return { ok: false, problem: `certificate ${i + 1} is not a valid X.509 certificate` };
    }
  }
  return { ok: true, value: certificates };
}

/** Exactly one unencrypted PEM private key (PKCS#8, or the PKCS#1 / SEC1 forms). */
export function parsePrivateKey(pem: string): Parsed<KeyObject> {
  const blocks = pemBlocks(pem);
  if (blocks.length !== 1 || !blocks[0]!.label.endsWith('PRIVATE KEY')) {
    return { ok: false, problem: 'must be exactly one PEM private key (-----BEGIN PRIVATE KEY-----)' };
  }
  if (blocks[0]!.label === 'ENCRYPTED PRIVATE KEY') {
    return { ok: false, problem: 'must not be encrypted: send the key without its passphrase' };
  }
  try {
    return { ok: true, value: createPrivateKey(blocks[0]!.text) };
  } catch {
    return { ok: false, problem: 'is not a valid private key' };
  }
}

/** The certificates as stored: their PEM blocks, one after the other. */
export function encodeCertificates(certificates: X509Certificate[]): string {
  return certificates.map((c) => c.toString()).join('');
}

/** The key as stored (before sealing): PKCS#8 PEM. */
export function encodePrivateKey(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Subject, issuer, serial, validity and fingerprint of each certificate of stored PEM. */
export function certificateDetails(pem: string | null): CertificateDetails[] {
  if (pem === null) return [];
  const parsed = parseCertificates(pem);
  if (!parsed.ok) return [];
  return parsed.value.map((c) => ({
    subject: distinguishedName(c.subject),
    issuer: distinguishedName(c.issuer),
    serialNumber: c.serialNumber,
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    fingerprintSha256: c.fingerprint256,
  }));
}

/** Node prints one RDN per line (`C=DE\nCN=x`); responses show `C=DE, CN=x`. */
function distinguishedName(name: string): string {
  return name.split('\n').join(', ');
}
