/**
 * Test certificates for the registration file: a throwaway CA and a gateway certificate it
 * issues for a key made by createKeyAndCsr (the control plane's CA does this for real; this lib
 * cannot depend on it).
 */
import 'reflect-metadata';
import { randomUUID, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createKeyAndCsr, type Registration } from '../src/index.js';

const crypto = webcrypto;
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface TestCa {
  certificatePem: string;
  /** a certificate for the public key in `csrPem`, signed by this CA */
  issue(csrPem: string): Promise<{ certificatePem: string; notAfter: Date }>;
}

export async function createTestCa(): Promise<TestCa> {
  const keys = (await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: 'CN=Test CA',
      keys,
      signingAlgorithm: ALGORITHM,
      notAfter: new Date(Date.now() + 30 * DAY_MS),
      extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
    },
    crypto,
  );
  return {
    certificatePem: ca.toString('pem'),
    async issue(csrPem) {
      const csr = new x509.Pkcs10CertificateRequest(csrPem);
      const notAfter = new Date(Math.floor((Date.now() + DAY_MS) / 1000) * 1000);
      const cert = await x509.X509CertificateGenerator.create(
        {
          subject: csr.subject,
          issuer: ca.subject,
          notAfter,
          publicKey: await csr.publicKey.export(crypto),
          signingKey: keys.privateKey,
          signingAlgorithm: ALGORITHM,
        },
        crypto,
      );
      return { certificatePem: cert.toString('pem'), notAfter };
    },
  };
}

/** A complete, valid registration whose certificate `ca` issued. */
export async function testRegistration(ca: TestCa, name = 'edge-1'): Promise<Registration> {
  const { privateKeyPem, csrPem } = await createKeyAndCsr(name);
  const { certificatePem, notAfter } = await ca.issue(csrPem);
  return {
    agentId: randomUUID(),
    name,
    organizationId: randomUUID(),
    environmentId: randomUUID(),
    controlPlaneUrl: 'https://portico.example.com',
    syncAddress: 'portico.example.com:8443',
    certificate: certificatePem,
    privateKey: privateKeyPem,
    caCertificate: ca.certificatePem,
    certificateExpiresAt: notAfter.toISOString(),
  };
}
