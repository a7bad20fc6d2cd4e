/**
 * The control plane's CA over a real database, on a database of its own: "created once" needs an
 * empty CertificateAuthority table, which the shared test database only has before its first
 * control plane starts.
 */
import 'reflect-metadata';
import { randomUUID, webcrypto, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { createKeyAndCsr } from '#portico/gateway-registration';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, testPrisma } from '../../test/support/factories.js';
import { setupTestDatabase } from '../../test/support/test-database.js';
import { DomainError } from '../common/domain-error.js';
import { CertificateAuthorityService } from './certificate-authority.service.js';
import { gatewaySpiffeId, parseGatewayIdentity } from './gateway-identity.js';

const TTL_DAYS = 30;
const DAY_MS = 86_400_000;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

describe('CertificateAuthorityService', () => {
  let db: { url: string; stop: () => Promise<void> };
  let sharedDatabaseUrl: string | undefined;
  const running: TestControlPlane[] = [];

  const start = async (overrides: Record<string, string> = {}) => {
    const cp = await startControlPlane({ PORTICO_GATEWAY_CERT_TTL_DAYS: String(TTL_DAYS), ...overrides });
    running.push(cp);
    return cp;
  };
  const caOf = (cp: TestControlPlane) => cp.app.get(CertificateAuthorityService);
  /** The CA of a running control plane (starting one when none runs). */
  const anyCa = async () => caOf(running[0] ?? (await start()));
  const identity = () => ({ organizationId: randomUUID(), environmentId: randomUUID(), targetId: randomUUID(), name: 'edge-1' });

  beforeAll(async () => {
    db = await setupTestDatabase();
    sharedDatabaseUrl = process.env.PORTICO_TEST_DATABASE_URL;
    // startControlPlane and testPrisma both use this database
    process.env.PORTICO_TEST_DATABASE_URL = db.url;
  });
  afterAll(async () => {
    await Promise.all(running.map((cp) => cp.close()));
    await closeTestPrisma();
    process.env.PORTICO_TEST_DATABASE_URL = sharedDatabaseUrl;
    await db.stop();
  });

  describe('the CA', () => {
    it('is created once when two control planes start together on an empty database', async () => {
      expect(await testPrisma().certificateAuthority.count()).toBe(0);
      const [a, b] = await Promise.all([start(), start()]);
      expect(caOf(a).caCertificatePem()).toBe(caOf(b).caCertificatePem());
      const rows = await testPrisma().certificateAuthority.findMany();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: 1, certificatePem: caOf(a).caCertificatePem() });
      // the private key is stored sealed only
      expect(rows[0]?.privateKeySealed).toMatch(/^enc:v1:/);
      expect(rows[0]?.privateKeySealed).not.toContain('PRIVATE KEY');
    });

    it('is a self-signed ECDSA P-256 CA for 10 years, named "Portico gateway CA", for certificate and CRL signing only', async () => {
      const pem = (await anyCa()).caCertificatePem();
      const ca = new X509Certificate(pem);
      expect(ca.subject).toBe('CN=Portico gateway CA');
      expect(ca.issuer).toBe(ca.subject);
      expect(ca.ca).toBe(true);
      expect(ca.verify(ca.publicKey)).toBe(true);
      expect(ca.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
      const years = (new Date(ca.validTo).getTime() - Date.now()) / (365.25 * DAY_MS);
      expect(Math.round(years)).toBe(10);
      const parsed = new x509.X509Certificate(pem);
      const usage = parsed.getExtension(x509.KeyUsagesExtension);
      expect(usage?.critical).toBe(true);
      expect(usage?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      const constraints = parsed.getExtension(x509.BasicConstraintsExtension);
      expect({ critical: constraints?.critical, ca: constraints?.ca, pathLength: constraints?.pathLength }).toEqual({
        critical: true,
        ca: true,
        pathLength: 0,
      });
    });

    it('is reused after every control plane restarted', async () => {
      const before = (await anyCa()).caCertificatePem();
      await Promise.all(running.splice(0).map((cp) => cp.close()));
      const again = await start();
      expect(caOf(again).caCertificatePem()).toBe(before);
      expect(await testPrisma().certificateAuthority.count()).toBe(1);
    });

    it('keeps a control plane with another secret key from starting, naming the cause', async () => {
      await expect(startControlPlane({ PORTICO_SECRET_KEY: Buffer.alloc(32, 9).toString('base64') })).rejects.toThrow(
        'cannot decrypt a stored secret: was PORTICO_SECRET_KEY or secret.key changed?',
      );
    });
  });

  describe('gateway certificates', () => {
    it('chain to the CA and carry CN, the SPIFFE SAN, clientAuth and the configured lifetime', async () => {
      const ca = await anyCa();
      const { csrPem } = await createKeyAndCsr('edge-1');
      const who = identity();
      const issuedAt = Date.now();
      const issued = await ca.signGatewayCertificate(csrPem, who);

      const cert = new X509Certificate(issued.certificatePem);
      const caCert = new X509Certificate(ca.caCertificatePem());
      expect(cert.checkIssued(caCert)).toBe(true);
      expect(cert.verify(caCert.publicKey)).toBe(true);
      expect(cert.ca).toBe(false);
      expect(cert.subject).toBe('CN=edge-1');
      expect(cert.subjectAltName).toBe(`URI:${gatewaySpiffeId(who)}`);
      expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
      expect(issued).toMatchObject({ serialNumber: cert.serialNumber, fingerprintSha256: cert.fingerprint256 });
      expect(issued.serialNumber).toMatch(/^[0-9A-F]{32}$/);
      expect(new Date(cert.validTo)).toEqual(issued.notAfter);
      expect(new Date(cert.validFrom)).toEqual(issued.notBefore);
      const lifetime = issued.notAfter.getTime() - issuedAt;
      expect(Math.abs(lifetime - TTL_DAYS * DAY_MS)).toBeLessThan(60_000);
      expect(issued.notBefore.getTime()).toBeLessThanOrEqual(issuedAt);
    });

    it('take only the key from the request, ignoring the subject and SANs it asks for', async () => {
      const ca = await anyCa();
      const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
      const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
      const csr = await x509.Pkcs10CertificateRequestGenerator.create(
        {
          name: 'CN=admin, O=Portico',
          keys,
          signingAlgorithm: algorithm,
          extensions: [
            new x509.SubjectAlternativeNameExtension([
              { type: 'dns', value: 'control-plane.example.com' },
              { type: 'url', value: gatewaySpiffeId({ ...identity() }) },
            ]),
            new x509.BasicConstraintsExtension(true, undefined, true),
          ],
        },
        webcrypto,
      );
      const who = identity();
      const cert = new X509Certificate((await ca.signGatewayCertificate(csr.toString('pem'), who)).certificatePem);
      expect(cert.subject).toBe('CN=edge-1');
      expect(cert.subjectAltName).toBe(`URI:${gatewaySpiffeId(who)}`);
      expect(cert.ca).toBe(false);
      const requested = new x509.PublicKey(csr.publicKey.rawData);
      expect(Buffer.from(new x509.X509Certificate(cert.raw).publicKey.rawData)).toEqual(Buffer.from(requested.rawData));
    });

    it('get a new serial each time', async () => {
      const ca = await anyCa();
      const { csrPem } = await createKeyAndCsr('edge-1');
      const serials = await Promise.all(
        [1, 2, 3].map(async () => (await ca.signGatewayCertificate(csrPem, identity())).serialNumber),
      );
      expect(new Set(serials).size).toBe(3);
    });

    it('are refused for a request whose signature does not verify, naming body.csr', async () => {
      const ca = await anyCa();
      const { csrPem } = await createKeyAndCsr('edge-1');
      const der = Buffer.from(x509.PemConverter.decodeFirst(csrPem));
      der[der.length - 5] = (der[der.length - 5] as number) ^ 0xff;
      const tampered = x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
      const error = await ca.signGatewayCertificate(tampered, identity()).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'body.csr: signature does not verify against its public key',
      });
    });
  });

  describe('sync server certificates', () => {
    it('are for serverAuth, a year, with DNS and IP SANs plus localhost and 127.0.0.1', async () => {
      const ca = await anyCa();
      const { certificatePem, privateKeyPem } = await ca.issueServerCertificate([
        'cp-1.portico.internal',
        ' 10.0.0.7 ',
        '',
        'localhost',
      ]);
      const cert = new X509Certificate(certificatePem);
      expect(cert.checkIssued(new X509Certificate(ca.caCertificatePem()))).toBe(true);
      expect(cert.keyUsage).toEqual([SERVER_AUTH]);
      expect(cert.subjectAltName).toBe('DNS:cp-1.portico.internal, IP Address:10.0.0.7, DNS:localhost, IP Address:127.0.0.1');
      expect(Math.round((new Date(cert.validTo).getTime() - Date.now()) / DAY_MS)).toBe(365);
      expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    });

    it('refuse a hostname that is neither a DNS name nor an IP address', async () => {
      await expect((await anyCa()).issueServerCertificate(['bad host'])).rejects.toThrow(
        'not a DNS name or IP address for the sync server certificate: "bad host"',
      );
    });
  });

  it('lets a gateway and the sync server authenticate each other over mutual TLS, the server reading the identity', async () => {
    const ca = await anyCa();
    const server = await ca.issueServerCertificate([]);
    const gateway = await createKeyAndCsr('edge-1');
    const who = identity();
    const client = await ca.signGatewayCertificate(gateway.csrPem, who);

    const tls = createServer({
      cert: server.certificatePem,
      key: server.privateKeyPem,
      ca: ca.caCertificatePem(),
      requestCert: true,
      rejectUnauthorized: true,
    });
    const peer = new Promise<TLSSocket>((resolve) => tls.once('secureConnection', resolve));
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    try {
      const socket = connect({
        host: '127.0.0.1',
        port: (tls.address() as AddressInfo).port,
        servername: 'localhost',
        ca: ca.caCertificatePem(),
        cert: client.certificatePem,
        key: gateway.privateKeyPem,
      });
      await once(socket, 'secureConnect');
      expect(socket.authorized).toBe(true);
      const accepted = await peer;
      expect(accepted.authorized).toBe(true);
      expect(parseGatewayIdentity(accepted.getPeerCertificate().raw)).toEqual({
        organizationId: who.organizationId,
        environmentId: who.environmentId,
        targetId: who.targetId,
        serialNumber: client.serialNumber,
        fingerprintSha256: client.fingerprintSha256,
        notAfter: client.notAfter,
      });
      socket.destroy();
      accepted.destroy();
    } finally {
      tls.close();
    }
  });
});
