/**
 * Registration and gateway certificates over real HTTP and Postgres, on a database of its own:
 * adopting the bootstrap `local-gateway` needs one that no other test (or gateway) registered.
 */
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createKeyAndCsr } from '#portico/gateway-registration';
import { ADMIN_USERNAME, startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, type TestTenant, uniqueName } from '../../test/support/factories.js';
import { freePort, setupTestDatabase } from '../../test/support/test-database.js';
import { sha256 } from '../common/secrets.js';
import { SyncEndpoint } from '../config-sync/sync-endpoint.js';
import { parseGatewayIdentity } from './gateway-identity.js';

const REGISTRATIONS = '/amc/registration-facade/api/v1/registrations';

/** A CSR for an RSA key of `bits` bits (createKeyAndCsr only makes P-256 keys). */
async function rsaCsr(bits: number): Promise<string> {
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: bits,
  };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: 'CN=edge', keys, signingAlgorithm: algorithm },
    webcrypto,
  );
  return csr.toString('pem');
}

describe('gateway registration', () => {
  let db: { url: string; stop: () => Promise<void> };
  let sharedDatabaseUrl: string | undefined;
  let cp: TestControlPlane;
  let syncAddress: string;
  let tenant: TestTenant;
  let csr: string;

  beforeAll(async () => {
    db = await setupTestDatabase();
    sharedDatabaseUrl = process.env.PORTICO_TEST_DATABASE_URL;
    // startControlPlane and the factories both use this database
    process.env.PORTICO_TEST_DATABASE_URL = db.url;
    cp = await startControlPlane();
    // Set by the sync server once it listens; without it running here, say where it would be.
    const endpoint = cp.app.get(SyncEndpoint);
    try {
      syncAddress = endpoint.publicAddress();
    } catch {
      syncAddress = `127.0.0.1:${await freePort()}`;
      endpoint.set(syncAddress);
    }
    tenant = await newTenant(cp);
    csr = (await createKeyAndCsr('edge')).csrPem;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
    process.env.PORTICO_TEST_DATABASE_URL = sharedDatabaseUrl;
    await db.stop();
  });

  const envPath = (t: { organizationId: string }, environmentId: string) =>
    `/standalone/api/v1/organizations/${t.organizationId}/environments/${environmentId}`;
  const mintToken = async (t: { organizationId: string; token: string } = tenant, environmentId = tenant.sandboxId) => {
    const res = await cp.request('POST', `${envPath(t, environmentId)}/gatewaytokens`, { token: t.token });
    expect(res.status).toBe(200);
    return res.body.registrationToken as string;
  };
  const register = (body: Record<string, unknown>) => cp.request('POST', REGISTRATIONS, { json: body });
  const tokenRow = (token: string) => testPrisma().registrationToken.findUniqueOrThrow({ where: { tokenHash: sha256(token) } });
  const writes = async () => ({
    targets: await testPrisma().gatewayTarget.count(),
    certificates: await testPrisma().gatewayCertificate.count(),
    usedTokens: await testPrisma().registrationToken.count({ where: { usedAt: { not: null } } }),
  });
  const unauthorized = (code: string, message: string) => ({ status: 401, name: 'UnauthorizedError', code, message });

  describe('POST /amc/registration-facade/api/v1/registrations', () => {
    it('creates a DISCONNECTED target with the name, issues its certificate and marks the token used', async () => {
      const token = await mintToken();
      const name = uniqueName('edge');
      const res = await register({ registrationToken: token, name, csr });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        gatewayId: expect.any(String),
        name,
        organizationId: tenant.organizationId,
        environmentId: tenant.sandboxId,
        syncAddress,
        certificate: expect.stringMatching(/^-----BEGIN CERTIFICATE-----\n/),
        caCertificate: expect.stringMatching(/^-----BEGIN CERTIFICATE-----\n/),
        certificateSerialNumber: expect.stringMatching(/^[0-9A-F]{32}$/),
        certificateExpiresAt: expect.any(String),
      });
      const gatewayId = res.body.gatewayId as string;

      const cert = new X509Certificate(res.body.certificate);
      expect(cert.verify(new X509Certificate(res.body.caCertificate).publicKey)).toBe(true);
      expect(cert.subject).toBe(`CN=${name}`);
      expect(parseGatewayIdentity(cert)).toMatchObject({
        organizationId: tenant.organizationId,
        environmentId: tenant.sandboxId,
        targetId: gatewayId,
        serialNumber: res.body.certificateSerialNumber,
      });
      expect(new Date(cert.validTo).toISOString()).toBe(res.body.certificateExpiresAt);

      const targets = await cp.request(
        'GET',
        `/apimanager/xapi/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/gateway-targets?name=${name}`,
        { token: tenant.token },
      );
      expect(targets.body.rows).toEqual([expect.objectContaining({ id: gatewayId, name, status: 'DISCONNECTED' })]);
      expect(await tokenRow(token)).toMatchObject({ usedAt: expect.any(Date), targetId: gatewayId });
      expect(await testPrisma().gatewayCertificate.findMany({ where: { targetId: gatewayId } })).toEqual([
        expect.objectContaining({
          serialNumber: res.body.certificateSerialNumber,
          fingerprintSha256: cert.fingerprint256,
          notAfter: new Date(res.body.certificateExpiresAt),
          revokedAt: null,
        }),
      ]);
    });

    it('accepts a CSR for an RSA key of 2048 bits', async () => {
      const res = await register({ registrationToken: await mintToken(), name: uniqueName('rsa'), csr: await rsaCsr(2048) });
      expect(res.status).toBe(201);
      expect(new X509Certificate(res.body.certificate).publicKey.asymmetricKeyType).toBe('rsa');
    });

    it("registers into the token's environment", async () => {
      const res = await register({ registrationToken: await mintToken(tenant, tenant.productionId), name: 'edge-prod', csr });
      expect(res.status).toBe(201);
      expect(res.body.environmentId).toBe(tenant.productionId);
      const target = await testPrisma().gatewayTarget.findUniqueOrThrow({ where: { id: res.body.gatewayId } });
      expect(target).toMatchObject({ organizationId: tenant.organizationId, environmentId: tenant.productionId });
    });

    it('adopts the bootstrap local-gateway, which then counts as registered', async () => {
      const user = await testPrisma().user.findUniqueOrThrow({ where: { username: ADMIN_USERNAME } });
      const admin = { organizationId: user.organizationId, token: await cp.adminToken() };
      const local = await testPrisma().gatewayTarget.findFirstOrThrow({
        where: { organizationId: user.organizationId, name: 'local-gateway' },
      });
      const before = await testPrisma().gatewayTarget.count();
      const res = await register({ registrationToken: await mintToken(admin, local.environmentId), name: 'local-gateway', csr });
      expect(res.status).toBe(201);
      expect(res.body.gatewayId).toBe(local.id);
      expect(parseGatewayIdentity(res.body.certificate).targetId).toBe(local.id);
      expect(await testPrisma().gatewayTarget.count()).toBe(before);

      const again = await register({
        registrationToken: await mintToken(admin, local.environmentId),
        name: 'local-gateway',
        csr,
      });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        code: 'REGISTRATION_NAME_IN_USE',
        message: "Gateway name 'local-gateway' is already in use in this environment",
      });
    });

    it('adopts a gateway created through POST .../gateways that never registered', async () => {
      const name = uniqueName('pre');
      const created = await cp.request('POST', `${envPath(tenant, tenant.sandboxId)}/gateways`, {
        token: tenant.token,
        json: { name },
      });
      expect(created.status).toBe(201);
      const res = await register({ registrationToken: await mintToken(), name, csr });
      expect(res.status).toBe(201);
      expect(res.body.gatewayId).toBe(created.body.id);
    });

    it('answers an unknown token with 401 "Invalid registration token"', async () => {
      const before = await writes();
      const res = await register({ registrationToken: 'no-such-token', name: 'edge', csr });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthorized('REGISTRATION_TOKEN_INVALID', 'Invalid registration token'));
      expect(await writes()).toEqual(before);
    });

    it('answers an expired token with 401 "Registration token expired"', async () => {
      const token = await mintToken();
      await testPrisma().registrationToken.update({
        where: { tokenHash: sha256(token) },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      const before = await writes();
      const res = await register({ registrationToken: token, name: uniqueName('edge'), csr });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthorized('REGISTRATION_TOKEN_EXPIRED', 'Registration token expired'));
      expect(await writes()).toEqual(before);
    });

    it('answers a token used before with 401 "Registration token was already used"', async () => {
      const token = await mintToken();
      expect((await register({ registrationToken: token, name: uniqueName('edge'), csr })).status).toBe(201);
      const before = await writes();
      const res = await register({ registrationToken: token, name: uniqueName('edge'), csr });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthorized('REGISTRATION_TOKEN_USED', 'Registration token was already used'));
      expect(await writes()).toEqual(before);
    });

    it('redeems a token once when two registrations race with it, writing only the winner', async () => {
      const token = await mintToken();
      const before = await writes();
      const names = [uniqueName('race'), uniqueName('race')];
      const results = await Promise.all(names.map((name) => register({ registrationToken: token, name, csr })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 401]);
      const loser = results.find((r) => r.status === 401);
      expect(loser?.body.message).toBe('Registration token was already used');
      const winner = results.find((r) => r.status === 201);
      expect(await writes()).toEqual({
        targets: before.targets + 1,
        certificates: before.certificates + 1,
        usedTokens: before.usedTokens + 1,
      });
      expect(await tokenRow(token)).toMatchObject({ targetId: winner?.body.gatewayId });
    });

    it('refuses the name of a registered gateway with 409 and leaves the token usable', async () => {
      const taken = await register({ registrationToken: await mintToken(), name: uniqueName('edge'), csr });
      const token = await mintToken();
      const before = await writes();
      const res = await register({ registrationToken: token, name: taken.body.name, csr });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        status: 409,
        name: 'ConflictError',
        code: 'REGISTRATION_NAME_IN_USE',
        message: `Gateway name '${taken.body.name}' is already in use in this environment`,
      });
      expect(await writes()).toEqual(before);
      expect(await tokenRow(token)).toMatchObject({ usedAt: null, targetId: null });
      expect((await register({ registrationToken: token, name: uniqueName('edge'), csr })).status).toBe(201);
    });

    it('refuses the name of a deleted gateway with 409, since names are never reused', async () => {
      const name = uniqueName('gone');
      const created = await cp.request('POST', `${envPath(tenant, tenant.sandboxId)}/gateways`, {
        token: tenant.token,
        json: { name },
      });
      await cp.request('DELETE', `${envPath(tenant, tenant.sandboxId)}/gateways/${created.body.id}`, { token: tenant.token });
      const token = await mintToken();
      const before = await writes();
      const res = await register({ registrationToken: token, name, csr });
      expect(res.status).toBe(409);
      expect(res.body.message).toBe(`Gateway name '${name}' is already in use in this environment`);
      expect(await writes()).toEqual(before);
      expect((await tokenRow(token)).usedAt).toBeNull();
    });

    it('refuses a CSR that is not one, is damaged, does not verify or holds a weak key with 400 naming body.csr', async () => {
      const der = Buffer.from(csr.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      const flip = (at: number) => {
        const copy = Buffer.from(der);
        copy[at] = (copy[at] as number) ^ 0xff;
        return `-----BEGIN CERTIFICATE REQUEST-----\n${copy.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      };
      const certificatePem = (await register({ registrationToken: await mintToken(), name: uniqueName('edge'), csr })).body
        .certificate;
      const cases: [string, string][] = [
        ['hello', 'body.csr: must be a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)'],
        [certificatePem, 'body.csr: must be a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)'],
        [
          '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
          'body.csr: is not a well-formed PKCS#10 certificate request',
        ],
        // the last bytes are the signature
        [flip(der.length - 3), 'body.csr: signature does not verify against its public key'],
        [await rsaCsr(1024), 'body.csr: must hold an ECDSA P-256/P-384/P-521 or RSA 2048+ bit key'],
      ];
      const token = await mintToken();
      const before = await writes();
      for (const [bad, message] of cases) {
        const res = await register({ registrationToken: token, name: uniqueName('edge'), csr: bad });
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
        expect(res.body.message.startsWith(message)).toBe(true);
        expect(res.body.errors).toEqual([expect.objectContaining({ path: '/body/csr' })]);
      }
      expect(await writes()).toEqual(before);
      expect((await tokenRow(token)).usedAt).toBeNull();
    });

    it('refuses bad bodies naming the field, before looking at the token', async () => {
      const token = await mintToken();
      const before = await writes();
      const cases: [Record<string, unknown>, string][] = [
        [{ name: 'edge', csr }, 'body.registrationToken: '],
        [{ registrationToken: token, csr }, 'body.name: '],
        [{ registrationToken: token, name: 'bad name!', csr }, "body.name: must be 1-64 letters, digits, '.', '_' or '-'"],
        [{ registrationToken: token, name: 'x'.repeat(65), csr }, 'body.name: '],
        [{ registrationToken: token, name: 'edge' }, 'body.csr: '],
        [{ registrationToken: token, name: 'edge', csr: 42 }, 'body.csr: '],
      ];
      for (const [body, message] of cases) {
        const res = await register(body);
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
        expect(res.body.message.startsWith(message)).toBe(true);
      }
      expect(await writes()).toEqual(before);
      expect((await tokenRow(token)).usedAt).toBeNull();
    });

    it('is documented in the OpenAPI document with its body schema, beside the certificate routes', async () => {
      const doc = (await cp.request('GET', '/openapi.json')).body;
      const op = doc.paths[REGISTRATIONS].post;
      expect(op.requestBody.content['application/json'].schema.required).toEqual(['registrationToken', 'name', 'csr']);
      const certificates = '/standalone/api/v1/organizations/{orgId}/environments/{envId}/gateways/{gatewayId}/certificates';
      expect(Object.keys(doc.paths[certificates])).toEqual(['get']);
      expect(Object.keys(doc.paths[`${certificates}/{serialNumber}`])).toEqual(['delete']);
    });
  });

  describe('certificates of a gateway', () => {
    const registered = async (t: TestTenant = tenant) => {
      const res = await register({ registrationToken: await mintToken(t, t.sandboxId), name: uniqueName('edge'), csr });
      expect(res.status).toBe(201);
      return res.body as { gatewayId: string; certificateSerialNumber: string };
    };
    const certificatesPath = (gatewayId: string, t: TestTenant = tenant) =>
      `${envPath(t, t.sandboxId)}/gateways/${gatewayId}/certificates`;

    it('lists them as VALID, revokes one with 204 (waking the sync service), then shows it REVOKED', async () => {
      const gw = await registered();
      const list = await cp.request('GET', certificatesPath(gw.gatewayId), { token: tenant.token });
      expect(list.status).toBe(200);
      const row = await testPrisma().gatewayCertificate.findUniqueOrThrow({
        where: { serialNumber: gw.certificateSerialNumber },
      });
      expect(list.body).toEqual({
        content: [
          {
            serialNumber: gw.certificateSerialNumber,
            fingerprintSha256: row.fingerprintSha256,
            notBefore: row.notBefore.toISOString(),
            notAfter: row.notAfter.toISOString(),
            revokedAt: null,
            status: 'VALID',
          },
        ],
        totalElements: 1,
      });

      const revision = async () =>
        (await testPrisma().gatewayTarget.findUniqueOrThrow({ where: { id: gw.gatewayId } })).configRevision;
      const before = await revision();
      const res = await cp.request('DELETE', `${certificatesPath(gw.gatewayId)}/${gw.certificateSerialNumber}`, {
        token: tenant.token,
      });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await revision()).toBeGreaterThan(before);
      const after = await cp.request('GET', certificatesPath(gw.gatewayId), { token: tenant.token });
      expect(after.body.content).toEqual([
        expect.objectContaining({ serialNumber: gw.certificateSerialNumber, status: 'REVOKED', revokedAt: expect.any(String) }),
      ]);
    });

    it('shows a certificate past its notAfter as EXPIRED', async () => {
      const gw = await registered();
      await testPrisma().gatewayCertificate.update({
        where: { serialNumber: gw.certificateSerialNumber },
        data: { notAfter: new Date(Date.now() - 1000) },
      });
      const list = await cp.request('GET', certificatesPath(gw.gatewayId), { token: tenant.token });
      expect(list.body.content).toEqual([expect.objectContaining({ status: 'EXPIRED', revokedAt: null })]);
    });

    it('answers a repeated revocation with 400 "This certificate was already revoked", and takes the serial in any case', async () => {
      const gw = await registered();
      const url = `${certificatesPath(gw.gatewayId)}/${gw.certificateSerialNumber.toLowerCase()}`;
      expect((await cp.request('DELETE', url, { token: tenant.token })).status).toBe(204);
      const first = await testPrisma().gatewayCertificate.findUniqueOrThrow({
        where: { serialNumber: gw.certificateSerialNumber },
      });
      const again = await cp.request('DELETE', url, { token: tenant.token });
      expect(again.status).toBe(400);
      expect(again.body).toEqual({
        status: 400,
        name: 'BadRequestError',
        code: 'GATEWAY_CERTIFICATE_ALREADY_REVOKED',
        message: 'This certificate was already revoked',
      });
      const second = await testPrisma().gatewayCertificate.findUniqueOrThrow({
        where: { serialNumber: gw.certificateSerialNumber },
      });
      expect(second.revokedAt).toEqual(first.revokedAt);
    });

    it("answers 404 for an unknown serial and for another gateway's certificate", async () => {
      const [mine, other] = [await registered(), await registered()];
      for (const serial of ['00AB', other.certificateSerialNumber]) {
        const res = await cp.request('DELETE', `${certificatesPath(mine.gatewayId)}/${serial}`, { token: tenant.token });
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({
          code: 'GATEWAY_CERTIFICATE_NOT_FOUND',
          message: `Certificate ${serial} not found for this gateway`,
        });
      }
      const row = await testPrisma().gatewayCertificate.findUniqueOrThrow({
        where: { serialNumber: other.certificateSerialNumber },
      });
      expect(row.revokedAt).toBeNull();
    });

    it('hides other tenants\' gateways as "Gateway not found by id"', async () => {
      const stranger = await newTenant(cp);
      const theirs = await registered(stranger);
      for (const [method, path] of [
        ['GET', certificatesPath(theirs.gatewayId)],
        ['DELETE', `${certificatesPath(theirs.gatewayId)}/${theirs.certificateSerialNumber}`],
        ['GET', certificatesPath('not-a-uuid')],
      ] as const) {
        const res = await cp.request(method, path, { token: tenant.token });
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ code: 'TARGET_NOT_FOUND', message: 'Gateway not found by id' });
      }
      // and the other tenant's own routes are closed to this tenant
      const foreign = await cp.request('GET', certificatesPath(theirs.gatewayId, stranger), { token: tenant.token });
      expect(foreign.status).toBe(404);
      const row = await testPrisma().gatewayCertificate.findUniqueOrThrow({
        where: { serialNumber: theirs.certificateSerialNumber },
      });
      expect(row.revokedAt).toBeNull();
    });

    it('needs read:servers to list and manage:servers to revoke', async () => {
      const gw = await registered();
      const reader = await newUser(cp, tenant.organizationId, ['read:servers']);
      expect((await cp.request('GET', certificatesPath(gw.gatewayId), { token: reader.token })).status).toBe(200);
      const revoke = await cp.request('DELETE', `${certificatesPath(gw.gatewayId)}/${gw.certificateSerialNumber}`, {
        token: reader.token,
      });
      expect(revoke.status).toBe(403);
      const nobody = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
      expect((await cp.request('GET', certificatesPath(gw.gatewayId), { token: nobody.token })).status).toBe(403);
      expect((await cp.request('GET', certificatesPath(gw.gatewayId))).status).toBe(401);
      const row = await testPrisma().gatewayCertificate.findUniqueOrThrow({
        where: { serialNumber: gw.certificateSerialNumber },
      });
      expect(row.revokedAt).toBeNull();
    });
  });
});
