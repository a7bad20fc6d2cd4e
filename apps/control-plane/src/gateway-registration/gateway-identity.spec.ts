import 'reflect-metadata';
import { randomUUID, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { gatewaySpiffeId, parseGatewayIdentity } from './gateway-identity.js';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A self-signed certificate with `uris` as SAN URIs (none: no SAN extension at all). */
async function certificateWith(uris: string[]): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions = uris.length
    ? [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'gateway.example.com' },
          ...uris.map((value) => ({ type: 'url' as const, value })),
        ]),
      ]
    : [];
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { name: 'CN=edge-1', keys, signingAlgorithm: ALGORITHM, extensions },
    webcrypto,
  );
  return cert.toString('pem');
}

describe('gateway identity', () => {
  const ids = { organizationId: randomUUID(), environmentId: randomUUID(), targetId: randomUUID() };

  it('names a gateway with a SPIFFE URI under the portico trust domain', () => {
    expect(gatewaySpiffeId(ids)).toBe(
      `spiffe://portico/organizations/${ids.organizationId}/environments/${ids.environmentId}/gateways/${ids.targetId}`,
    );
  });

  it('reads the identity, serial, fingerprint and expiry from a PEM string, DER bytes or a parsed certificate', async () => {
    const pem = await certificateWith([gatewaySpiffeId(ids)]);
    const parsed = new X509Certificate(pem);
    const expected = {
      ...ids,
      serialNumber: parsed.serialNumber,
      fingerprintSha256: parsed.fingerprint256,
      notAfter: new Date(parsed.validTo),
    };
    expect(parseGatewayIdentity(pem)).toEqual(expected);
    expect(parseGatewayIdentity(parsed.raw)).toEqual(expected);
    expect(parseGatewayIdentity(parsed)).toEqual(expected);
  });

  it.each([
    ['bytes that are no certificate', async () => Buffer.from('not a certificate'), /^not an X\.509 certificate: /],
    [
      'a certificate without SAN',
      () => certificateWith([]),
      'the certificate carries no gateway identity (no SAN URI spiffe://portico/…)',
    ],
    [
      'a SAN URI of another trust domain',
      () => certificateWith([`spiffe://other/organizations/${randomUUID()}`]),
      /no gateway identity/,
    ],
    [
      'a portico URI of another shape',
      () => certificateWith(['spiffe://portico/gateway/abc']),
      'malformed gateway identity "spiffe://portico/gateway/abc": expected spiffe://portico/organizations/<uuid>/environments/<uuid>/gateways/<uuid>',
    ],
    [
      'a URI smuggling a second identity after a comma',
      () => certificateWith([`spiffe://portico/x, URI:${gatewaySpiffeId(ids)}`]),
      /^malformed gateway identity "spiffe:\/\/portico\/x, URI:/,
    ],
    [
      'two identities',
      () => certificateWith([gatewaySpiffeId(ids), gatewaySpiffeId({ ...ids, targetId: randomUUID() })]),
      'the certificate carries 2 gateway identities; expected one',
    ],
  ])('refuses %s with a clear error', async (_label, make, message) => {
    const input = await make();
    expect(() => parseGatewayIdentity(input)).toThrow(message);
  });
});
