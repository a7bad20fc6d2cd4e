/**
 * API promotion (POST .../apis with `promote{}`): a copy of an instance of another environment
 * with its routing, policies and SLA tiers; refusals name their cause and write nothing. Also the
 * instance's runtime routes: autodiscovery properties, usable TLS contexts and the Mule-only
 * commands Portico answers by name.
 */
import { createTestCa } from '#portico/testing';
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
import { MCP_SUPPORT } from '../../test/support/gateways.js';

const RATE_LIMITING = { groupId: MCP_SUPPORT.groupId, assetId: 'rate-limiting', assetVersion: '1.4.1' };

describe('API promotion and runtime routes', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let port = 23_000;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const apis = (envId: string, t = tenant) => `/apimanager/api/v1/organizations/${t.organizationId}/environments/${envId}/apis`;
  const get = (path: string) => cp.request('GET', path, { token: tenant.token });
  const post = (path: string, json: unknown) => cp.request('POST', path, { token: tenant.token, json });

  /** A Sandbox MCP instance routed to upstream a, with an unrouted upstream b, two policies and two tiers. */
  const newOrigin = async (label = uniqueName('origin')) => {
    const created = await post(apis(tenant.sandboxId), {
      technology: 'flexGateway',
      instanceLabel: label,
      spec: await newMcpAsset(tenant.organizationId),
      endpoint: { deploymentType: 'HY', type: 'mcp', proxyUri: `http://0.0.0.0:${port++}/promoted` },
      routing: [
        {
          label: 'split',
          upstreams: [{ uri: 'http://127.0.0.1:9101/', label: 'a' }],
        },
      ],
    });
    expect([created.status, created.body.message]).toEqual([201, undefined]);
    const id = created.body.id as number;
    const b = await post(`${apis(tenant.sandboxId)}/${id}/upstreams`, { uri: 'http://127.0.0.1:9102/', label: 'b' });
    expect(b.status).toBe(201);
    const policies = `${apis(tenant.sandboxId)}/${id}/policies`;
    expect((await post(policies, { ...MCP_SUPPORT, configurationData: {} })).status).toBe(201);
    const limit = { rateLimits: [{ maximumRequests: 7, timePeriodInMilliseconds: 1000 }], exposeHeaders: true };
    expect((await post(policies, { ...RATE_LIMITING, configurationData: limit, mode: 'shadow' })).status).toBe(201);
    const alert = await post(`${apis(tenant.sandboxId)}/${id}/alerts`, {
      name: 'busy',
      type: 'api-request-count',
      severity: 'info',
      condition: { operator: 'GREATER_THAN', value: 100 },
      period: { duration: { count: 1, weight: 'MINUTES' }, repeat: 1 },
      recipients: [{ type: 'email', value: 'ops@example.com' }],
    });
    expect([alert.status, alert.body.message]).toEqual([201, undefined]);
    for (const name of ['Gold', 'Silver']) {
      const tier = await post(`${apis(tenant.sandboxId)}/${id}/tiers`, {
        name,
        limits: [{ maximumRequests: name === 'Gold' ? 100 : 10, timePeriodInMilliseconds: 60_000, visible: true }],
        autoApprove: name === 'Silver',
      });
      expect(tier.status).toBe(201);
    }
    return { id, label };
  };

  const promote = (originApiId: unknown, parts: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    post(apis(tenant.productionId), { promote: { originApiId, ...parts }, ...extra });

  const productionCount = () =>
    testPrisma().apiInstance.count({ where: { organizationId: tenant.organizationId, environmentId: tenant.productionId } });

  it('copies the instance into the target environment with its routing, policies in order and tiers', async () => {
    const origin = await newOrigin();
    const res = await promote(
      String(origin.id),
      { policies: { allEntities: true }, tiers: { allEntities: true }, alerts: { allEntities: true } },
      { instanceLabel: `${origin.label} (Promoted)` },
    );
    expect(res.status).toBe(201);
    const source = (await get(`${apis(tenant.sandboxId)}/${origin.id}`)).body;
    expect(res.body).toMatchObject({
      environmentId: tenant.productionId,
      instanceLabel: `${origin.label} (Promoted)`,
      groupId: source.groupId,
      assetId: source.assetId,
      assetVersion: source.assetVersion,
      technology: 'flexGateway',
      deployment: null,
      endpoint: { type: 'mcp', proxyUri: source.endpoint.proxyUri, deploymentType: 'HY' },
    });
    expect(res.body.id).not.toBe(origin.id);
    const copy = `${apis(tenant.productionId)}/${res.body.id}`;

    const upstreams = (await get(`${copy}/upstreams`)).body.upstreams as { id: string; uri: string; label: string }[];
    expect(upstreams.map((u) => [u.uri, u.label]).sort()).toEqual([
      ['http://127.0.0.1:9101/', 'a'],
      ['http://127.0.0.1:9102/', 'b'],
    ]);
    const byId = new Map(upstreams.map((u) => [u.id, u.uri]));
    const routing = (await get(copy)).body.routing;
    expect(routing).toHaveLength(1);
    expect(routing[0].label).toBe('split');
    expect(routing[0].upstreams.map((u: { id: string; weight: number }) => [byId.get(u.id), u.weight])).toEqual([
      ['http://127.0.0.1:9101/', 100],
    ]);

    const policies = (await get(`${copy}/policies?fullInfo=false`)).body as Record<string, any>[];
    expect(policies.map((p) => [p.assetId, p.order, p.mode])).toEqual([
      ['mcp-support', 1, 'enforce'],
      ['rate-limiting', 2, 'shadow'],
    ]);
    expect(policies[1]!.configurationData.rateLimits).toEqual([{ maximumRequests: 7, timePeriodInMilliseconds: 1000 }]);
    const tiers = (await get(`${copy}/tiers`)).body.tiers as Record<string, any>[];
    expect(tiers.map((t) => [t.name, t.limits[0].maximumRequests, t.autoApprove])).toEqual([
      ['Gold', 100, false],
      ['Silver', 10, true],
    ]);
    const alerts = (await get(`${copy}/alerts`)).body as Record<string, any>[];
    expect(alerts).toEqual([
      expect.objectContaining({
        name: 'busy',
        recipients: [expect.objectContaining({ type: 'email', value: 'ops@example.com' })],
      }),
    ]);
    // the origin is untouched
    expect((await get(`${apis(tenant.sandboxId)}/${origin.id}/policies?fullInfo=false`)).body).toHaveLength(2);
    const audit = await testPrisma().auditRecord.findMany({
      where: { organizationId: tenant.organizationId, environmentId: tenant.productionId, action: 'create' },
      select: { resourceType: true },
    });
    expect(audit.map((a) => a.resourceType).sort()).toEqual(
      expect.arrayContaining(['alert', 'api-instance', 'policy', 'policy', 'sla-tier', 'sla-tier']),
    );
  });

  it('copies neither policies nor tiers when their allEntities is false', async () => {
    const origin = await newOrigin();
    const res = await promote(origin.id, { policies: { allEntities: false }, tiers: { allEntities: false } });
    expect(res.status).toBe(201);
    expect(res.body.instanceLabel).toBe(origin.label);
    const copy = `${apis(tenant.productionId)}/${res.body.id}`;
    expect((await get(`${copy}/policies?fullInfo=false`)).body).toEqual([]);
    expect((await get(`${copy}/tiers`)).body.total).toBe(0);
    expect((await get(`${copy}/alerts`)).body).toHaveLength(1);
    const noAlerts = await promote(origin.id, { alerts: { allEntities: false } }, { instanceLabel: uniqueName('copy') });
    expect((await get(`${apis(tenant.productionId)}/${noAlerts.body.id}/alerts`)).body).toEqual([]);
  });

  it('refuses by name what it cannot promote, and writes nothing', async () => {
    const origin = await newOrigin();
    const other = await newTenant(cp);
    const foreign = await cp.request('POST', apis(other.sandboxId, other), {
      token: other.token,
      json: { technology: 'flexGateway', spec: await newMcpAsset(other.organizationId), endpoint: { type: 'mcp' } },
    });
    expect(foreign.status).toBe(201);
    const before = await productionCount();
    const cases: [unknown, number, string | RegExp][] = [
      [{ promote: { originApiId: foreign.body.id } }, 404, `API instance ${foreign.body.id} not found`],
      [{ promote: { originApiId: 999_999_999 } }, 404, 'API instance 999999999 not found'],
      [{ promote: { originApiId: 'abc' } }, 400, 'body.promote.originApiId: must be an API instance id'],
      [
        { promote: { originApiId: origin.id, policies: { allEntities: 'yes' } } },
        400,
        'body.promote.policies.allEntities: must be true or false',
      ],
      [
        { promote: { originApiId: origin.id, contracts: { allEntities: true } } },
        400,
        'body.promote: Unrecognized key: "contracts"',
      ],
      [
        { promote: { originApiId: origin.id }, spec: { groupId: 'g', assetId: 'a', version: '1.0.0' } },
        400,
        'body: Unrecognized key: "spec"',
      ],
      [{ promote: {} }, 400, /^body\.promote\.originApiId: /],
    ];
    for (const [json, status, message] of cases) {
      const res = await post(apis(tenant.productionId), json);
      expect({ json, status: res.status }).toEqual({ json, status });
      if (typeof message === 'string') expect(res.body.message).toBe(message);
      else expect(res.body.message).toMatch(message);
    }
    const same = await post(apis(tenant.sandboxId), { promote: { originApiId: origin.id } });
    expect(same.status).toBe(400);
    expect(same.body).toMatchObject({
      code: 'API_PROMOTION_SAME_ENVIRONMENT',
      message: `promote.originApiId: API instance ${origin.id} is already in this environment; promote it from another one`,
    });
    // whoever promotes must be allowed to read the origin's configuration in its environment
    const productionOnly = await newUser(cp, tenant.organizationId, ['manage:api_configuration'], tenant.productionId);
    const blind = await cp.request('POST', apis(tenant.productionId), {
      token: productionOnly.token,
      json: { promote: { originApiId: origin.id } },
    });
    expect(blind.status).toBe(403);
    expect(blind.body.message).toContain(`(read:api_configuration) in environment ${tenant.sandboxId}`);
    // the label is taken in the target after a first promotion
    expect((await promote(origin.id)).status).toBe(201);
    const again = await promote(origin.id);
    expect(again.status).toBe(409);
    expect(await productionCount()).toBe(before + 1);
  });

  it('refuses an instance serving https: its listener TLS context belongs to its environment', async () => {
    const ca = await createTestCa();
    const groups = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`;
    const group = await post(groups, { name: uniqueName('group') });
    const server = await ca.issue({ commonName: 'mcp.example.com', names: ['mcp.example.com'], usage: 'server' });
    const context = await post(`${groups}/${group.body.id}/tlsContexts`, {
      name: uniqueName('ctx'),
      certificate: server.certificatePem,
      privateKey: server.privateKeyPem,
    });
    const inbound = { secretGroupId: group.body.id, tlsContextId: context.body.id };
    const https = await post(apis(tenant.sandboxId), {
      technology: 'flexGateway',
      spec: await newMcpAsset(tenant.organizationId),
      endpoint: { type: 'mcp', uri: 'http://127.0.0.1:9/', proxyUri: `https://0.0.0.0:${port++}/tls`, tlsContexts: { inbound } },
    });
    expect(https.status).toBe(201);
    const before = await productionCount();
    const res = await promote(https.body.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('API_PROMOTION_NEEDS_TLS_CONTEXT');
    expect(res.body.message).toContain('endpoint.tlsContexts.inbound');
    expect(await productionCount()).toBe(before);

    // GET .../tls-contexts shows where the instance uses each context of its environment
    const usable = await get(`${apis(tenant.sandboxId)}/${https.body.id}/tls-contexts`);
    expect(usable.status).toBe(200);
    expect(usable.body).toContainEqual(
      expect.objectContaining({
        secretGroupId: group.body.id,
        tlsContextId: context.body.id,
        usage: { inbound: true, upstreamIds: [] },
      }),
    );
  });

  it('answers autodiscovery properties, and the Mule-only commands with a 400 that says why', async () => {
    const origin = await newOrigin();
    const api = `${apis(tenant.sandboxId)}/${origin.id}`;
    const props = await get(`${api}/autodiscoveryProperties?gatewayVersion=1.2.3`);
    expect(props.status).toBe(200);
    const source = (await get(api)).body;
    expect(props.body).toEqual({
      apiId: origin.id,
      autodiscoveryApiName: `groupId:${source.groupId}:assetId:${source.assetId}`,
      autodiscoveryInstanceName: source.autodiscoveryInstanceName,
      technology: 'flexGateway',
      gatewayVersion: '1.2.3',
      environmentId: tenant.sandboxId,
      organizationId: tenant.organizationId,
    });
    const noVersion = await get(`${api}/autodiscoveryProperties`);
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.message).toMatch(/^query\.gatewayVersion: is required/);

    const proxy = await get(
      `/proxies/xapi/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis/${origin.id}/proxy?gatewayVersion=3.9.0`,
    );
    expect(proxy.status).toBe(400);
    expect(proxy.body).toMatchObject({ code: 'MULE_RUNTIME_UNAVAILABLE' });
    expect(proxy.body.message).toContain('Portico has no Mule runtime');
    const missing = await get(
      `/proxies/xapi/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis/999999999/proxy`,
    );
    expect(missing.status).toBe(404);
    const classify = await post(
      `/apiplatform/repository/v2/organizations/${tenant.organizationId}/apis/1/versions/${origin.id}/classify`,
      { environmentId: tenant.productionId },
    );
    expect(classify.status).toBe(400);
    expect(classify.body.message).toContain('api-mgr api promote');
  });
});
