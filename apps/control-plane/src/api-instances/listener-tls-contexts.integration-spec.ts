/**
 * `endpoint.tlsContexts.inbound`: an https proxyUri serves with a TLS context of the instance's
 * environment that has a certificate and key; it is required for https and refused for http,
 * resolved (and locked against deletion) like an upstream's reference, and every refusal names
 * the field and writes nothing.
 */
import { createTestCa, type TestCa } from '#portico/testing';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newMcpAsset,
  newTenant,
  testPrisma,
  type TestTenant,
  uniqueName,
} from '../../test/support/factories.js';

describe('listeners serving with TLS contexts (inbound TLS)', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let ca: TestCa;
  let api: string;
  let xapi: string;
  let groups: string;
  let port = 22_000;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    ca = await createTestCa();
    api = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
    xapi = `/apimanager/xapi/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
    groups = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  /** A TLS context in a new secret group: with a server certificate unless `bare`. */
  const newContext = async (bare = false) => {
    const group = await cp.request('POST', groups, { token: tenant.token, json: { name: uniqueName('group') } });
    const server = await ca.issue({ commonName: 'mcp.example.com', names: ['mcp.example.com'], usage: 'server' });
    const context = await cp.request('POST', `${groups}/${group.body.id}/tlsContexts`, {
      token: tenant.token,
      json: bare
        ? { name: uniqueName('ctx'), serverName: 'mcp.example.com' }
        : { name: uniqueName('ctx'), certificate: server.certificatePem, privateKey: server.privateKeyPem },
    });
    expect(context.status).toBe(201);
    return { secretGroupId: group.body.id as string, tlsContextId: context.body.id as string };
  };

  const body = async (proxyUri: string, tlsContexts?: unknown) => ({
    technology: 'flexGateway',
    spec: await newMcpAsset(tenant.organizationId),
    endpoint: { deploymentType: 'HY', type: 'mcp', isCloudHub: null, uri: 'http://127.0.0.1:9/', proxyUri, tlsContexts },
  });
  const row = (id: number) => testPrisma().apiInstance.findUniqueOrThrow({ where: { id } });

  it('serves an https proxyUri with the inbound context, and echoes the reference', async () => {
    const inbound = await newContext();
    const res = await cp.request('POST', api, {
      token: tenant.token,
      json: await body(`https://0.0.0.0:${port++}/secure`, { inbound }),
    });
    expect(res.status).toBe(201);
    expect(res.body.endpoint.tlsContexts).toEqual({ inbound });
    expect((await row(res.body.id)).inboundTlsId).toBe(inbound.tlsContextId);
    // In use by a listener: the context cannot be deleted.
    const deleted = await cp.request('DELETE', `${groups}/${inbound.secretGroupId}/tlsContexts/${inbound.tlsContextId}`, {
      token: tenant.token,
    });
    expect(deleted.status).toBe(409);
    expect(deleted.body.message).toContain(`is used by API instance ${res.body.id}`);
    // Nor can it lose its certificate; other changes go through.
    const context = `${groups}/${inbound.secretGroupId}/tlsContexts/${inbound.tlsContextId}`;
    const stripped = await cp.request('PATCH', context, { token: tenant.token, json: { certificate: null, privateKey: null } });
    expect(stripped.status).toBe(409);
    expect(stripped.body).toMatchObject({
      code: 'TLS_CONTEXT_IN_USE',
      message: `TLS context ${inbound.tlsContextId} is the listener certificate of API instance ${res.body.id}; a listener needs certificate and privateKey`,
    });
    expect((await testPrisma().tlsContext.findUniqueOrThrow({ where: { id: inbound.tlsContextId } })).certificate).not.toBeNull();
    expect((await cp.request('PATCH', context, { token: tenant.token, json: { name: uniqueName('renamed') } })).status).toBe(200);
  });

  it('refuses what a listener cannot serve, naming the field, and writes nothing', async () => {
    const bare = await newContext(true);
    const inbound = await newContext();
    const cases: [string, unknown, string][] = [
      [
        `https://0.0.0.0:${port++}/x`,
        undefined,
        'is required for an https proxyUri: a TLS context with the listener certificate and private key',
      ],
      [
        `https://0.0.0.0:${port++}/x`,
        {},
        'is required for an https proxyUri: a TLS context with the listener certificate and private key',
      ],
      [`http://0.0.0.0:${port++}/x`, { inbound }, 'needs an https proxyUri'],
      [
        `https://0.0.0.0:${port++}/x`,
        { inbound: bare },
        `TLS context ${bare.tlsContextId} has no certificate and private key, which a listener needs`,
      ],
      [
        `https://0.0.0.0:${port++}/x`,
        { inbound: { secretGroupId: inbound.secretGroupId, tlsContextId: 'a4a1f6a0-0000-4000-8000-000000000000' } },
        `TLS context a4a1f6a0-0000-4000-8000-000000000000 not found in secret group ${inbound.secretGroupId}`,
      ],
    ];
    const before = await testPrisma().apiInstance.count();
    for (const [proxyUri, tlsContexts, message] of cases) {
      const res = await cp.request('POST', api, { token: tenant.token, json: await body(proxyUri, tlsContexts) });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(`body.endpoint.tlsContexts.inbound: ${message}`);
    }
    expect(await testPrisma().apiInstance.count()).toBe(before);
  });

  it('changes, keeps and clears the listener context through PATCH', async () => {
    const [first, second] = [await newContext(), await newContext()];
    const created = await cp.request('POST', api, {
      token: tenant.token,
      json: await body(`https://0.0.0.0:${port++}/rotating`, { inbound: first }),
    });
    const id = created.body.id as number;
    const patch = (json: unknown) => cp.request('PATCH', `${xapi}/${id}`, { token: tenant.token, json });

    expect((await patch({ endpoint: { tlsContexts: { inbound: second } } })).status).toBe(200);
    expect((await row(id)).inboundTlsId).toBe(second.tlsContextId);
    // A change that touches neither proxyUri nor tlsContexts keeps it.
    expect((await patch({ instanceLabel: uniqueName('label') })).status).toBe(200);
    expect((await row(id)).inboundTlsId).toBe(second.tlsContextId);
    // https without a context: refused, unchanged.
    const refused = await patch({ endpoint: { tlsContexts: null } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^body\.endpoint\.tlsContexts\.inbound: is required for an https proxyUri/);
    expect((await row(id)).inboundTlsId).toBe(second.tlsContextId);
    // Back to http: the stored reference no longer fits until it is cleared with it.
    expect((await patch({ endpoint: { proxyUri: `http://0.0.0.0:${port}/rotating` } })).status).toBe(400);
    expect((await patch({ endpoint: { proxyUri: `http://0.0.0.0:${port++}/rotating`, tlsContexts: {} } })).status).toBe(200);
    expect((await row(id)).inboundTlsId).toBeNull();
  });
});
