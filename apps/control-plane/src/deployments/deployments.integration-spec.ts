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

describe('deployments', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let env: string;
  let port = 30_000;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    env = `organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const target = (name = uniqueName('gw'), environmentId = tenant.sandboxId) =>
    testPrisma().gatewayTarget.create({ data: { organizationId: tenant.organizationId, environmentId, name } });

  /** An MCP server instance listening on `proxyUri` (default: a fresh port). */
  const instance = async (endpoint: Record<string, unknown> = {}, technology = 'flexGateway') => {
    const { assetId } = await newMcpAsset(tenant.organizationId);
    const res = await cp.request('POST', `/apimanager/api/v1/${env}/apis`, {
      token: tenant.token,
      json: {
        technology,
        spec: { groupId: tenant.organizationId, assetId, version: '1.0.0' },
        endpoint: { type: 'mcp', uri: 'http://mcp.internal/', proxyUri: `http://0.0.0.0:${port++}/mcp`, ...endpoint },
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as number;
  };

  const deployments = (apiId: number | string, prefix: 'proxies' | 'apimanager' = 'proxies') =>
    prefix === 'proxies'
      ? `/proxies/xapi/v1/${env}/apis/${apiId}/deployments`
      : `/apimanager/api/v1/${env}/apis/${apiId}/deployments`;

  const body = (gw: { id: string; name: string }, extra: Record<string, unknown> = {}) => ({
    type: 'HY',
    targetId: gw.id,
    targetName: gw.name,
    gatewayVersion: '1.0.0',
    environmentId: tenant.sandboxId,
    overwrite: false,
    ...extra,
  });

  const deploy = async (apiId: number, gw: { id: string; name: string }, extra: Record<string, unknown> = {}) => {
    const res = await cp.request('POST', deployments(apiId), { token: tenant.token, json: body(gw, extra) });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('deploys with the flat HY body (201, $.id) and reads it back on both route families', async () => {
    const gw = await target();
    const apiId = await instance();
    const res = await cp.request('POST', deployments(apiId), { token: tenant.token, json: body(gw) });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      audit: { created: { date: expect.any(String) }, updated: { date: expect.any(String) } },
      id: expect.any(Number),
      applicationId: expect.any(String),
      applicationName: null,
      gatewayVersion: '1.0.0',
      environmentName: null,
      environmentId: tenant.sandboxId,
      targetId: gw.id,
      targetName: gw.name,
      deploymentId: null,
      updatedDate: expect.any(String),
      type: 'HY',
      expectedStatus: 'deployed',
      apiId,
    });
    const id = res.body.id;
    for (const prefix of ['proxies', 'apimanager'] as const) {
      expect((await cp.request('GET', deployments(apiId, prefix), { token: tenant.token })).body).toEqual([res.body]);
      expect((await cp.request('GET', `${deployments(apiId, prefix)}/${id}`, { token: tenant.token })).body).toEqual(res.body);
    }
    const status = await cp.request('GET', `${deployments(apiId)}/${id}/status`, { token: tenant.token });
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ status: 'applying', lastActiveDate: null, apiVersionStatus: 'unregistered' });
    const api = await cp.request('GET', `/apimanager/api/v1/${env}/apis/${apiId}`, { token: tenant.token });
    expect(api.body.deployment).toEqual(res.body);
  });

  it('deploys through the apimanager prefix too, and takes target.targetId when targetId is absent', async () => {
    const gw = await target();
    const apiId = await instance();
    const res = await cp.request('POST', deployments(apiId, 'apimanager'), {
      token: tenant.token,
      json: {
        type: 'HY',
        gatewayVersion: '1.0.0',
        environmentId: tenant.sandboxId,
        target: { targetId: gw.id },
        targetType: 'server',
        applicationName: 'app',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ targetId: gw.id, targetName: gw.name, applicationName: 'app' });
  });

  it('answers the documented common issues with their exact messages and writes nothing', async () => {
    const gw = await target();
    const apiId = await instance();
    const { environmentId: _e, ...noEnv } = body(gw);
    const { gatewayVersion: _g, ...noVersion } = body(gw);
    const { targetId: _t, ...noTarget } = body(gw);
    const cases: [unknown, string, string][] = [
      [noEnv, 'DEPLOYMENT_INVALID', 'Field environmentId is required for deployment type HY'],
      [{ ...body(gw), environmentId: null }, 'DEPLOYMENT_INVALID', 'Field environmentId is required for deployment type HY'],
      [noVersion, 'DEPLOYMENT_INVALID', 'Field gatewayVersion is required for deployment type HY'],
      [
        { ...body(gw), gatewayVersion: '9.9.9' },
        'RUNTIME_VERSION_UNKNOWN',
        'Policy implementations cannot be set because runtime version is unknown',
      ],
      [
        { ...body(gw), gatewayVersion: '-' },
        'RUNTIME_VERSION_UNKNOWN',
        'Policy implementations cannot be set because runtime version is unknown',
      ],
      [
        { ...body(gw), environmentId: tenant.productionId },
        'DEPLOYMENT_INVALID',
        `Field environmentId (${tenant.productionId}) must be the environment of the request path (${tenant.sandboxId})`,
      ],
      [noTarget, 'DEPLOYMENT_INVALID', 'Field targetId is required for deployment type HY'],
      [{ ...body(gw), type: 'CH2' }, 'VALIDATION_FAILED', 'body.type: must be HY: Portico gateways are self-managed'],
    ];
    for (const [json, code, message] of cases) {
      const res = await cp.request('POST', deployments(apiId), { token: tenant.token, json });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code, message });
    }
    expect(await testPrisma().deployment.count({ where: { apiId } })).toBe(0);
  });

  it('answers 404 for a target that is not a UUID, unknown, deleted, or in another environment', async () => {
    const apiId = await instance();
    const deleted = await target();
    await testPrisma().gatewayTarget.update({ where: { id: deleted.id }, data: { deletedAt: new Date() } });
    const production = await target(uniqueName('gw'), tenant.productionId);
    for (const targetId of ['gw-1', randomUUID(), deleted.id, production.id]) {
      const res = await cp.request('POST', deployments(apiId), { token: tenant.token, json: { ...body(deleted), targetId } });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        code: 'TARGET_NOT_FOUND',
        message: `Gateway target ${targetId} not found in this environment`,
      });
    }
    expect(await testPrisma().deployment.count({ where: { apiId } })).toBe(0);
  });

  it('answers 409 naming the target when the API is already deployed, and moves it with overwrite: true', async () => {
    const [a, b] = [await target(), await target()];
    const apiId = await instance();
    const first = await deploy(apiId, a);
    const again = await cp.request('POST', deployments(apiId), { token: tenant.token, json: body(b) });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      code: 'DEPLOYMENT_ALREADY_EXISTS',
      message: `API ${apiId} is already deployed to target ${a.name} (${a.id}); send overwrite: true to redeploy or move it`,
    });
    const moved = await cp.request('POST', deployments(apiId), { token: tenant.token, json: body(b, { overwrite: true }) });
    expect(moved.status).toBe(201);
    expect(moved.body).toMatchObject({ id: first.id, applicationId: first.applicationId, targetId: b.id, targetName: b.name });
    expect(await testPrisma().deployment.count({ where: { apiId } })).toBe(1);
  });

  it('refuses a second instance on the same port and base path of a target (409 API_PROXY_CONFLICT)', async () => {
    const [gw, other] = [await target(), await target()];
    const first = await instance({ proxyUri: 'http://0.0.0.0:8081/shared' });
    await deploy(first, gw);
    const twin = await instance({ proxyUri: 'http://0.0.0.0:8081/shared/' });
    const res = await cp.request('POST', deployments(twin), { token: tenant.token, json: body(gw) });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'API_PROXY_CONFLICT',
      message: `Port 8081 and base path /shared on target ${gw.name} are already used by API instance ${first}`,
    });
    expect(await testPrisma().deployment.count({ where: { apiId: twin } })).toBe(0);
    // another target, or another base path on the same port, is free
    await deploy(twin, other);
    await deploy(await instance({ proxyUri: 'http://0.0.0.0:8081/other' }), gw);
  });

  it('checks the listener again when a deployed instance changes its proxyUri', async () => {
    const gw = await target();
    const a = await instance({ proxyUri: 'http://0.0.0.0:8090/a' });
    const b = await instance({ proxyUri: 'http://0.0.0.0:8090/b' });
    await deploy(a, gw);
    await deploy(b, gw);
    const res = await cp.request('PATCH', `/apimanager/xapi/v1/${env}/apis/${b}`, {
      token: tenant.token,
      json: { endpoint: { proxyUri: 'http://0.0.0.0:8090/a' } },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'API_PROXY_CONFLICT', message: expect.stringContaining(`API instance ${a}`) });
    expect(await testPrisma().apiInstance.findUniqueOrThrow({ where: { id: b } })).toMatchObject({
      proxyUri: 'http://0.0.0.0:8090/b',
      proxyBasePath: '/b',
    });
    const removed = await cp.request('PATCH', `/apimanager/xapi/v1/${env}/apis/${b}`, {
      token: tenant.token,
      json: { endpoint: { proxyUri: null } },
    });
    expect(removed.status).toBe(400);
    expect(removed.body.code).toBe('DEPLOYMENT_INVALID');
    const fine = await cp.request('PATCH', `/apimanager/xapi/v1/${env}/apis/${b}`, {
      token: tenant.token,
      json: { endpoint: { proxyUri: 'http://0.0.0.0:8091/a' } },
    });
    expect(fine.status).toBe(200);
  });

  it('refuses instances without a listener or of another technology', async () => {
    const gw = await target();
    const noListener = await instance({ proxyUri: null });
    const res = await cp.request('POST', deployments(noListener), { token: tenant.token, json: body(gw) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'DEPLOYMENT_INVALID', message: expect.stringContaining('endpoint.proxyUri') });
    const mule = await instance({ uri: null }, 'mule4');
    const muleRes = await cp.request('POST', deployments(mule), { token: tenant.token, json: body(gw) });
    expect(muleRes.status).toBe(400);
    expect(muleRes.body.message).toBe(
      `API ${mule} has technology mule4; only flexGateway instances can be deployed to a gateway target`,
    );
  });

  it('patches and replaces a deployment, and undeploys it', async () => {
    const [a, b] = [await target(), await target()];
    const apiId = await instance();
    const created = await deploy(apiId, a);
    const url = `${deployments(apiId)}/${created.id}`;

    const unknown = await cp.request('PATCH', url, { token: tenant.token, json: { gatewayVersion: '2.0.0' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('Policy implementations cannot be set because runtime version is unknown');

    const parked = await cp.request('PATCH', url, { token: tenant.token, json: { expectedStatus: 'undeployed' } });
    expect(parked.status).toBe(200);
    expect(parked.body).toMatchObject({ id: created.id, targetId: a.id, expectedStatus: 'undeployed' });
    expect((await cp.request('GET', `${url}/status`, { token: tenant.token })).body.status).toBe('undeployed');

    const replaced = await cp.request('PUT', url, { token: tenant.token, json: body(b) });
    expect(replaced.status).toBe(201);
    expect(replaced.body).toMatchObject({ id: created.id, targetId: b.id, expectedStatus: 'deployed' });
    expect((await cp.request('GET', `${url}/status`, { token: tenant.token })).body.status).toBe('applying');
    const incomplete = await cp.request('PUT', url, { token: tenant.token, json: { type: 'HY', targetId: a.id } });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.message).toBe('Field environmentId is required for deployment type HY');

    expect((await cp.request('DELETE', url, { token: tenant.token })).status).toBe(204);
    expect((await cp.request('GET', deployments(apiId), { token: tenant.token })).body).toEqual([]);
    expect((await cp.request('GET', `${url}/status`, { token: tenant.token })).status).toBe(404);
    expect((await cp.request('DELETE', url, { token: tenant.token })).status).toBe(404);
    // the listener is free again
    expect((await cp.request('POST', deployments(apiId), { token: tenant.token, json: body(a) })).status).toBe(201);
  });

  it('takes back what GET answered on PATCH (anypoint-cli redeploy) and refuses a changed read-only field', async () => {
    const [a, b] = [await target(), await target()];
    const apiId = await instance();
    const created = await deploy(apiId, a);
    const url = `${deployments(apiId)}/${created.id}`;
    const [read] = (await cp.request('GET', deployments(apiId), { token: tenant.token })).body;
    const redeployed = await cp.request('PATCH', url, { token: tenant.token, json: { ...read, expectedStatus: 'deployed' } });
    expect(redeployed.status).toBe(200);
    expect(redeployed.body).toMatchObject({ id: created.id, targetId: a.id, expectedStatus: 'deployed' });

    const moved = await cp.request('PATCH', url, {
      token: tenant.token,
      json: { ...read, id: created.id + 1000, targetId: b.id },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toBe(`body.id: cannot be changed (it is ${created.id})`);
    expect((await cp.request('GET', url, { token: tenant.token })).body.targetId).toBe(a.id);

    const unknown = await cp.request('PATCH', url, { token: tenant.token, json: { releaseChannel: 'edge' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('body: Unrecognized key: "releaseChannel"');
  });

  it('answers 404 for API and deployment ids that are not ids, unknown, or another tenant’s', async () => {
    const gw = await target();
    const apiId = await instance();
    const created = await deploy(apiId, gw);
    const other = await newTenant(cp);
    const otherPath = `/proxies/xapi/v1/organizations/${other.organizationId}/environments/${other.sandboxId}/apis/${apiId}/deployments`;
    for (const path of [deployments('x1'), deployments('1.5'), deployments('99999999999'), otherPath]) {
      const token = path === otherPath ? other.token : tenant.token;
      const res = await cp.request('GET', path, { token });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('API_NOT_FOUND');
      expect((await cp.request('POST', path, { token, json: body(gw) })).status).toBe(404);
    }
    const otherApi = await instance();
    for (const path of [
      `${deployments(apiId)}/abc`,
      `${deployments(apiId)}/${created.id + 100000}`,
      `${deployments(otherApi)}/${created.id}`,
    ]) {
      const res = await cp.request('GET', path, { token: tenant.token });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('DEPLOYMENT_NOT_FOUND');
      expect((await cp.request('PATCH', path, { token: tenant.token, json: {} })).status).toBe(404);
      expect((await cp.request('DELETE', path, { token: tenant.token })).status).toBe(404);
    }
    expect(await testPrisma().deployment.count({ where: { apiId } })).toBe(1);
  });

  it('rejects malformed JSON, wrong types and oversized bodies, naming the problem', async () => {
    const gw = await target();
    const apiId = await instance();
    const cases: [Parameters<TestControlPlane['request']>[2], number, RegExp][] = [
      [{ raw: '{"type":' }, 400, /JSON/],
      [{ raw: '"HY"' }, 400, /^body: must be object/],
      [{ json: { ...body(gw), overwrite: 'yes' } }, 400, /^body\.overwrite: /],
      [{ json: { ...body(gw), gatewayVersion: 1 } }, 400, /^body\.gatewayVersion: /],
      [{ json: { ...body(gw), expectedStatus: 'maybe' } }, 400, /^body\.expectedStatus: /],
      [{ json: { ...body(gw), targetName: 'x'.repeat(2 * 1024 * 1024) } }, 413, /too large|larger than the allowed limit/],
    ];
    for (const [options, status, message] of cases) {
      const res = await cp.request('POST', deployments(apiId), { token: tenant.token, ...options });
      expect(res.status).toBe(status);
      expect(res.body.message).toMatch(message);
    }
    expect(await testPrisma().deployment.count({ where: { apiId } })).toBe(0);
  });

  it('needs manage:api_proxies to deploy and read:api_configuration to read', async () => {
    const gw = await target();
    const apiId = await instance();
    const reader = await newUser(cp, tenant.organizationId, ['read:api_configuration', 'manage:api_configuration']);
    const res = await cp.request('POST', deployments(apiId), { token: reader.token, json: body(gw) });
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/manage:api_proxies/);
    expect((await cp.request('GET', deployments(apiId), { token: reader.token })).status).toBe(200);
    const deployer = await newUser(cp, tenant.organizationId, ['manage:api_proxies']);
    expect((await cp.request('POST', deployments(apiId), { token: deployer.token, json: body(gw) })).status).toBe(201);
    expect((await cp.request('GET', deployments(apiId), { token: deployer.token })).status).toBe(403);
  });

  describe('GET .../gateway-targets/{targetId}/apis', () => {
    it('lists the listeners in use, filtered by port and path (empty = free)', async () => {
      const gw = await target();
      const a = await instance({ proxyUri: 'http://0.0.0.0:8100/one' });
      const b = await instance({ proxyUri: 'http://0.0.0.0:8101/two' });
      await deploy(a, gw);
      await deploy(b, gw);
      await deploy(await instance({ proxyUri: 'http://0.0.0.0:8102/three' }), gw, { expectedStatus: 'undeployed' });
      const base = `/apimanager/xapi/v1/${env}/gateway-targets/${gw.id}/apis`;
      const all = await cp.request('GET', base, { token: tenant.token });
      expect(all.status).toBe(200);
      expect(all.body).toEqual({
        instances: [
          { id: a, port: '8100', path: '/one' },
          { id: b, port: '8101', path: '/two' },
        ],
        targetAllowsPortSharing: true,
      });
      expect((await cp.request('GET', `${base}?port=8100&path=one/`, { token: tenant.token })).body.instances).toEqual([
        { id: a, port: '8100', path: '/one' },
      ]);
      expect((await cp.request('GET', `${base}?port=8100&path=/two`, { token: tenant.token })).body.instances).toEqual([]);
    });

    it('answers 404 for unknown targets and 400 naming bad filters', async () => {
      const gw = await target();
      for (const id of ['x', randomUUID()]) {
        const res = await cp.request('GET', `/apimanager/xapi/v1/${env}/gateway-targets/${id}/apis`, { token: tenant.token });
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('TARGET_NOT_FOUND');
      }
      for (const [query, field] of [
        ['port=http', 'query.port'],
        ['port=70000', 'query.port'],
        ['path=/a/../b', 'query.path'],
      ]) {
        const res = await cp.request('GET', `/apimanager/xapi/v1/${env}/gateway-targets/${gw.id}/apis?${query}`, {
          token: tenant.token,
        });
        expect(res.status).toBe(400);
        expect(res.body.message.startsWith(`${field}: `)).toBe(true);
      }
    });
  });
});
