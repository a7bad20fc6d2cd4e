/**
 * The gateway's key pair and certificate request. The private key is created here and never
 * leaves the machine: the control plane only sees the CSR, and signs the public key in it.
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API
// before the library loads.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** ECDSA P-256 with SHA-256: what the control plane's CA uses too. */
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A fresh key pair and a PKCS#10 request for it. */
export interface KeyAndCsr {
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); a credential: store it 0600 */
  privateKeyPem: string;
  /** PEM `-----BEGIN CERTIFICATE REQUEST-----`, signed with the private key */
  csrPem: string;
}

/**
 * Creates an ECDSA P-256 key pair and a certificate request signed with it. `name` becomes the
 * request's subject CN; the control plane ignores what a request asks for and issues the
 * certificate for the identity the registration token grants.
 */
export async function createKeyAndCsr(name: string): Promise<KeyAndCsr> {
  const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: [{ CN: [name] }], keys, signingAlgorithm: KEY_ALGORITHM },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { privateKeyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`, csrPem: `${csr.toString('pem')}\n` };
}
