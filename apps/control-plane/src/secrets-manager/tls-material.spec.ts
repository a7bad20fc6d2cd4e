import { generateKeyPairSync } from 'node:crypto';
import { createTestCa, type TestCa, type TestCertificate } from '#portico/testing';
import { certificateDetails, encodeCertificates, encodePrivateKey, parseCertificates, parsePrivateKey } from './tls-material.js';

describe('TLS context PEM material', () => {
  let ca: TestCa;
  let leaf: TestCertificate;

  beforeAll(async () => {
    ca = await createTestCa('Material CA');
    leaf = await ca.issue({ commonName: 'gateway', usage: 'client' });
  });

  it('parses a bundle, drops the text around its blocks and re-encodes it unchanged', () => {
    const bundle = `subject=CN=Material CA\n${ca.certificatePem}\n# the leaf\n${leaf.certificatePem}`;
    const parsed = parseCertificates(bundle);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.value).toHaveLength(2);
    const stored = encodeCertificates(parsed.value);
    expect(stored).not.toContain('subject=');
    expect(stored.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    const again = parseCertificates(stored);
    expect(again.ok && encodeCertificates(again.value)).toBe(stored);
  });

  it.each([
    ['text without a PEM block', 'not a certificate', 'must be PEM: one or more -----BEGIN CERTIFICATE----- blocks'],
    ['an empty string', '', 'must be PEM: one or more -----BEGIN CERTIFICATE----- blocks'],
    [
      'a block that is not X.509',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      'certificate 1 is not a valid X.509 certificate',
    ],
  ])('refuses %s as certificates', (_, pem, problem) => {
    expect(parseCertificates(pem)).toEqual({ ok: false, problem });
  });

  it('refuses a private key pasted among certificates, so it is never echoed', () => {
    expect(parseCertificates(`${ca.certificatePem}${leaf.privateKeyPem}`)).toEqual({
      ok: false,
      problem: 'must hold certificates only, not a PRIVATE KEY block',
    });
  });

  it('parses a PKCS#8 key and stores other unencrypted forms as PKCS#8', () => {
    const pkcs8 = parsePrivateKey(leaf.privateKeyPem);
    expect(pkcs8.ok && encodePrivateKey(pkcs8.value).trim()).toBe(leaf.privateKeyPem.trim());
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const parsed = parsePrivateKey(pkcs1);
    expect(parsed.ok && encodePrivateKey(parsed.value)).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it.each([
    ['a certificate', () => leaf.certificatePem, 'must be exactly one PEM private key (-----BEGIN PRIVATE KEY-----)'],
    [
      'two keys',
      () => `${leaf.privateKeyPem}${leaf.privateKeyPem}`,
      'must be exactly one PEM private key (-----BEGIN PRIVATE KEY-----)',
    ],
    [
      'an encrypted key',
      () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' })
          .toString(),
      'must not be encrypted: send the key without its passphrase',
    ],
    [
      'a block that is not a key',
      () => '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      'is not a valid private key',
    ],
  ])('refuses %s as a private key', (_, pem, problem) => {
    expect(parsePrivateKey(pem())).toEqual({ ok: false, problem });
  });

  it('describes certificates by subject, issuer, serial, validity and fingerprint', () => {
    const [details] = certificateDetails(leaf.certificatePem);
    expect(details).toEqual({
      subject: 'CN=gateway',
      issuer: 'CN=Material CA',
      serialNumber: expect.stringMatching(/^[0-9A-F]+$/),
      notBefore: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      notAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      fingerprintSha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
    expect(Date.parse(details!.notAfter)).toBeGreaterThan(Date.parse(details!.notBefore));
    expect(certificateDetails(null)).toEqual([]);
  });
});
