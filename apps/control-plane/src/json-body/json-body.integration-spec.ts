/**
 * Deeply nested JSON bodies over real HTTP: every route that takes a JSON body answers 400
 * MALFORMED_BODY naming the cause, where 5,000 levels used to reach the routes and fail there with
 * a 500 (policies, API instance proxy templates).
 */
import { type ApiResponse, startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newMcpAsset, newTenant, type TestTenant, testPrisma } from '../../test/support/factories.js';
import { mcpInstanceBody } from '../../test/support/mcp-instance-body.js';

const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** `json` with the string "DEEP" replaced by `deep` (raw JSON text). */
const withDeep = (json: unknown, deep: string) => JSON.stringify(json).replace('"DEEP"', deep);
const POLICY_GROUP = '68ef9520-24e9-4cf2-b2f5-620025690913';

const tooDeep = (limit: number) => ({
  status: 400,
  name: 'BadRequestError',
  code: 'MALFORMED_BODY',
  message: `JSON body nests arrays and objects deeper than ${limit} levels`,
});

describe('deeply nested JSON bodies', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let apis: string;
  let apiId: number;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    apis = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
    const api = await cp.request('POST', apis, {
      token: tenant.token,
      json: mcpInstanceBody(await newMcpAsset(tenant.organizationId)),
    });
    expect(api.status).toBe(201);
    apiId = api.body.id;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const send = (method: string, url: string, raw: string) => cp.request(method, url, { token: tenant.token, raw });
  const tenantRows = async () => ({
    apis: await testPrisma().apiInstance.count({ where: { organizationId: tenant.organizationId } }),
    policies: await testPrisma().appliedPolicy.count({ where: { organizationId: tenant.organizationId } }),
  });

  it('answers 10,000 nested arrays or objects with 400 naming the cause on every route that takes a JSON body', async () => {
    const doc = (await cp.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const writes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      ['post', 'put', 'patch'].filter((m) => m in methods).map((m) => ({ method: m.toUpperCase(), path })),
    );
    expect(writes.length).toBeGreaterThan(40);
    const wrong: string[] = [];
    for (const { method, path } of writes) {
      const url = path
        .replace('{orgId}', tenant.organizationId)
        .replace('{envId}', tenant.sandboxId)
        .replace('{apiId}', String(apiId))
        .replace(/\{[^}]+\}/g, '1');
      for (const [shape, raw] of [
        ['arrays', arrays(10_000)],
        ['objects', objects(10_000)],
        ['a field', withDeep({ name: 'x', configurationData: 'DEEP' }, objects(10_000))],
      ]) {
        const res: ApiResponse = await send(method, url, raw!);
        const got = { status: res.status, body: res.body };
        if (JSON.stringify(got) !== JSON.stringify({ status: 400, body: tooDeep(64) })) {
          wrong.push(`${method} ${path} [${shape}] -> ${res.status} ${res.text.slice(0, 120)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 400, and writes nothing, for the bodies that reached their routes and failed there with 500', async () => {
    const before = await tenantRows();
    const asset = await newMcpAsset(tenant.organizationId);
    const instance = mcpInstanceBody(asset);
    const cases: [string, string, unknown][] = [
      [
        'POST',
        `${apis}/${apiId}/policies`,
        { groupId: POLICY_GROUP, assetId: 'mcp-support', assetVersion: '1.0.1', configurationData: { x: 'DEEP' } },
      ],
      ['POST', apis, { ...instance, endpoint: { ...instance.endpoint, proxyTemplate: { x: 'DEEP' } } }],
      ['PATCH', `${apis}/${apiId}`, { endpoint: { proxyTemplate: { x: 'DEEP' } } }],
    ];
    for (const [method, url, json] of cases) {
      for (const deep of [arrays(5_000), objects(5_000)]) {
        const res = await send(method, url, withDeep(json, deep));
        expect({ url, status: res.status, body: res.body }).toEqual({ url, status: 400, body: tooDeep(64) });
      }
    }
    expect(await tenantRows()).toEqual(before);
  });

  it('takes a body nested exactly 64 levels deep, and refuses 65', async () => {
    // body, endpoint, proxyTemplate: 3 levels before the value of x
    const patch = (valueDepth: number) =>
      send('PATCH', `${apis}/${apiId}`, withDeep({ endpoint: { proxyTemplate: { x: 'DEEP' } } }, arrays(valueDepth)));
    const atLimit = await patch(61);
    expect(atLimit.status).toBe(200);
    const stored = await testPrisma().apiInstance.findUniqueOrThrow({ where: { id: apiId } });
    expect(JSON.stringify(stored.proxyTemplate)).toBe(`{"x":${arrays(61)}}`);
    expect((await patch(62)).body).toEqual(tooDeep(64));
  });
});

describe('PORTICO_BODY_MAX_DEPTH', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_BODY_MAX_DEPTH: '4' });
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  it('sets the deepest nesting a body may have', async () => {
    const login = (extra: string) =>
      cp.request('POST', '/accounts/login', { raw: `{"username":"nobody-here","password":"wrong","extra":${extra}}` });
    expect((await login(arrays(3))).status).toBe(401);
    const refused = await login(arrays(4));
    expect({ status: refused.status, body: refused.body }).toEqual({ status: 400, body: tooDeep(4) });
  });
});
