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

describe('API instances', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let api: string;
  let xapi: string;
  let port = 20_000;

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

  /** A published MCP asset in Exchange (inserted directly: the Exchange routes are built elsewhere). */
  const mcpAsset = (organizationId = tenant.organizationId, version = '1.0.0', assetId = uniqueName('mcp')) =>
    newMcpAsset(organizationId, version, assetId);

  const target = async (name = uniqueName('gw')) =>
    testPrisma().gatewayTarget.create({ data: { organizationId: tenant.organizationId, environmentId: tenant.sandboxId, name } });

  const mcpBody = async (overrides: Record<string, unknown> = {}): Promise<Record<string, any>> => ({
    technology: 'flexGateway',
    spec: await mcpAsset(),
    endpoint: {
      deploymentType: 'HY',
      type: 'mcp',
      isCloudHub: null,
      uri: 'http://mcp.internal:3001/',
      proxyUri: `http://0.0.0.0:${port++}/mcp`,
    },
    ...overrides,
  });

  const create = async (body: unknown, path = api) => {
    const res = await cp.request('POST', path, { token: tenant.token, json: body });
    expect(res.status).toBe(201);
    return res.body;
  };

  const counts = async () => ({
    apis: await testPrisma().apiInstance.count(),
    routes: await testPrisma().apiRoute.count(),
    upstreams: await testPrisma().apiUpstream.count(),
    deployments: await testPrisma().deployment.count(),
  });

  describe('create', () => {
    it('creates an MCP server instance on api/v1 with the documented body, a default route and status unregistered', async () => {
      const body = await mcpBody({ instanceLabel: uniqueName('label') });
      const res = await cp.request('POST', api, { token: tenant.token, json: body });
      expect(res.status).toBe(201);
      const id = res.body.id;
      expect(res.body).toEqual({
        audit: { created: { date: expect.any(String) }, updated: { date: expect.any(String) } },
        masterOrganizationId: tenant.organizationId,
        organizationId: tenant.organizationId,
        id: expect.any(Number),
        instanceLabel: body.instanceLabel,
        groupId: body.spec.groupId,
        assetId: body.spec.assetId,
        assetVersion: '1.0.0',
        productVersion: 'v1.0',
        description: null,
        tags: [],
        order: 1,
        providerId: null,
        deprecated: false,
        lastActiveDate: null,
        endpointUri: null,
        environmentId: tenant.sandboxId,
        isPublic: false,
        stage: 'release',
        technology: 'flexGateway',
        approvalMethod: null,
        endpoint: expect.objectContaining({
          id: expect.any(Number),
          type: 'mcp',
          uri: 'http://mcp.internal:3001/',
          proxyUri: body.endpoint.proxyUri,
          isCloudHub: null,
          deploymentType: 'HY',
          apiGatewayVersion: null,
        }),
        deployment: null,
        routing: [{ label: null, rules: null, upstreams: [{ id: expect.any(String), weight: 100 }] }],
        status: 'unregistered',
        autodiscoveryInstanceName: `v1.0:${id}`,
      });
      const row = await testPrisma().apiInstance.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ proxyPort: port - 1, proxyBasePath: '/mcp' });
      const upstream = await testPrisma().apiUpstream.findUniqueOrThrow({ where: { id: res.body.routing[0].upstreams[0].id } });
      expect(upstream.uri).toBe('http://mcp.internal:3001/');
    });

    it('defaults technology to mule3 and normalises the proxy base path', async () => {
      const res = await create({ spec: await mcpAsset(), endpoint: { proxyUri: 'http://0.0.0.0:8082//httpbin/' } });
      expect(res.technology).toBe('mule3');
      expect(res.routing).toEqual([]);
      expect(await testPrisma().apiInstance.findUniqueOrThrow({ where: { id: res.id } })).toMatchObject({
        proxyPort: 8082,
        proxyBasePath: '/httpbin',
      });
    });

    it('creates and deploys in one call on xapi, with routing[] and an inline deployment', async () => {
      const gw = await target();
      const body = await mcpBody({
        endpoint: {
          deploymentType: 'HY',
          type: 'mcp',
          isCloudHub: null,
          proxyUri: `http://0.0.0.0:${port++}/mcp1`,
          tlsContexts: {},
        },
        routing: [{ label: 'main', upstreams: [{ weight: 100, uri: 'http://example.com/' }] }],
        deployment: {
          environmentId: tenant.sandboxId,
          type: 'HY',
          expectedStatus: 'deployed',
          targetId: gw.id,
          targetName: gw.name,
          gatewayVersion: '1.0.0',
        },
      });
      const res = await create(body, xapi);
      expect(res.routing).toEqual([{ label: 'main', rules: null, upstreams: [{ id: expect.any(String), weight: 100 }] }]);
      expect(res.deployment).toMatchObject({
        id: expect.any(Number),
        apiId: res.id,
        targetId: gw.id,
        targetName: gw.name,
        gatewayVersion: '1.0.0',
        environmentId: tenant.sandboxId,
        type: 'HY',
        expectedStatus: 'deployed',
        deploymentId: null,
      });
      expect(res.endpoint.apiGatewayVersion).toBe('1.0.0');
      expect((await testPrisma().deployment.findUniqueOrThrow({ where: { apiId: res.id } })).status).toBe('applying');
    });

    it('writes nothing when the inline deployment is refused', async () => {
      const before = await counts();
      const body = await mcpBody({ deployment: { environmentId: tenant.sandboxId, type: 'HY', targetId: (await target()).id } });
      const res = await cp.request('POST', xapi, { token: tenant.token, json: body });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Field gatewayVersion is required for deployment type HY');
      expect(await counts()).toEqual(before);
    });

    it('answers a deployment that is not an object with "must be object"', async () => {
      for (const deployment of [null, 'HY', [1]]) {
        const res = await cp.request('POST', xapi, { token: tenant.token, json: await mcpBody({ deployment }) });
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('body.deployment: must be object');
        expect(res.body.errors[0]).toMatchObject({ path: '/body/deployment', message: 'must be object' });
      }
    });

    it('refuses isCloudHub false for flexGateway and accepts null or absent', async () => {
      const body = await mcpBody();
      const refused = await cp.request('POST', api, {
        token: tenant.token,
        json: { ...body, endpoint: { ...body.endpoint, isCloudHub: false } },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'body.endpoint.isCloudHub: must be null for technology flexGateway (false is not allowed)',
      });
      const { isCloudHub: _omit, ...withoutIt } = body.endpoint;
      expect((await cp.request('POST', api, { token: tenant.token, json: { ...body, endpoint: withoutIt } })).status).toBe(201);
    });

    it('refuses an MCP upstream URL without a trailing "/" in endpoint.uri or routing, and more than one upstream per MCP route', async () => {
      const before = await counts();
      const body = await mcpBody();
      const noSlash = await cp.request('POST', api, {
        token: tenant.token,
        json: { ...body, endpoint: { ...body.endpoint, uri: 'http://mcp.internal:3001/mcp' } },
      });
      expect(noSlash.status).toBe(400);
      expect(noSlash.body.message).toBe(
        'body.endpoint.uri: must end with "/" for an MCP server: a request to <base path>/<rest> is forwarded to <upstream URL><rest>',
      );
      const routed = await cp.request('POST', xapi, {
        token: tenant.token,
        json: { ...body, routing: [{ upstreams: [{ uri: 'http://a.example', weight: 100 }] }] },
      });
      expect(routed.status).toBe(400);
      expect(routed.body.message).toMatch(/^body\.routing\.0\.upstreams\.0\.uri: must end with "\/"/);
      const two = await cp.request('POST', xapi, {
        token: tenant.token,
        json: {
          ...body,
          routing: [
            {
              upstreams: [
                { uri: 'http://a.example/', weight: 50 },
                { uri: 'http://b.example/', weight: 50 },
              ],
            },
          ],
        },
      });
      expect(two.status).toBe(400);
      expect(two.body.message).toBe('body.routing.0.upstreams: must hold exactly one upstream for an MCP server');
      expect(await counts()).toEqual(before);
    });

    it('refuses upstream ids on POST, bad weights and bad proxy URIs, naming the field', async () => {
      const body = await mcpBody();
      const cases: [unknown, string][] = [
        [
          {
            ...body,
            routing: [{ upstreams: [{ id: 'a4a1f6a0-0000-4000-8000-000000000000', uri: 'http://a.example/', weight: 100 }] }],
          },
          'body.routing.0.upstreams.0.id: Ids are not allowed in POST requests',
        ],
        [
          {
            ...body,
            endpoint: { type: 'http' },
            routing: [
              {
                upstreams: [
                  { uri: 'http://a.example/', weight: 60 },
                  { uri: 'http://b.example/', weight: 60 },
                ],
              },
            ],
          },
          'body.routing.0.upstreams: weights must add up to 100 (they add up to 120)',
        ],
        [
          { ...body, endpoint: { ...body.endpoint, proxyUri: 'http://0.0.0.0/mcp' } },
          'body.endpoint.proxyUri: must be http(s)://<host>:<port>/<base path>, e.g. http://0.0.0.0:8081/mcp',
        ],
        [
          { ...body, endpoint: { ...body.endpoint, proxyUri: 'http://0.0.0.0:99999/mcp' } },
          'body.endpoint.proxyUri: must be http(s)://<host>:<port>/<base path>, e.g. http://0.0.0.0:8081/mcp',
        ],
        [{ ...body, endpoint: { ...body.endpoint, uri: 'ftp://files/' } }, 'body.endpoint.uri: must be an http(s) URL'],
        [{ ...body, technology: 'omniGateway' }, 'body.technology: '],
        [{ ...body, endpoint: { ...body.endpoint, deploymentType: 'XX' } }, 'body.endpoint.deploymentType: '],
        [{ ...body, endpoint: { ...body.endpoint, isCloudHub: 'no' } }, 'body.endpoint.isCloudHub: '],
        [{ ...body, spec: { ...body.spec, version: 1 } }, 'body.spec.version: '],
        [
          { ...body, technology: 'mule4', routing: [{ upstreams: [{ uri: 'http://a.example/', weight: 100 }] }] },
          'body.routing: is only supported for technology flexGateway, not mule4',
        ],
      ];
      const before = await counts();
      for (const [json, message] of cases) {
        const res = await cp.request('POST', xapi, { token: tenant.token, json });
        expect(res.status).toBe(400);
        expect(res.body.message.startsWith(message)).toBe(true);
      }
      expect(await counts()).toEqual(before);
    });

    it('answers an asset that does not exist, is not published or belongs to another tenant with 400 "Asset not found"', async () => {
      const other = await newTenant(cp);
      const foreign = await mcpAsset(other.organizationId);
      const draft = await mcpAsset();
      await testPrisma().exchangeAsset.updateMany({ where: { assetId: draft.assetId }, data: { status: 'deleted' } });
      for (const spec of [{ groupId: tenant.organizationId, assetId: 'nope', version: '1.0.0' }, foreign, draft]) {
        const res = await cp.request('POST', api, { token: tenant.token, json: { ...(await mcpBody()), spec } });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          code: 'API_ASSET_NOT_FOUND',
          message: `Asset not found: groupId ${spec.groupId}, assetId ${spec.assetId}, version ${spec.version}`,
        });
      }
      // a public asset of another organization is fine
      await testPrisma().exchangeAsset.updateMany({ where: { assetId: foreign.assetId }, data: { isPublic: true } });
      expect((await cp.request('POST', api, { token: tenant.token, json: { ...(await mcpBody()), spec: foreign } })).status).toBe(
        201,
      );
    });

    it('keeps instanceLabel unique per environment (409)', async () => {
      const instanceLabel = uniqueName('label');
      await create(await mcpBody({ instanceLabel }));
      const dup = await cp.request('POST', api, { token: tenant.token, json: await mcpBody({ instanceLabel }) });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ code: 'API_ALREADY_EXISTS', message: expect.stringContaining(instanceLabel) });
      const prod = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.productionId}/apis`;
      expect((await cp.request('POST', prod, { token: tenant.token, json: await mcpBody({ instanceLabel }) })).status).toBe(201);
    });

    it('rejects malformed JSON and oversized bodies and writes nothing', async () => {
      const before = await counts();
      const malformed = await cp.request('POST', api, { token: tenant.token, raw: '{"spec": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('MALFORMED_BODY');
      const huge = await cp.request('POST', api, {
        token: tenant.token,
        json: { ...(await mcpBody()), description: 'x'.repeat(2 * 1024 * 1024) },
      });
      expect(huge.status).toBe(413);
      const wrongType = await cp.request('POST', api, { token: tenant.token, raw: '[1,2]' });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.message).toMatch(/^body: /);
      expect(await counts()).toEqual(before);
    });

    it('needs manage:api_configuration, and manage:api_proxies for an inline deployment', async () => {
      const reader = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
      const res = await cp.request('POST', api, { token: reader.token, json: await mcpBody() });
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/manage:api_configuration/);

      const configurer = await newUser(cp, tenant.organizationId, ['manage:api_configuration']);
      const gw = await target();
      const before = await counts();
      const deploying = await cp.request('POST', xapi, {
        token: configurer.token,
        json: await mcpBody({
          deployment: { type: 'HY', environmentId: tenant.sandboxId, targetId: gw.id, gatewayVersion: '1.0.0' },
        }),
      });
      expect(deploying.status).toBe(403);
      expect(deploying.body.message).toMatch(/manage:api_proxies/);
      expect(await counts()).toEqual(before);
    });
  });

  describe('read, update, delete', () => {
    it('gets an instance on api/v1 and refuses GET and DELETE on the xapi path with 405', async () => {
      const created = await create(await mcpBody());
      const res = await cp.request('GET', `${api}/${created.id}`, { token: tenant.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created);
      for (const method of ['GET', 'DELETE']) {
        const refused = await cp.request(method, `${xapi}/${created.id}`, { token: tenant.token });
        expect(refused.status).toBe(405);
        expect(refused.headers.get('allow')).toBe('PATCH');
      }
    });

    it('answers 404 naming the id for ids that are not ids, unknown ids and other tenants', async () => {
      const other = await newTenant(cp);
      const theirs = await cp.request(
        'POST',
        `/apimanager/api/v1/organizations/${other.organizationId}/environments/${other.sandboxId}/apis`,
        {
          token: other.token,
          json: { spec: await mcpAsset(other.organizationId) },
        },
      );
      expect(theirs.status).toBe(201);
      for (const id of ['abc', '1.5', '-1', '99999999999', '2147483647', String(theirs.body.id)]) {
        for (const [method, json] of [
          ['GET', undefined],
          ['PATCH', {}],
          ['PUT', {}],
          ['DELETE', undefined],
        ] as const) {
          const res = await cp.request(method, `${api}/${id}`, { token: tenant.token, json });
          expect(res.status).toBe(404);
          expect(res.body).toMatchObject({ code: 'API_NOT_FOUND', message: `API ${id} not found` });
        }
      }
      expect(await testPrisma().apiInstance.count({ where: { id: theirs.body.id } })).toBe(1);
    });

    it('patches metadata on xapi and api/v1 (PATCH and PUT alike), leaving what is not sent', async () => {
      const created = await create(await mcpBody({ description: 'first' }));
      const patched = await cp.request('PATCH', `${xapi}/${created.id}`, {
        token: tenant.token,
        json: { instanceLabel: 'renamed', assetVersion: '1.0.0' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        id: created.id,
        instanceLabel: 'renamed',
        description: 'first',
        endpoint: { uri: 'http://mcp.internal:3001/' },
      });
      const put = await cp.request('PUT', `${api}/${created.id}`, {
        token: tenant.token,
        json: { description: null, tags: ['a'] },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ instanceLabel: 'renamed', description: null, tags: ['a'] });
    });

    it('deprecates and undeprecates an instance', async () => {
      const created = await create(await mcpBody());
      expect(created.deprecated).toBe(false);
      const deprecated = await cp.request('PATCH', `${api}/${created.id}`, { token: tenant.token, json: { deprecated: true } });
      expect(deprecated.status).toBe(200);
      expect(deprecated.body.deprecated).toBe(true);
      expect((await cp.request('GET', `${api}/${created.id}`, { token: tenant.token })).body.deprecated).toBe(true);
      const listed = await cp.request('GET', `${api}?assetId=${created.assetId}`, { token: tenant.token });
      expect(listed.body.assets[0].apis[0].deprecated).toBe(true);
      const back = await cp.request('PATCH', `${xapi}/${created.id}`, { token: tenant.token, json: { deprecated: false } });
      expect(back.body.deprecated).toBe(false);
      const bad = await cp.request('PATCH', `${api}/${created.id}`, { token: tenant.token, json: { deprecated: 'yes' } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/^body\.deprecated: /);
    });

    it('changes upstreams by id through upstreams[] on PATCH, leaving the others', async () => {
      const created = await create(await mcpBody());
      const upstreamId: string = created.routing[0].upstreams[0].id;
      const other = await cp.request('POST', `${api}/${created.id}/upstreams`, {
        token: tenant.token,
        json: { uri: 'http://other.internal/', label: 'other' },
      });
      expect(other.status).toBe(201);
      const patched = await cp.request('PATCH', `${xapi}/${created.id}`, {
        token: tenant.token,
        json: { upstreams: [{ id: upstreamId, label: 'primary', uri: 'http://primary.internal/', tlsContext: null }] },
      });
      expect(patched.status).toBe(200);
      const stored = await testPrisma().apiUpstream.findMany({ where: { apiId: created.id }, orderBy: { createdAt: 'asc' } });
      expect(stored.map((u) => [u.id, u.label, u.uri])).toEqual([
        [upstreamId, 'primary', 'http://primary.internal/'],
        [other.body.id, 'other', 'http://other.internal/'],
      ]);

      const refused = async (upstreams: unknown[], status: number, message: string) => {
        const res = await cp.request('PATCH', `${xapi}/${created.id}`, {
          token: tenant.token,
          json: { instanceLabel: uniqueName('never'), upstreams },
        });
        expect(res.status).toBe(status);
        expect(res.body.message).toBe(message);
      };
      const missing = '00000000-0000-4000-8000-000000000000';
      await refused([{ id: missing, label: 'x' }], 404, `Upstream ${missing} not found for API ${created.id}`);
      await refused([{ id: upstreamId }, { id: upstreamId }], 400, 'body.upstreams: must name each upstream id once');
      await refused(
        [{ id: upstreamId, uri: 'http://primary.internal/no-slash' }],
        400,
        'body.upstreams.0.uri: must end with "/" for an MCP server: a request to <base path>/<rest> is forwarded to <upstream URL><rest>',
      );
      await refused([{ id: upstreamId, weight: 50 }], 400, 'body.upstreams.0: Unrecognized key: "weight"');
      // nothing of a refused PATCH is written, the label included
      expect((await cp.request('GET', `${api}/${created.id}`, { token: tenant.token })).body.instanceLabel).toBe(
        created.instanceLabel,
      );
      expect((await testPrisma().apiUpstream.findUniqueOrThrow({ where: { id: upstreamId } })).uri).toBe(
        'http://primary.internal/',
      );
    });

    it('refuses fields it does not apply by name, on create and update, and writes nothing', async () => {
      const before = await counts();
      const unknown = await cp.request('POST', api, { token: tenant.token, json: { ...(await mcpBody()), isPublic: true } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toBe('body: Unrecognized key: "isPublic"');
      const created = await create(await mcpBody());
      const after = await counts();
      for (const json of [
        { endpoint: { wsdlConfig: { name: 'svc' } } },
        { endpoint: { tlsContexts: { outbound: { secretGroupId: 'a', tlsContextId: 'b' } } } },
        { isPublic: true },
      ]) {
        const res = await cp.request('PATCH', `${api}/${created.id}`, { token: tenant.token, json });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/Unrecognized key: "(wsdlConfig|outbound|isPublic)"$/);
      }
      expect(await counts()).toEqual(after);
      expect(after.apis).toBe(before.apis + 1);
    });

    it('takes includeTlsContexts on GET, as anypoint-cli sends it', async () => {
      const created = await create(await mcpBody());
      const res = await cp.request('GET', `${api}/${created.id}?includeTlsContexts=true`, { token: tenant.token });
      expect(res.status).toBe(200);
      expect(res.body.endpoint).toHaveProperty('tlsContexts');
    });

    it('moves the default upstream when endpoint.uri changes, and applies the MCP rules to the result', async () => {
      const created = await create(await mcpBody());
      const upstreamId = created.routing[0].upstreams[0].id;
      const moved = await cp.request('PATCH', `${api}/${created.id}`, {
        token: tenant.token,
        json: { endpoint: { uri: 'http://moved.internal/' } },
      });
      expect(moved.status).toBe(200);
      expect(moved.body.routing).toEqual([{ label: null, rules: null, upstreams: [{ id: upstreamId, weight: 100 }] }]);
      expect((await testPrisma().apiUpstream.findUniqueOrThrow({ where: { id: upstreamId } })).uri).toBe(
        'http://moved.internal/',
      );

      const bad = await cp.request('PATCH', `${api}/${created.id}`, {
        token: tenant.token,
        json: { endpoint: { uri: 'http://moved.internal/x' } },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/^body\.endpoint\.uri: must end with "\/"/);
      expect((await testPrisma().apiUpstream.findUniqueOrThrow({ where: { id: upstreamId } })).uri).toBe(
        'http://moved.internal/',
      );
    });

    it('replaces routing on update, referencing existing upstreams by id', async () => {
      const created = await create(
        await mcpBody({ endpoint: { type: 'http', uri: 'http://one.example/', proxyUri: `http://0.0.0.0:${port++}/r` } }),
      );
      const first = created.routing[0].upstreams[0].id;
      const res = await cp.request('PATCH', `${xapi}/${created.id}`, {
        token: tenant.token,
        json: {
          routing: [
            {
              label: 'split',
              rules: { methods: 'GET|POST', path: '/api/(.*)', headers: { 'x-env': 'a' } },
              upstreams: [
                { id: first, weight: 70 },
                { uri: 'http://two.example/', weight: 30 },
              ],
            },
          ],
        },
      });
      expect(res.status).toBe(200);
      expect(res.body.routing).toEqual([
        {
          label: 'split',
          rules: { methods: 'GET|POST', path: '/api/(.*)', headers: { 'x-env': 'a' } },
          upstreams: expect.arrayContaining([
            { id: first, weight: 70 },
            { id: expect.any(String), weight: 30 },
          ]),
        },
      ]);
      const foreignId = await cp.request('PATCH', `${xapi}/${created.id}`, {
        token: tenant.token,
        json: { routing: [{ upstreams: [{ id: 'a4a1f6a0-0000-4000-8000-000000000000', weight: 100 }] }] },
      });
      expect(foreignId.status).toBe(400);
      expect(foreignId.body.message).toBe(`body.routing.0.upstreams.0.id: is not an upstream of API ${created.id}`);
      const badMethods = await cp.request('PATCH', `${xapi}/${created.id}`, {
        token: tenant.token,
        json: { routing: [{ rules: { methods: 'GET|FETCH' }, upstreams: [{ id: first, weight: 100 }] }] },
      });
      expect(badMethods.status).toBe(400);
      expect(badMethods.body.message).toMatch(/^body\.routing\.0\.rules\.methods: /);
      // The gateway runs route patterns with RE2 (linear time): what RE2 cannot run is refused here.
      for (const [rules, field, cause] of [
        [{ path: '/(?=admin).*' }, 'path', 'invalid or unsupported Perl syntax: `(?=`'],
        [{ headers: { 'x-env': '(a)\\1' } }, 'headers.x-env', 'invalid escape sequence: `\\1`'],
      ] as const) {
        const refused = await cp.request('PATCH', `${xapi}/${created.id}`, {
          token: tenant.token,
          json: { routing: [{ rules, upstreams: [{ id: first, weight: 100 }] }] },
        });
        expect(refused.status).toBe(400);
        expect(refused.body.message).toBe(`body.routing.0.rules.${field}: must be a regular expression in RE2 syntax (${cause})`);
      }
      const unchanged = await cp.request('GET', `${api}/${created.id}`, { token: tenant.token });
      expect(unchanged.body.routing[0].label).toBe('split');
    });

    it('needs force=true when a new asset version changes autodiscoveryInstanceName', async () => {
      const spec = await mcpAsset();
      await mcpAsset(tenant.organizationId, '2.0.0', spec.assetId);
      const created = await create({ ...(await mcpBody()), spec });
      const refused = await cp.request('PATCH', `${xapi}/${created.id}`, {
        token: tenant.token,
        json: { assetVersion: '2.0.0' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'API_FORCE_REQUIRED', message: expect.stringContaining(`v2.0:${created.id}`) });
      const unknown = await cp.request('PATCH', `${xapi}/${created.id}?force=true`, {
        token: tenant.token,
        json: { assetVersion: '3.0.0' },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('API_ASSET_NOT_FOUND');
      const forced = await cp.request('PATCH', `${xapi}/${created.id}?force=true`, {
        token: tenant.token,
        json: { assetVersion: '2.0.0' },
      });
      expect(forced.status).toBe(200);
      expect(forced.body).toMatchObject({
        assetVersion: '2.0.0',
        productVersion: 'v2.0',
        autodiscoveryInstanceName: `v2.0:${created.id}`,
      });
      const badForce = await cp.request('PATCH', `${xapi}/${created.id}?force=maybe`, { token: tenant.token, json: {} });
      expect(badForce.status).toBe(400);
      expect(badForce.body.message).toMatch(/^query\.force: /);
    });

    it('redeploys through PATCH deployment{overwrite: true}', async () => {
      const [a, b] = [await target(), await target()];
      const deployment = { type: 'HY', environmentId: tenant.sandboxId, targetId: a.id, gatewayVersion: '1.0.0' };
      const created = await create(await mcpBody({ deployment }), xapi);
      const conflict = await cp.request('PATCH', `${xapi}/${created.id}`, {
        token: tenant.token,
        json: { deployment: { ...deployment, targetId: b.id } },
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body.message).toContain(a.name);
      const moved = await cp.request('PATCH', `${xapi}/${created.id}`, {
        token: tenant.token,
        json: { deployment: { ...deployment, targetId: b.id, overwrite: true } },
      });
      expect(moved.status).toBe(200);
      expect(moved.body.deployment).toMatchObject({ id: created.deployment.id, targetId: b.id, targetName: b.name });
    });

    it('deletes an instance with its deployment and policies (204), then 404', async () => {
      const gw = await target();
      const created = await create(
        await mcpBody({ deployment: { type: 'HY', environmentId: tenant.sandboxId, targetId: gw.id, gatewayVersion: '1.0.0' } }),
        xapi,
      );
      const res = await cp.request('DELETE', `${api}/${created.id}`, { token: tenant.token });
      expect(res.status).toBe(204);
      expect(await testPrisma().deployment.count({ where: { apiId: created.id } })).toBe(0);
      expect(await testPrisma().apiRoute.count({ where: { apiId: created.id } })).toBe(0);
      expect((await cp.request('GET', `${api}/${created.id}`, { token: tenant.token })).status).toBe(404);
      expect((await cp.request('DELETE', `${api}/${created.id}`, { token: tenant.token })).status).toBe(404);
    });

    it('needs read:api_configuration to read and manage:api_configuration to change', async () => {
      const created = await create(await mcpBody());
      const reader = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
      expect((await cp.request('GET', `${api}/${created.id}`, { token: reader.token })).status).toBe(200);
      expect(
        (await cp.request('PATCH', `${api}/${created.id}`, { token: reader.token, json: { description: 'x' } })).status,
      ).toBe(403);
      expect((await cp.request('DELETE', `${api}/${created.id}`, { token: reader.token })).status).toBe(403);
      const nobody = await newUser(cp, tenant.organizationId, ['read:servers']);
      expect((await cp.request('GET', api, { token: nobody.token })).status).toBe(403);
      expect((await cp.request('GET', `${api}/${created.id}`, { token: nobody.token })).status).toBe(403);
    });
  });

  describe('lists', () => {
    let own: TestTenant;
    let ownApi: string;
    let ownXapi: string;
    const ids: Record<string, number> = {};

    beforeAll(async () => {
      own = await newTenant(cp);
      ownApi = `/apimanager/api/v1/organizations/${own.organizationId}/environments/${own.sandboxId}/apis`;
      ownXapi = `/apimanager/xapi/v1/organizations/${own.organizationId}/environments/${own.sandboxId}/apis`;
      const asset = (assetId: string) => mcpAsset(own.organizationId, '1.0.0', assetId);
      const post = async (key: string, body: unknown) => {
        const res = await cp.request('POST', ownApi, { token: own.token, json: body });
        expect(res.status).toBe(201);
        ids[key] = res.body.id;
      };
      const mcp = await asset('b-mcp');
      await post('mcp1', {
        technology: 'flexGateway',
        spec: mcp,
        instanceLabel: 'first',
        endpoint: { type: 'mcp', uri: 'http://m/', proxyUri: 'http://0.0.0.0:8081/m1' },
      });
      await post('mcp2', {
        technology: 'flexGateway',
        spec: mcp,
        endpoint: { type: 'mcp', uri: 'http://m/', proxyUri: 'http://0.0.0.0:8081/m2' },
      });
      await post('llm', {
        technology: 'flexGateway',
        spec: await asset('c-llm'),
        endpoint: { type: 'llm', proxyUri: 'http://0.0.0.0:8081/llm' },
      });
      await post('rest', { spec: await asset('a-rest'), endpoint: { type: 'http' } });
      await testPrisma().apiInstance.update({ where: { id: ids.mcp2 }, data: { status: 'active', pinned: true } });
    });

    it('groups by asset and selects MCP servers with family=agentic ($.assets[*].apis[*].id)', async () => {
      const res = await cp.request('GET', `${ownApi}?family=agentic`, { token: own.token });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(1);
      const [asset] = res.body.assets;
      expect(asset).toMatchObject({
        masterOrganizationId: own.organizationId,
        organizationId: own.organizationId,
        id: expect.any(Number),
        name: `groupId:${own.organizationId}:assetId:b-mcp`,
        exchangeAssetName: 'b-mcp server',
        groupId: own.organizationId,
        assetId: 'b-mcp',
        autodiscoveryApiName: `groupId:${own.organizationId}:assetId:b-mcp`,
        totalApis: 2,
      });
      expect(res.body.assets.flatMap((a: any) => a.apis.map((x: any) => x.id))).toEqual([ids.mcp1, ids.mcp2]);
      expect(asset.apis[1]).toMatchObject({
        pinned: true,
        activeContractsCount: 0,
        status: 'active',
        autodiscoveryInstanceName: `v1.0:${ids.mcp2}`,
      });
    });

    it('filters by family llm and api, filters, label, autodiscovery names and query', async () => {
      const apiIds = async (query: string) => {
        const res = await cp.request('GET', `${ownApi}?${query}`, { token: own.token });
        expect(res.status).toBe(200);
        return res.body.assets.flatMap((a: any) => a.apis.map((x: any) => x.id));
      };
      expect(await apiIds('family=llm')).toEqual([ids.llm]);
      expect(await apiIds('family=api')).toEqual([ids.rest]);
      expect(await apiIds('filters=active,pinned')).toEqual([ids.mcp2]);
      expect(await apiIds('instanceLabel=first')).toEqual([ids.mcp1]);
      expect(await apiIds(`autodiscoveryInstanceName=v1.0:${ids.llm}`)).toEqual([ids.llm]);
      expect(await apiIds(`autodiscoveryApiName=groupId:${own.organizationId}:assetId:a-rest`)).toEqual([ids.rest]);
      expect(await apiIds('query=LLM')).toEqual([ids.llm]);
      expect(await apiIds('assetVersion=9.9.9')).toEqual([]);
    });

    it('sorts and pages assets', async () => {
      const names = async (query: string) => {
        const res = await cp.request('GET', `${ownApi}?${query}`, { token: own.token });
        expect(res.body.total).toBe(3);
        return res.body.assets.map((a: any) => a.assetId);
      };
      expect(await names('')).toEqual(['a-rest', 'b-mcp', 'c-llm']);
      expect(await names('ascending=false')).toEqual(['c-llm', 'b-mcp', 'a-rest']);
      expect(await names('sort=id')).toEqual(['b-mcp', 'c-llm', 'a-rest']);
      expect(await names('offset=1&limit=1')).toEqual(['b-mcp']);
    });

    it('lists instances flat on xapi with endpointType and an abbreviated deployment', async () => {
      const res = await cp.request('GET', `${ownXapi}?endpointType=mcp&pinnedFirst=true`, { token: own.token });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(2);
      expect(res.body.instances.map((i: any) => i.id)).toEqual([ids.mcp2, ids.mcp1]);
      expect(res.body.instances[0]).toMatchObject({
        endpointType: 'mcp',
        pinned: true,
        activeContractsCount: 0,
        deployment: null,
        asset: {
          name: `groupId:${own.organizationId}:assetId:b-mcp`,
          exchangeAssetName: 'b-mcp server',
          groupId: own.organizationId,
          assetId: 'b-mcp',
        },
      });
      const agentic = await cp.request('GET', `${ownXapi}?endpointType=agentic&limit=1&offset=1&sort=id&ascending=false`, {
        token: own.token,
      });
      expect(agentic.body).toMatchObject({ total: 2, instances: [{ id: ids.mcp1 }] });
    });

    it('rejects unknown enums and bad numbers in list queries, naming the parameter', async () => {
      for (const [path, field] of [
        [`${ownApi}?family=robots`, 'query.family'],
        [`${ownApi}?filters=active,shiny`, 'query.filters.1'],
        [`${ownApi}?sort=size`, 'query.sort'],
        [`${ownApi}?limit=0`, 'query.limit'],
        [`${ownApi}?offset=x`, 'query.offset'],
        [`${ownApi}?ascending=sideways`, 'query.ascending'],
        [`${ownApi}?autodiscoveryInstanceName=42`, 'query.autodiscoveryInstanceName'],
        [`${ownXapi}?endpointType=soap`, 'query.endpointType'],
        [`${ownXapi}?limit=251`, 'query.limit'],
      ]) {
        const res = await cp.request('GET', path!, { token: own.token });
        expect(res.status).toBe(400);
        expect(res.body.message.startsWith(`${field}: `)).toBe(true);
      }
    });
  });
});
