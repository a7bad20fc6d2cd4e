import { setTimeout as sleep } from 'node:timers/promises';
import { queryAudit, type AuditEntry } from '../../test/support/audit.js';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newApiInstance,
  newTenant,
  newUser,
  type TestTenant,
  uniqueName,
} from '../../test/support/factories.js';

const QUERY = (organizationId: string) => `/audit/v2/organizations/${organizationId}/query`;

describe('Audit Log Query API', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let other: TestTenant;
  let userId: string;
  let clientId: string;
  /** between the changes made before it and those made after it */
  let midway: Date;
  const ids: Record<'environment' | 'sandboxApi' | 'productionApi' | 'secretGroup', string> = {
    environment: '',
    sandboxApi: '',
    productionApi: '',
    secretGroup: '',
  };

  const ok = async (res: Promise<{ status: number; body: any; text: string }>, status = 201) => {
    const answer = await res;
    if (answer.status !== status) throw new Error(`${answer.status} ${answer.text}`);
    return answer.body;
  };

  beforeAll(async () => {
    cp = await startControlPlane();
    [tenant, other] = await Promise.all([newTenant(cp), newTenant(cp)]);
    userId = (await cp.request('GET', '/accounts/api/me', { token: tenant.token })).body.user.id;
    const apis = (envId: string) => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${envId}/apis`;

    // before midway, by the user: an environment, and an instance of the sandbox updated
    ids.environment = (
      await ok(
        cp.request('POST', `/accounts/api/organizations/${tenant.organizationId}/environments`, {
          token: tenant.token,
          json: { name: uniqueName('env'), type: 'design' },
        }),
      )
    ).id;
    const sandboxApi = await newApiInstance(tenant, { productVersion: 'v1.0' });
    ids.sandboxApi = String(sandboxApi.id);
    await ok(
      cp.request('PATCH', `${apis(tenant.sandboxId)}/${sandboxApi.id}`, { token: tenant.token, json: { description: 'x' } }),
      200,
    );
    await sleep(50);
    midway = new Date();
    await sleep(50);

    // after midway: an instance of production deleted by the user, a secret group made by a connected app
    const productionApi = await newApiInstance(tenant, { environmentId: tenant.productionId });
    ids.productionApi = String(productionApi.id);
    await ok(cp.request('DELETE', `${apis(tenant.productionId)}/${productionApi.id}`, { token: tenant.token }), 204);
    const app = await ok(
      cp.request('POST', '/accounts/api/connectedApplications', {
        token: tenant.token,
        json: { client_name: uniqueName('ci'), grant_types: ['client_credentials'], scopes: ['manage:secret_groups'] },
      }),
    );
    clientId = app.client_id;
    const appToken = (
      await ok(
        cp.request('POST', '/accounts/api/v2/oauth2/token', {
          json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret },
        }),
        200,
      )
    ).access_token;
    ids.secretGroup = (
      await ok(
        cp.request(
          'POST',
          `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`,
          {
            token: appToken,
            json: { name: uniqueName('group') },
          },
        ),
      )
    ).id;

    // another tenant's change
    await ok(
      cp.request('POST', `/accounts/api/organizations/${other.organizationId}/environments`, {
        token: other.token,
        json: { name: uniqueName('env'), type: 'design' },
      }),
    );
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const query = (body: Record<string, unknown> = {}) => queryAudit(cp, tenant.token, tenant.organizationId, body);
  /** `[objectType, objectId, action]` of each entry, in answer order. */
  const summary = (entries: AuditEntry[]) => entries.map((e) => [e.objectType, e.objectId, e.action]);
  const EARLY = () => [
    ['environment', ids.environment, 'create'],
    ['api-instance', ids.sandboxApi, 'update'],
  ];
  const LATE = () => [
    ['api-instance', ids.productionApi, 'delete'],
    ['connected-application', clientId, 'create'],
    ['secret-group', ids.secretGroup, 'create'],
  ];

  it("answers the organization's records newest first, with the total, or oldest first when ascending", async () => {
    const newest = await query();
    expect(summary(newest.data)).toEqual([...EARLY(), ...LATE()].reverse());
    expect(newest.total).toBe(5);
    const times = newest.data.map((e) => Date.parse(e.timestamp));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(summary((await query({ ascending: true })).data)).toEqual([...EARLY(), ...LATE()]);
  });

  it('pages with offset and limit, keeping the total of every match', async () => {
    const all = (await query({ ascending: true })).data;
    const page = await query({ ascending: true, offset: 1, limit: 2 });
    expect(page).toEqual({ data: all.slice(1, 3), total: 5 });
    expect(await query({ offset: 5 })).toEqual({ data: [], total: 5 });
  });

  it('narrows by time range, inclusive, given as Unix milliseconds or ISO 8601', async () => {
    expect(summary((await query({ startDate: midway.getTime(), ascending: true })).data)).toEqual(LATE());
    expect(summary((await query({ endDate: midway.toISOString(), ascending: true })).data)).toEqual(EARLY());
    const [first] = (await query({ ascending: true })).data;
    const exactly = await query({ startDate: first!.timestamp, endDate: first!.timestamp });
    expect(exactly.data.map((e) => e.id)).toContain(first!.id);
    // a date and time without an offset is UTC
    expect((await query({ startDate: midway.toISOString().replace('Z', '') })).total).toBe(3);
  });

  it('narrows by actor: userIds (users or apps), clientIds (apps only)', async () => {
    expect(summary((await query({ userIds: [userId], ascending: true })).data)).toEqual([...EARLY(), ...LATE().slice(0, 2)]);
    expect(summary((await query({ userIds: [clientId] })).data)).toEqual([['secret-group', ids.secretGroup, 'create']]);
    expect(summary((await query({ clientIds: [clientId] })).data)).toEqual([['secret-group', ids.secretGroup, 'create']]);
    expect((await query({ clientIds: [userId] })).total).toBe(0);
    const [byApp] = (await query({ clientIds: [clientId] })).data;
    expect(byApp).toMatchObject({ userType: 'connected-app', userId: clientId, platform: 'Secrets Manager' });
  });

  it('narrows by action, resource type, platform, resource id and environment', async () => {
    expect(summary((await query({ actions: ['delete', 'update'], ascending: true })).data)).toEqual([
      ['api-instance', ids.sandboxApi, 'update'],
      ['api-instance', ids.productionApi, 'delete'],
    ]);
    expect(summary((await query({ objectTypes: ['environment'] })).data)).toEqual([['environment', ids.environment, 'create']]);
    expect(summary((await query({ platforms: ['Access Management'], ascending: true })).data)).toEqual([
      ['environment', ids.environment, 'create'],
      ['connected-application', clientId, 'create'],
    ]);
    expect((await query({ platforms: ['Exchange'], objectTypes: ['environment'] })).total).toBe(0);
    expect(summary((await query({ objectIds: [ids.sandboxApi] })).data)).toEqual([['api-instance', ids.sandboxApi, 'update']]);
    expect(summary((await query({ environmentIds: [tenant.productionId] })).data)).toEqual([
      ['api-instance', ids.productionApi, 'delete'],
    ]);
    expect(summary((await query({ environmentIds: [tenant.sandboxId], ascending: true })).data)).toEqual([
      ['api-instance', ids.sandboxApi, 'update'],
      ['secret-group', ids.secretGroup, 'create'],
    ]);
  });

  it("treats empty lists as no filter, ANDs the rest, and takes the Postman collection's body", async () => {
    const postman = {
      startDate: new Date(0).toISOString(),
      endDate: new Date(Date.now() + 60_000).toISOString(),
      platforms: [],
      objectTypes: [],
      actions: [],
      objectIds: [],
      userIds: [],
      environmentIds: [],
      ascending: false,
      organizationId: tenant.organizationId,
      offset: 0,
      limit: 25,
    };
    const res = await cp.request('POST', `${QUERY(tenant.organizationId)}?include_internal=false`, {
      token: tenant.token,
      json: postman,
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(5);
    expect((await query({ actions: ['create'], environmentIds: [tenant.sandboxId] })).data.map((e) => e.objectId)).toEqual([
      ids.secretGroup,
    ]);
    expect((await query({ failed: false })).total).toBe(5);
    // a change that fails rolls back with its record
    expect(await query({ failed: true })).toEqual({ data: [], total: 0 });
  });

  it("never shows another organization's records: 404 for an organization the caller cannot see", async () => {
    const mine = await query();
    expect(mine.data.every((e) => e.organizationId === tenant.organizationId)).toBe(true);
    const theirs = await queryAudit(cp, other.token, other.organizationId);
    expect(theirs.total).toBe(1);
    expect(theirs.data[0]!.organizationId).toBe(other.organizationId);

    const res = await cp.request('POST', QUERY(tenant.organizationId), { token: other.token, json: { startDate: 0 } });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'ORGANIZATION_NOT_FOUND' });
  });

  it('needs Audit Log Viewer (read:audit_logs), which Organization Administrators hold', async () => {
    const reader = await newUser(cp, tenant.organizationId, ['read:audit_logs']);
    const admin = await newUser(cp, tenant.organizationId, ['admin:organization']);
    const outsider = await newUser(cp, tenant.organizationId, ['manage:api_configuration', 'read:organization']);
    for (const user of [reader, admin]) expect((await queryAudit(cp, user.token, tenant.organizationId)).total).toBe(5);

    const refused = await cp.request('POST', QUERY(tenant.organizationId), { token: outsider.token, json: { startDate: 0 } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'FORBIDDEN',
      message: `You need the Audit Log Viewer permission (read:audit_logs) in organization ${tenant.organizationId}`,
    });
    expect((await cp.request('POST', QUERY(tenant.organizationId), { json: { startDate: 0 } })).status).toBe(401);
  });

  it.each([
    [undefined, 'body: must be an object of query filters'],
    [{}, 'body.startDate: is required'],
    [{ startDate: 'yesterday' }, 'body.startDate: must be Unix milliseconds or an ISO 8601 date, e.g. 2026-01-31T12:00:00Z'],
    [{ startDate: -1 }, 'body.startDate: must be Unix milliseconds or an ISO 8601 date, e.g. 2026-01-31T12:00:00Z'],
    [{ startDate: 1000, endDate: 999 }, 'body.endDate: must not be before startDate'],
    [{ startDate: 0, limit: 201 }, 'body.limit: must be between 1 and 200'],
    [{ startDate: 0, offset: -1 }, 'body.offset: must be an integer from 0 to 2147483647'],
    [{ startDate: 0, offset: 2 ** 31 }, 'body.offset: must be an integer from 0 to 2147483647'],
    [{ startDate: 0, ascending: 'yes' }, 'body.ascending: must be true or false'],
    [{ startDate: 0, objectTypes: ['api'] }, 'body.objectTypes.0: must be one of '],
    [{ startDate: 0, actions: ['login'] }, 'body.actions.0: must be one of '],
    [{ startDate: 0, environmentIds: ['sandbox'] }, 'body.environmentIds.0: must be an environment id (a UUID)'],
    [{ startDate: 0, userIds: 'me' }, 'body.userIds: must be an array of ids'],
    [{ startDate: 0, parentIds: [] }, 'body: Unrecognized key: "parentIds"'],
    [
      { startDate: 0, organizationId: '00000000-0000-4000-8000-000000000000' },
      'body.organizationId: must be the organization of the path',
    ],
  ])('refuses %j with 400 naming the field', async (json, message) => {
    const res = await cp.request('POST', QUERY(tenant.organizationId), { token: tenant.token, json });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(res.body.message).toContain(message);
  });

  it('is in the OpenAPI document with its body, its query parameter and its answer', async () => {
    const operation = (await cp.request('GET', '/openapi.json')).body.paths['/audit/v2/organizations/{orgId}/query'].post;
    const body = operation.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['startDate']);
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['startDate', 'endDate', 'userIds', 'objectTypes', 'actions', 'environmentIds', 'offset', 'limit']),
    );
    expect(operation.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'include_internal', in: 'query' })]),
    );
    expect(operation.responses['200'].content['application/json'].schema.properties.data.items.properties.payload).toBeDefined();
  });

  it('refuses a query parameter it does not apply (cursor pagination) with 400 naming it', async () => {
    const res = await cp.request('POST', `${QUERY(tenant.organizationId)}?cursorPagination=true`, {
      token: tenant.token,
      json: { startDate: 0 },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('query.cursorPagination: is not a query parameter of this route (it takes include_internal)');
  });
});
