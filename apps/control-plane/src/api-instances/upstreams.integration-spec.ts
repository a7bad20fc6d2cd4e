import { randomUUID } from 'node:crypto';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newMcpAsset,
  newTenant,
  newUser,
  testPrisma,
  type TestTenant,
  uniqueName,
} from '../../test/support/factories.js';

describe('API instance upstreams', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let apis: string;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    apis = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const createApi = async (endpoint: Record<string, unknown>) => {
    const { assetId } = await newMcpAsset(tenant.organizationId);
    const res = await cp.request('POST', apis, {
      token: tenant.token,
      json: { technology: 'flexGateway', spec: { groupId: tenant.organizationId, assetId, version: '1.0.0' }, endpoint },
    });
    expect(res.status).toBe(201);
    return res.body as { id: number; routing: { upstreams: { id: string }[] }[] };
  };

  it('lists, creates, reads, patches and deletes upstreams', async () => {
    const api = await createApi({ type: 'http', uri: 'http://default.example/', proxyUri: 'http://0.0.0.0:8081/up' });
    const base = `${apis}/${api.id}/upstreams`;
    const defaultId = api.routing[0]!.upstreams[0]!.id;

    const groups = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`;
    const group = await cp.request('POST', groups, { token: tenant.token, json: { name: uniqueName('group') } });
    const context = await cp.request('POST', `${groups}/${group.body.id}/tlsContexts`, {
      token: tenant.token,
      json: { name: 'backend-tls', serverName: 'backend.internal' },
    });
    const ref = { secretGroupId: group.body.id, tlsContextId: context.body.id };
    const created = await cp.request('POST', base, {
      token: tenant.token,
      json: { uri: 'https://backend.example:8443/', label: 'backend', tlsContext: ref },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      audit: { created: { date: expect.any(String) }, updated: { date: expect.any(String) } },
      id: expect.any(String),
      label: 'backend',
      uri: 'https://backend.example:8443/',
      tlsContext: {
        ...ref,
        name: 'backend-tls',
        authorized: true,
        audit: { created: { date: expect.any(String) }, updated: { date: expect.any(String) } },
      },
    });

    const list = await cp.request('GET', base, { token: tenant.token });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.upstreams.map((u: { id: string }) => u.id)).toEqual([defaultId, created.body.id]);

    const patched = await cp.request('PATCH', `${base}/${created.body.id}`, {
      token: tenant.token,
      json: { label: 'renamed', tlsContext: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ label: 'renamed', uri: 'https://backend.example:8443/', tlsContext: null });
    expect((await cp.request('GET', `${base}/${created.body.id}`, { token: tenant.token })).body.label).toBe('renamed');

    expect((await cp.request('DELETE', `${base}/${created.body.id}`, { token: tenant.token })).status).toBe(204);
    expect((await cp.request('GET', `${base}/${created.body.id}`, { token: tenant.token })).status).toBe(404);
  });

  it('refuses to delete an upstream a route uses', async () => {
    const api = await createApi({ type: 'http', uri: 'http://default.example/', proxyUri: 'http://0.0.0.0:8081/used' });
    const id = api.routing[0]!.upstreams[0]!.id;
    const res = await cp.request('DELETE', `${apis}/${api.id}/upstreams/${id}`, { token: tenant.token });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'UPSTREAM_IN_USE',
      message: `Upstream ${id} is used by routing[0] of API ${api.id}; change the routing first`,
    });
    expect(await testPrisma().apiUpstream.count({ where: { id } })).toBe(1);
  });

  it('keeps the MCP trailing-slash rule on upstream create and patch', async () => {
    const api = await createApi({ type: 'mcp', uri: 'http://mcp.example/', proxyUri: 'http://0.0.0.0:8081/mcp-up' });
    const base = `${apis}/${api.id}/upstreams`;
    const before = await testPrisma().apiUpstream.count({ where: { apiId: api.id } });
    const created = await cp.request('POST', base, { token: tenant.token, json: { uri: 'http://mcp.example/mcp' } });
    expect(created.status).toBe(400);
    expect(created.body.message).toMatch(/^body\.uri: must end with "\/" for an MCP server/);
    const id = api.routing[0]!.upstreams[0]!.id;
    const patched = await cp.request('PATCH', `${base}/${id}`, { token: tenant.token, json: { uri: 'http://mcp.example/mcp' } });
    expect(patched.status).toBe(400);
    expect(await testPrisma().apiUpstream.count({ where: { apiId: api.id } })).toBe(before);
    expect((await testPrisma().apiUpstream.findUniqueOrThrow({ where: { id } })).uri).toBe('http://mcp.example/');
  });

  it('rejects bad bodies naming the field and writes nothing', async () => {
    const api = await createApi({ type: 'http', proxyUri: 'http://0.0.0.0:8081/bad' });
    const base = `${apis}/${api.id}/upstreams`;
    for (const [json, message] of [
      [{}, /^body\.uri: /],
      [{ uri: 'not a url' }, /^body\.uri: must be an http\(s\) URL/],
      [{ uri: 'http://x/', tlsContext: { secretGroupId: 1 } }, /^body\.tlsContext\.secretGroupId: /],
      [{ uri: 'http://x/', label: ['x'] }, /^body\.label: /],
    ] as const) {
      const res = await cp.request('POST', base, { token: tenant.token, json });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect((await cp.request('POST', base, { token: tenant.token, raw: '{"uri":' })).status).toBe(400);
    expect(await testPrisma().apiUpstream.count({ where: { apiId: api.id } })).toBe(0);
  });

  it('answers 404 for ids that are not ids, unknown ids and other tenants, and 403 without the scope', async () => {
    const api = await createApi({ type: 'http', uri: 'http://a.example/', proxyUri: 'http://0.0.0.0:8081/ids' });
    for (const id of ['nope', randomUUID()]) {
      const res = await cp.request('GET', `${apis}/${api.id}/upstreams/${id}`, { token: tenant.token });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'UPSTREAM_NOT_FOUND', message: `Upstream ${id} not found for API ${api.id}` });
    }
    expect((await cp.request('GET', `${apis}/abc/upstreams`, { token: tenant.token })).status).toBe(404);
    const other = await newTenant(cp);
    const otherApis = `/apimanager/api/v1/organizations/${other.organizationId}/environments/${other.sandboxId}/apis`;
    expect((await cp.request('GET', `${otherApis}/${api.id}/upstreams`, { token: other.token })).status).toBe(404);
    expect((await cp.request('GET', `${apis}/${api.id}/upstreams`, { token: other.token })).status).toBe(404);

    const reader = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
    expect((await cp.request('GET', `${apis}/${api.id}/upstreams`, { token: reader.token })).status).toBe(200);
    expect(
      (await cp.request('POST', `${apis}/${api.id}/upstreams`, { token: reader.token, json: { uri: 'http://b.example/' } }))
        .status,
    ).toBe(403);
  });
});
