/**
 * Throw-away X.509 certificates for TLS tests: a CA made per test run and certificates it signs
 * (ECDSA P-256, @peculiar/x509 over Node's WebCrypto). Never used outside tests.
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;

/** A certificate and its private key, PEM (the key PKCS#8). */
export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export interface IssueOptions {
  commonName: string;
  /** DNS names and IP addresses for the subjectAltName (a value net.isIP accepts is an IP). */
  names?: string[];
  usage: 'server' | 'client';
}

/** A CA that can sign certificates. */
export interface TestCa extends TestCertificate {
  issue(options: IssueOptions): Promise<TestCertificate>;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

const validity = () => ({ notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 24 * 3600_000) });

/** Creates a self-signed CA valid for a day. */
export async function createTestCa(commonName = 'Portico test CA'): Promise<TestCa> {
  const keys = await keyPair();
  const name = `CN=${commonName}`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name,
      keys,
      signingAlgorithm: ALGORITHM,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    },
    crypto,
  );
  return {
    certificatePem: ca.toString('pem'),
    privateKeyPem: await privateKeyPem(keys.privateKey),
    async issue(options) {
      const leafKeys = await keyPair();
      const names = (options.names ?? []).map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value }));
      const certificate = await x509.X509CertificateGenerator.create(
        {
          subject: `CN=${options.commonName}`,
          issuer: name,
          publicKey: leafKeys.publicKey,
          signingKey: keys.privateKey,
          signingAlgorithm: ALGORITHM,
          ...validity(),
          extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
            new x509.ExtendedKeyUsageExtension([
              options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
            ]),
            ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
          ],
        },
        crypto,
      );
      return { certificatePem: certificate.toString('pem'), privateKeyPem: await privateKeyPem(leafKeys.privateKey) };
    },
  };
}
