import { randomUUID } from 'node:crypto';
import { createTestCa, type TestCa, type TestCertificate } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { SecretBox } from '../common/secret-box.js';
import {
  closeTestPrisma,
  newMcpAsset,
  newTenant,
  newUser,
  testPrisma,
  type TestTenant,
  uniqueName,
} from '../../test/support/factories.js';

const MASK = '********';

/** A certificate as stored and answered: its PEM block, newline-terminated. */
const stored = (pem: string) => `${pem.trimEnd()}\n`;

describe('Secrets Manager', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let groups: string;
  let ca: TestCa;
  let otherCa: TestCa;
  let client: TestCertificate;
  let otherClient: TestCertificate;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    groups = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`;
    [ca, otherCa] = await Promise.all([createTestCa('Upstream CA'), createTestCa('Other CA')]);
    [client, otherClient] = await Promise.all([
      ca.issue({ commonName: 'gateway', usage: 'client' }),
      ca.issue({ commonName: 'other-gateway', usage: 'client' }),
    ]);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const newGroup = async (path = groups, token = tenant.token) => {
    const res = await cp.request('POST', path, { token, json: { name: uniqueName('group') } });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string };
  };

  const mtlsBody = () => ({
    name: uniqueName('ctx'),
    trustedCertificates: ca.certificatePem,
    certificate: client.certificatePem,
    privateKey: client.privateKeyPem,
    serverName: 'mcp.internal',
  });

  const newContext = async (groupId: string, body: Record<string, unknown> = mtlsBody()) => {
    const res = await cp.request('POST', `${groups}/${groupId}/tlsContexts`, { token: tenant.token, json: body });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string };
  };

  const row = (id: string) => testPrisma().tlsContext.findUniqueOrThrow({ where: { id } });

  describe('secret groups', () => {
    it('creates, lists, reads and deletes a secret group', async () => {
      const name = uniqueName('group');
      const created = await cp.request('POST', groups, { token: tenant.token, json: { name, downloadable: false } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name,
        downloadable: false,
        meta: { id: created.body.id, createdAt: expect.any(String), modifiedAt: expect.any(String) },
      });
      const list = await cp.request('GET', groups, { token: tenant.token });
      expect(list.status).toBe(200);
      expect(list.body).toContainEqual(created.body);
      expect((await cp.request('GET', `${groups}/${created.body.id}`, { token: tenant.token })).body).toEqual(created.body);

      expect((await cp.request('DELETE', `${groups}/${created.body.id}`, { token: tenant.token })).status).toBe(204);
      expect((await cp.request('GET', `${groups}/${created.body.id}`, { token: tenant.token })).status).toBe(404);
    });

    it('refuses a second group of the same name in the environment (409), not in another one', async () => {
      const { name } = await newGroup();
      const again = await cp.request('POST', groups, { token: tenant.token, json: { name } });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        code: 'SECRET_GROUP_ALREADY_EXISTS',
        message: `A secret group named ${name} already exists in this environment`,
      });
      const production = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.productionId}/secretGroups`;
      expect((await cp.request('POST', production, { token: tenant.token, json: { name } })).status).toBe(201);
    });

    it('rejects bad group bodies naming the field', async () => {
      const before = await testPrisma().secretGroup.count();
      for (const [json, message] of [
        [{}, /^body\.name: /],
        [{ name: '' }, /^body\.name: /],
        [{ name: 'x', downloadable: true }, /^body\.downloadable: must be false: Portico never returns stored secrets$/],
        [{ name: 'x', secrets: [] }, /^body: Unrecognized key: "secrets"$/],
      ] as const) {
        const res = await cp.request('POST', groups, { token: tenant.token, json });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(res.body.message).toMatch(message);
      }
      expect(await testPrisma().secretGroup.count()).toBe(before);
    });

    it('goes away with its environment, TLS contexts included', async () => {
      const environments = `/accounts/api/organizations/${tenant.organizationId}/environments`;
      const env = await cp.request('POST', environments, {
        token: tenant.token,
        json: { name: uniqueName('env'), type: 'sandbox' },
      });
      expect(env.status).toBe(201);
      const path = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${env.body.id}/secretGroups`;
      const group = await newGroup(path);
      const context = await cp.request('POST', `${path}/${group.id}/tlsContexts`, { token: tenant.token, json: mtlsBody() });
      expect(context.status).toBe(201);
      expect((await cp.request('DELETE', `${environments}/${env.body.id}`, { token: tenant.token })).status).toBe(204);
      expect(await testPrisma().secretGroup.count({ where: { id: group.id } })).toBe(0);
      expect(await testPrisma().tlsContext.count({ where: { id: context.body.id } })).toBe(0);
    });

    it('refuses to delete a group that holds TLS contexts (409) and keeps both', async () => {
      const group = await newGroup();
      const context = await newContext(group.id);
      const res = await cp.request('DELETE', `${groups}/${group.id}`, { token: tenant.token });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'SECRET_GROUP_IN_USE',
        message: `Secret group ${group.id} still holds 1 TLS context; delete them first`,
      });
      expect(await testPrisma().tlsContext.count({ where: { id: context.id } })).toBe(1);
      expect(
        (await cp.request('DELETE', `${groups}/${group.id}/tlsContexts/${context.id}`, { token: tenant.token })).status,
      ).toBe(204);
      expect((await cp.request('DELETE', `${groups}/${group.id}`, { token: tenant.token })).status).toBe(204);
    });
  });

  describe('TLS contexts', () => {
    it('creates a context with a CA, a client certificate and its key, showing subjects and expiry but never the key', async () => {
      const group = await newGroup();
      const body = mtlsBody();
      const res = await cp.request('POST', `${groups}/${group.id}/tlsContexts`, { token: tenant.token, json: body });
      expect(res.status).toBe(201);
      const certificate = (subject: string, issuer: string) => ({
        subject,
        issuer,
        serialNumber: expect.any(String),
        notBefore: expect.any(String),
        notAfter: expect.any(String),
        fingerprintSha256: expect.any(String),
      });
      expect(res.body).toEqual({
        id: expect.any(String),
        name: body.name,
        target: 'FlexGateway',
        secretGroupId: group.id,
        meta: { id: res.body.id, createdAt: expect.any(String), modifiedAt: expect.any(String) },
        trustedCertificates: stored(ca.certificatePem),
        certificate: stored(client.certificatePem),
        privateKey: MASK,
        serverName: 'mcp.internal',
        skipVerify: false,
        trustedCertificateDetails: [certificate('CN=Upstream CA', 'CN=Upstream CA')],
        certificateDetails: [certificate('CN=gateway', 'CN=Upstream CA')],
        expirationDate: expect.any(String),
      });
      expect(res.body.expirationDate).toBe(
        [res.body.trustedCertificateDetails[0].notAfter, res.body.certificateDetails[0].notAfter].sort()[0],
      );
      expect(res.text).not.toContain('PRIVATE KEY');

      const list = await cp.request('GET', `${groups}/${group.id}/tlsContexts`, { token: tenant.token });
      expect(list.status).toBe(200);
      expect(list.body).toEqual([res.body]);
      const one = await cp.request('GET', `${groups}/${group.id}/tlsContexts/${res.body.id}`, { token: tenant.token });
      expect(one.body).toEqual(res.body);
      expect(one.text).not.toContain('PRIVATE KEY');
    });

    it('seals the private key at rest (PKCS#8 inside, readable only with the secret key)', async () => {
      const group = await newGroup();
      const context = await newContext(group.id);
      const saved = await row(context.id);
      expect(saved.privateKeySealed).toMatch(/^enc:v1:/);
      expect(saved.privateKeySealed).not.toContain('PRIVATE KEY');
      expect(JSON.stringify(saved)).not.toContain(client.privateKeyPem.split('\n')[1]!);
      const opened = cp.app.get(SecretBox).open(saved.privateKeySealed!);
      expect(opened).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(opened.trim()).toBe(client.privateKeyPem.trim());
    });

    it('creates contexts with only some fields (a CA, a server name, skip-verify)', async () => {
      const group = await newGroup();
      for (const json of [
        { name: uniqueName('ca'), trustedCertificates: `${ca.certificatePem}\n${otherCa.certificatePem}` },
        { name: uniqueName('sni'), serverName: '10.0.0.7' },
        { name: uniqueName('skip'), skipVerify: true, target: 'FlexGateway' },
      ]) {
        const res = await cp.request('POST', `${groups}/${group.id}/tlsContexts`, { token: tenant.token, json });
        expect(res.status).toBe(201);
        expect(res.body.privateKey).toBeNull();
        expect(res.body.certificate).toBeNull();
      }
      const list = (await cp.request('GET', `${groups}/${group.id}/tlsContexts`, { token: tenant.token })).body;
      expect(list.map((c: { trustedCertificateDetails: unknown[] }) => c.trustedCertificateDetails.length)).toEqual([2, 0, 0]);
      expect(list[2].skipVerify).toBe(true);
      expect(list[0].expirationDate).toEqual(expect.any(String));
      expect(list[1].expirationDate).toBeNull();
    });

    it('rejects bad material naming the field, lists every issue, and writes nothing', async () => {
      const group = await newGroup();
      const path = `${groups}/${group.id}/tlsContexts`;
      const base = { name: uniqueName('bad') };
      const cases: [Record<string, unknown>, string][] = [
        [
          { trustedCertificates: 'not pem' },
          'body.trustedCertificates: must be PEM: one or more -----BEGIN CERTIFICATE----- blocks',
        ],
        [
          { trustedCertificates: `${ca.certificatePem}${client.privateKeyPem}` },
          'body.trustedCertificates: must hold certificates only, not a PRIVATE KEY block',
        ],
        [
          { certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', privateKey: client.privateKeyPem },
          'body.certificate: certificate 1 is not a valid X.509 certificate',
        ],
        [
          { certificate: client.certificatePem },
          'body.privateKey: is required with certificate: a client certificate is presented with its private key',
        ],
        [
          { privateKey: client.privateKeyPem },
          'body.certificate: is required with privateKey; to remove the client certificate, set both to null',
        ],
        [
          { certificate: client.certificatePem, privateKey: otherClient.privateKeyPem },
          'body.privateKey: does not belong to certificate (the first certificate of the chain)',
        ],
        [
          { certificate: client.certificatePem, privateKey: client.certificatePem },
          'body.privateKey: must be exactly one PEM private key (-----BEGIN PRIVATE KEY-----)',
        ],
        [
          { certificate: client.certificatePem, privateKey: MASK },
          'body.privateKey: is the mask ******** but no key is stored to keep; send the key itself',
        ],
        [{ serverName: 'not a host!' }, 'body.serverName: must be a DNS name or an IP address, e.g. mcp.internal'],
        [{ target: 'Mule' }, 'body.target: must be FlexGateway, the only target Portico gateways serve'],
        [{ skipVerify: 'yes' }, 'body.skipVerify: Invalid input: expected boolean, received string'],
        [{ keystore: { path: 'keystores/x' } }, 'body: Unrecognized key: "keystore"'],
      ];
      for (const [fields, message] of cases) {
        const res = await cp.request('POST', path, { token: tenant.token, json: { ...base, ...fields } });
        expect({ status: res.status, code: res.body.code, message: res.body.message }).toEqual({
          status: 400,
          code: 'VALIDATION_FAILED',
          message,
        });
      }
      const both = await cp.request('POST', path, {
        token: tenant.token,
        json: { ...base, trustedCertificates: 'x', certificate: 'y', privateKey: 'z' },
      });
      expect(both.status).toBe(400);
      expect(both.body.errors.map((e: { path: string }) => e.path)).toEqual([
        '/body/trustedCertificates',
        '/body/certificate',
        '/body/privateKey',
      ]);
      expect((await cp.request('POST', path, { token: tenant.token, json: {} })).body.message).toMatch(/^body\.name: /);
      expect(await testPrisma().tlsContext.count({ where: { secretGroupId: group.id } })).toBe(0);
    });

    it('refuses a second context of the same name in the group (409)', async () => {
      const group = await newGroup();
      const { name } = await newContext(group.id);
      const res = await cp.request('POST', `${groups}/${group.id}/tlsContexts`, { token: tenant.token, json: { name } });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'TLS_CONTEXT_ALREADY_EXISTS',
        message: `A TLS context named ${name} already exists in this secret group`,
      });
    });

    it('keeps the stored key when a PATCH sends the mask back or leaves the key out', async () => {
      const group = await newGroup();
      const context = await newContext(group.id);
      const path = `${groups}/${group.id}/tlsContexts/${context.id}`;
      const sealed = (await row(context.id)).privateKeySealed;

      const current = (await cp.request('GET', path, { token: tenant.token })).body;
      const echoed = await cp.request('PATCH', path, {
        token: tenant.token,
        json: {
          name: current.name,
          trustedCertificates: current.trustedCertificates,
          certificate: current.certificate,
          privateKey: current.privateKey,
          serverName: 'renamed.internal',
        },
      });
      expect(echoed.status).toBe(200);
      expect(echoed.body).toMatchObject({
        serverName: 'renamed.internal',
        privateKey: MASK,
        certificate: stored(client.certificatePem),
      });
      expect((await row(context.id)).privateKeySealed).toBe(sealed);

      const omitted = await cp.request('PATCH', path, { token: tenant.token, json: { skipVerify: true } });
      expect(omitted.status).toBe(200);
      expect(omitted.body).toMatchObject({ skipVerify: true, privateKey: MASK, serverName: 'renamed.internal' });
      expect((await row(context.id)).privateKeySealed).toBe(sealed);
    });

    it('checks a new certificate against the stored key, replaces the pair, and removes it with both null', async () => {
      const group = await newGroup();
      const context = await newContext(group.id);
      const path = `${groups}/${group.id}/tlsContexts/${context.id}`;
      const before = await row(context.id);

      const mismatch = await cp.request('PATCH', path, {
        token: tenant.token,
        json: { certificate: otherClient.certificatePem },
      });
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.message).toBe(
        'body.certificate: does not belong to the stored privateKey; send its own privateKey with it',
      );
      const halfRemoved = await cp.request('PATCH', path, { token: tenant.token, json: { certificate: null } });
      expect(halfRemoved.status).toBe(400);
      expect(halfRemoved.body.message).toMatch(/^body\.certificate: is required with privateKey/);
      expect(await row(context.id)).toEqual(before);

      const replaced = await cp.request('PATCH', path, {
        token: tenant.token,
        json: { certificate: otherClient.certificatePem, privateKey: otherClient.privateKeyPem },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body.certificateDetails[0].subject).toBe('CN=other-gateway');
      const after = await row(context.id);
      expect(after.privateKeySealed).toMatch(/^enc:v1:/);
      expect(after.privateKeySealed).not.toBe(before.privateKeySealed);

      const removed = await cp.request('PATCH', path, { token: tenant.token, json: { certificate: null, privateKey: null } });
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ certificate: null, privateKey: null, certificateDetails: [] });
      expect((await row(context.id)).privateKeySealed).toBeNull();
      const masked = await cp.request('PATCH', path, { token: tenant.token, json: { privateKey: MASK } });
      expect(masked.body.message).toMatch(/^body\.privateKey: is the mask \*{8} but no key is stored to keep/);
    });

    it('refuses to delete a context an upstream references (409 naming the API), then deletes it once unreferenced', async () => {
      const group = await newGroup();
      const context = await newContext(group.id);
      const apis = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
      const api = await cp.request('POST', apis, {
        token: tenant.token,
        json: {
          technology: 'flexGateway',
          spec: await newMcpAsset(tenant.organizationId),
          endpoint: { type: 'mcp', proxyUri: 'http://0.0.0.0:8081/tls-in-use' },
        },
      });
      expect(api.status).toBe(201);
      const upstream = await cp.request('POST', `${apis}/${api.body.id}/upstreams`, {
        token: tenant.token,
        json: { uri: 'https://mcp.internal/', tlsContext: { secretGroupId: group.id, tlsContextId: context.id } },
      });
      expect(upstream.status).toBe(201);

      const path = `${groups}/${group.id}/tlsContexts/${context.id}`;
      const refused = await cp.request('DELETE', path, { token: tenant.token });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        code: 'TLS_CONTEXT_IN_USE',
        message: `TLS context ${context.id} is used by API instance ${api.body.id} (upstreams or listeners); remove those references first`,
      });
      expect(await testPrisma().tlsContext.count({ where: { id: context.id } })).toBe(1);

      const cleared = await cp.request('PATCH', `${apis}/${api.body.id}/upstreams/${upstream.body.id}`, {
        token: tenant.token,
        json: { tlsContext: null },
      });
      expect(cleared.body.tlsContext).toBeNull();
      expect((await cp.request('DELETE', path, { token: tenant.token })).status).toBe(204);
    });

    it('puts the deployments of APIs using a context back to applying when its TLS material changes, not on a rename', async () => {
      const group = await newGroup();
      const context = await newContext(group.id);
      const target = await testPrisma().gatewayTarget.create({
        data: { organizationId: tenant.organizationId, environmentId: tenant.sandboxId, name: uniqueName('gw') },
      });
      const xapi = `/apimanager/xapi/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
      const api = await cp.request('POST', xapi, {
        token: tenant.token,
        json: {
          technology: 'flexGateway',
          spec: await newMcpAsset(tenant.organizationId),
          endpoint: { deploymentType: 'HY', type: 'mcp', isCloudHub: null, proxyUri: 'http://0.0.0.0:8081/tls-rollout' },
          routing: [
            {
              upstreams: [
                { uri: 'https://mcp.internal/', weight: 100, tlsContext: { secretGroupId: group.id, tlsContextId: context.id } },
              ],
            },
          ],
          deployment: {
            environmentId: tenant.sandboxId,
            type: 'HY',
            expectedStatus: 'deployed',
            targetId: target.id,
            targetName: target.name,
            gatewayVersion: '1.0.0',
          },
        },
      });
      expect(api.status).toBe(201);
      const deployment = () => testPrisma().deployment.findUniqueOrThrow({ where: { apiId: api.body.id } });
      const revision = async () =>
        (await testPrisma().gatewayTarget.findUniqueOrThrow({ where: { id: target.id } })).configRevision;
      // as if every replica had ACKed it
      await testPrisma().deployment.update({ where: { apiId: api.body.id }, data: { status: 'applied' } });
      const applied = await revision();

      const path = `${groups}/${group.id}/tlsContexts/${context.id}`;
      expect((await cp.request('PATCH', path, { token: tenant.token, json: { name: uniqueName('renamed') } })).status).toBe(200);
      expect((await deployment()).status).toBe('applied');
      expect(await revision()).toBe(applied);

      expect((await cp.request('PATCH', path, { token: tenant.token, json: { serverName: 'other.internal' } })).status).toBe(200);
      expect((await deployment()).status).toBe('applying');
      expect(await revision()).toBeGreaterThan(applied);
      expect((await deployment()).configRevision).toBe(await revision());
    });
  });

  describe('access', () => {
    it('answers 404 for ids that are not ids, unknown ids, another environment and another organization', async () => {
      const group = await newGroup();
      const context = await newContext(group.id);
      for (const id of ['nope', randomUUID()]) {
        const res = await cp.request('GET', `${groups}/${id}`, { token: tenant.token });
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ code: 'SECRET_GROUP_NOT_FOUND', message: `Secret group ${id} not found` });
        const ctx = await cp.request('GET', `${groups}/${group.id}/tlsContexts/${id}`, { token: tenant.token });
        expect(ctx.status).toBe(404);
        expect(ctx.body).toMatchObject({
          code: 'TLS_CONTEXT_NOT_FOUND',
          message: `TLS context ${id} not found in secret group ${group.id}`,
        });
        for (const method of ['PATCH', 'DELETE']) {
          const res = await cp.request(method, `${groups}/${group.id}/tlsContexts/${id}`, { token: tenant.token, json: {} });
          expect(res.status).toBe(404);
        }
        expect((await cp.request('DELETE', `${groups}/${id}`, { token: tenant.token })).status).toBe(404);
      }
      // another group's context through this group's path
      const sibling = await newGroup();
      expect((await cp.request('GET', `${groups}/${sibling.id}/tlsContexts/${context.id}`, { token: tenant.token })).status).toBe(
        404,
      );

      const production = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.productionId}/secretGroups`;
      expect((await cp.request('GET', `${production}/${group.id}`, { token: tenant.token })).status).toBe(404);
      expect(
        (await cp.request('GET', `${production}/${group.id}/tlsContexts/${context.id}`, { token: tenant.token })).status,
      ).toBe(404);
      expect((await cp.request('GET', production, { token: tenant.token })).body).not.toContainEqual(
        expect.objectContaining({ id: group.id }),
      );

      const other = await newTenant(cp);
      const otherGroups = `/secrets-manager/api/v1/organizations/${other.organizationId}/environments/${other.sandboxId}/secretGroups`;
      expect((await cp.request('GET', `${otherGroups}/${group.id}`, { token: other.token })).status).toBe(404);
      expect((await cp.request('DELETE', `${otherGroups}/${group.id}`, { token: other.token })).status).toBe(404);
      const foreign = await cp.request('GET', `${groups}/${group.id}`, { token: other.token });
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('ORGANIZATION_NOT_FOUND');
      expect(await testPrisma().secretGroup.count({ where: { id: group.id } })).toBe(1);
    });

    it('needs Read Secret Groups to read and Manage Secret Groups (which includes reading) to write', async () => {
      const group = await newGroup();
      const context = await newContext(group.id);
      const reader = await newUser(cp, tenant.organizationId, ['read:secret_groups']);
      const manager = await newUser(cp, tenant.organizationId, ['manage:secret_groups']);
      const outsider = await newUser(cp, tenant.organizationId, ['manage:api_configuration']);
      const contextPath = `${groups}/${group.id}/tlsContexts/${context.id}`;

      expect((await cp.request('GET', contextPath, { token: reader.token })).status).toBe(200);
      expect((await cp.request('GET', groups, { token: manager.token })).status).toBe(200);
      const denied = await cp.request('GET', groups, { token: outsider.token });
      expect(denied.status).toBe(403);
      expect(denied.body).toMatchObject({
        code: 'FORBIDDEN',
        message: `You need the Read Secret Groups permission (read:secret_groups) in environment ${tenant.sandboxId}`,
      });
      for (const [method, path, json] of [
        ['POST', groups, { name: uniqueName('group') }],
        ['DELETE', `${groups}/${group.id}`, undefined],
        ['POST', `${groups}/${group.id}/tlsContexts`, { name: uniqueName('ctx') }],
        ['PATCH', contextPath, { serverName: 'x.internal' }],
        ['DELETE', contextPath, undefined],
      ] as const) {
        const res = await cp.request(method, path, { token: reader.token, json });
        expect(res.status).toBe(403);
        expect(res.body.message).toContain('Manage Secret Groups');
      }
      expect((await row(context.id)).serverName).toBe('mcp.internal');
      expect((await cp.request('POST', groups, { token: manager.token, json: { name: uniqueName('group') } })).status).toBe(201);
    });
  });
});
