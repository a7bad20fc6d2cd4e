import 'reflect-metadata';
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createKeyAndCsr } from './gateway-key.js';

describe('createKeyAndCsr', () => {
  it('makes a PKCS#8 ECDSA P-256 key and a CSR for it whose signature verifies', async () => {
    const { privateKeyPem, csrPem } = await createKeyAndCsr('edge-1');
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(privateKeyPem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });

    expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    expect(await csr.verify(webcrypto)).toBe(true);
    expect(csr.subject).toBe('CN=edge-1');
    const requested = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    expect(requested.export({ format: 'pem', type: 'spki' })).toBe(createPublicKey(key).export({ format: 'pem', type: 'spki' }));
  });

  it('makes a new key every time', async () => {
    const [a, b] = await Promise.all([createKeyAndCsr('edge-1'), createKeyAndCsr('edge-1')]);
    expect(a.privateKeyPem).not.toBe(b.privateKeyPem);
  });

  it('keeps a name with DN special characters as one CN value', async () => {
    const { csrPem } = await createKeyAndCsr('a,b=c+d');
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    expect(csr.subjectName.getField('CN')).toEqual(['a,b=c+d']);
  });
});
