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

interface Ref {
  secretGroupId: string;
  tlsContextId: string;
}

describe('upstreams referencing TLS contexts (Outbound TLS)', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let api: string;
  let xapi: string;
  let port = 21_000;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    api = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
    xapi = `/apimanager/xapi/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  /** A TLS context (server name only) in a new secret group of `environmentId`. */
  const newContext = async (owner: TestTenant = tenant, environmentId = owner.sandboxId): Promise<Ref & { name: string }> => {
    const groups = `/secrets-manager/api/v1/organizations/${owner.organizationId}/environments/${environmentId}/secretGroups`;
    const group = await cp.request('POST', groups, { token: owner.token, json: { name: uniqueName('group') } });
    expect(group.status).toBe(201);
    const name = uniqueName('ctx');
    const context = await cp.request('POST', `${groups}/${group.body.id}/tlsContexts`, {
      token: owner.token,
      json: { name, serverName: 'mcp.internal' },
    });
    expect(context.status).toBe(201);
    return { secretGroupId: group.body.id, tlsContextId: context.body.id, name };
  };

  const mcpBody = async (upstreams: Record<string, unknown>[][]) => ({
    technology: 'flexGateway',
    spec: await newMcpAsset(tenant.organizationId),
    endpoint: { deploymentType: 'HY', type: 'mcp', isCloudHub: null, proxyUri: `http://0.0.0.0:${port++}/tls` },
    routing: upstreams.map((route) => ({ upstreams: route })),
  });

  const upstreamRows = (apiId: number) =>
    testPrisma().apiUpstream.findMany({ where: { apiId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });

  const counts = async () => ({
    apis: await testPrisma().apiInstance.count(),
    upstreams: await testPrisma().apiUpstream.count(),
  });

  const auditShape = { created: { date: expect.any(String) }, updated: { date: expect.any(String) } };

  it.each([
    ['xapi', () => xapi],
    ['api/v1', () => api],
  ])(
    'resolves routing[].upstreams[].tlsContext on create (%s); upstream reads show its name and authorized: true',
    async (_, path) => {
      const context = await newContext();
      const ref = { secretGroupId: context.secretGroupId, tlsContextId: context.tlsContextId };
      const res = await cp.request('POST', path(), {
        token: tenant.token,
        json: await mcpBody([[{ uri: 'https://mcp.internal:8443/', weight: 100, tlsContext: ref }]]),
      });
      expect(res.status).toBe(201);
      const [row] = await upstreamRows(res.body.id);
      expect(row).toMatchObject({ tlsContext: ref, tlsContextId: context.tlsContextId });

      const list = await cp.request('GET', `${api}/${res.body.id}/upstreams`, { token: tenant.token });
      expect(list.body.upstreams).toEqual([
        expect.objectContaining({
          uri: 'https://mcp.internal:8443/',
          tlsContext: { ...ref, name: context.name, authorized: true, audit: auditShape },
        }),
      ]);
    },
  );

  it('refuses references that do not resolve in the instance environment, naming each field, and writes nothing', async () => {
    const known = await newContext();
    const production = await newContext(tenant, tenant.productionId);
    const foreign = await newContext(await newTenant(cp));
    const missingGroup = randomUUID();
    const missingContext = randomUUID();
    const before = await counts();
    const res = await cp.request('POST', xapi, {
      token: tenant.token,
      json: await mcpBody([
        [
          {
            uri: 'https://a.internal/',
            weight: 100,
            tlsContext: { secretGroupId: known.secretGroupId, tlsContextId: missingContext },
          },
        ],
        [
          {
            uri: 'https://b.internal/',
            weight: 100,
            tlsContext: { secretGroupId: missingGroup, tlsContextId: known.tlsContextId },
          },
        ],
        [
          {
            uri: 'https://c.internal/',
            weight: 100,
            tlsContext: { secretGroupId: production.secretGroupId, tlsContextId: production.tlsContextId },
          },
        ],
        [
          {
            uri: 'https://d.internal/',
            weight: 100,
            tlsContext: { secretGroupId: foreign.secretGroupId, tlsContextId: foreign.tlsContextId },
          },
        ],
        [{ uri: 'https://e.internal/', weight: 100, tlsContext: { secretGroupId: 'sg', tlsContextId: 'tls' } }],
        [
          {
            uri: 'https://f.internal/',
            weight: 100,
            tlsContext: { secretGroupId: known.secretGroupId, tlsContextId: production.tlsContextId },
          },
        ],
      ]),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toBe(
      `body.routing.0.upstreams.0.tlsContext: TLS context ${missingContext} not found in secret group ${known.secretGroupId}`,
    );
    const elsewhere = (ref: Ref) =>
      `TLS context ${ref.tlsContextId} not found: secret group ${ref.secretGroupId} does not exist in this environment`;
    expect(res.body.errors).toEqual(
      [
        `TLS context ${missingContext} not found in secret group ${known.secretGroupId}`,
        elsewhere({ secretGroupId: missingGroup, tlsContextId: known.tlsContextId }),
        elsewhere(production),
        elsewhere(foreign),
        elsewhere({ secretGroupId: 'sg', tlsContextId: 'tls' }),
        `TLS context ${production.tlsContextId} not found in secret group ${known.secretGroupId}`,
      ].map((message, i) => ({ path: `/body/routing/${i}/upstreams/0/tlsContext`, message, errorCode: 'custom.validation' })),
    );
    expect(await counts()).toEqual(before);
  });

  it('sets, keeps and clears a reference through routing[] of an instance PATCH', async () => {
    const context = await newContext();
    const created = await cp.request('POST', xapi, {
      token: tenant.token,
      json: await mcpBody([[{ uri: 'https://mcp.internal/', weight: 100 }]]),
    });
    const id = created.body.routing[0].upstreams[0].id as string;
    const patch = (upstream: Record<string, unknown>) =>
      cp.request('PATCH', `${xapi}/${created.body.id}`, {
        token: tenant.token,
        json: { routing: [{ upstreams: [{ id, weight: 100, ...upstream }] }] },
      });
    const stored = async () => (await testPrisma().apiUpstream.findUniqueOrThrow({ where: { id } })).tlsContextId;

    const unknown = await patch({ tlsContext: { secretGroupId: context.secretGroupId, tlsContextId: randomUUID() } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(
      /^body\.routing\.0\.upstreams\.0\.tlsContext: TLS context [0-9a-f-]+ not found in secret group /,
    );
    expect(await stored()).toBeNull();

    const ref = { secretGroupId: context.secretGroupId, tlsContextId: context.tlsContextId };
    expect((await patch({ tlsContext: ref })).status).toBe(200);
    expect(await stored()).toBe(context.tlsContextId);
    expect((await patch({})).status).toBe(200);
    expect(await stored()).toBe(context.tlsContextId);
    expect((await patch({ tlsContext: null })).status).toBe(200);
    expect(await stored()).toBeNull();
    expect((await testPrisma().apiUpstream.findUniqueOrThrow({ where: { id } })).tlsContext).toBeNull();
  });

  it('resolves references on the upstreams routes, including on an http upstream (which the gateway serves without TLS)', async () => {
    const context = await newContext();
    const ref = { secretGroupId: context.secretGroupId, tlsContextId: context.tlsContextId };
    const created = await cp.request('POST', xapi, {
      token: tenant.token,
      json: await mcpBody([[{ uri: 'https://mcp.internal/', weight: 100 }]]),
    });
    const base = `${api}/${created.body.id}/upstreams`;
    const before = await counts();

    const unknown = await cp.request('POST', base, {
      token: tenant.token,
      json: { uri: 'https://other.internal/', tlsContext: { ...ref, tlsContextId: randomUUID() } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/^body\.tlsContext: TLS context [0-9a-f-]+ not found in secret group /);
    expect(await counts()).toEqual(before);

    const plain = await cp.request('POST', base, {
      token: tenant.token,
      json: { uri: 'http://plain.internal/', tlsContext: ref },
    });
    expect(plain.status).toBe(201);
    expect(plain.body.tlsContext).toMatchObject({ ...ref, name: context.name, authorized: true });

    const [defaultUpstream] = await upstreamRows(created.body.id);
    const patched = await cp.request('PATCH', `${base}/${defaultUpstream!.id}`, {
      token: tenant.token,
      json: { tlsContext: ref },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.tlsContext).toMatchObject({ tlsContextId: context.tlsContextId, authorized: true });
    const renamed = await cp.request('PATCH', `${base}/${defaultUpstream!.id}`, { token: tenant.token, json: { label: 'kept' } });
    expect(renamed.body.tlsContext).toMatchObject({ tlsContextId: context.tlsContextId });
    const refused = await cp.request('PATCH', `${base}/${defaultUpstream!.id}`, {
      token: tenant.token,
      json: { tlsContext: { secretGroupId: randomUUID(), tlsContextId: context.tlsContextId } },
    });
    expect(refused.status).toBe(400);
    expect((await testPrisma().apiUpstream.findUniqueOrThrow({ where: { id: defaultUpstream!.id } })).tlsContextId).toBe(
      context.tlsContextId,
    );
  });

  it('needs Read Secret Groups to write a reference, not to write an upstream without one or to clear one', async () => {
    const context = await newContext();
    const ref = { secretGroupId: context.secretGroupId, tlsContextId: context.tlsContextId };
    const editor = await newUser(cp, tenant.organizationId, ['manage:api_configuration']);
    const before = await counts();
    const denied = await cp.request('POST', xapi, {
      token: editor.token,
      json: await mcpBody([[{ uri: 'https://mcp.internal/', weight: 100, tlsContext: ref }]]),
    });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({
      code: 'FORBIDDEN',
      message: `You need the Read Secret Groups permission (read:secret_groups) in environment ${tenant.sandboxId}`,
    });
    expect(await counts()).toEqual(before);

    const created = await cp.request('POST', xapi, {
      token: editor.token,
      json: await mcpBody([[{ uri: 'https://mcp.internal/', weight: 100 }]]),
    });
    expect(created.status).toBe(201);
    const base = `${api}/${created.body.id}/upstreams`;
    const upstreamId = created.body.routing[0].upstreams[0].id as string;
    expect((await cp.request('PATCH', `${base}/${upstreamId}`, { token: editor.token, json: { tlsContext: ref } })).status).toBe(
      403,
    );
    expect(
      (await cp.request('POST', base, { token: editor.token, json: { uri: 'https://x.internal/', tlsContext: ref } })).status,
    ).toBe(403);
    expect((await cp.request('PATCH', `${base}/${upstreamId}`, { token: tenant.token, json: { tlsContext: ref } })).status).toBe(
      200,
    );
    const cleared = await cp.request('PATCH', `${base}/${upstreamId}`, { token: editor.token, json: { tlsContext: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.tlsContext).toBeNull();
  });
});
