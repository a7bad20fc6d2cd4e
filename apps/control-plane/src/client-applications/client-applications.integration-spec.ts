import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newApiInstance,
  newTenant,
  newUser,
  testPrisma,
  uniqueName,
  type TestTenant,
} from '../../test/support/factories.js';

describe('client applications and contracts', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let apiId: number;

  const newApi = async (t: TestTenant, approvalMethod: string | null = null) => (await newApiInstance(t, { approvalMethod })).id;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    apiId = await newApi(tenant);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const apps = (t: TestTenant) => `/exchange/api/v2/organizations/${t.organizationId}/applications`;
  const contracts = (t: TestTenant, api: number) =>
    `/apimanager/api/v1/organizations/${t.organizationId}/environments/${t.sandboxId}/apis/${api}/contracts`;

  it('creates an application whose secret is shown once and stored hashed', async () => {
    const res = await cp.request('POST', apps(tenant), {
      token: tenant.token,
      json: { name: uniqueName('app'), description: 'chat client' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      clientId: expect.stringMatching(/^[0-9a-f]{32}$/),
      clientSecret: expect.any(String),
    });
    const row = await testPrisma().clientApplication.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.clientSecretHash).toMatch(/^scrypt\$/);
    expect(row.clientSecretHash).not.toContain(res.body.clientSecret);
    const got = await cp.request('GET', `${apps(tenant)}/${res.body.id}`, { token: tenant.token });
    expect(got.status).toBe(200);
    expect(got.body.clientSecret).toBeUndefined();
  });

  it('refuses fields Exchange does not take with its own message', async () => {
    const res = await cp.request('POST', apps(tenant), {
      token: tenant.token,
      json: { name: uniqueName('app'), apiInstanceId: apiId },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('A target apiInstanceId or groupInstanceId is required to create an application');
  });

  it('approves a contract at once, refuses a second one, and deletes only after revoking', async () => {
    const app = (await cp.request('POST', apps(tenant), { token: tenant.token, json: { name: uniqueName('app') } })).body;
    const created = await cp.request('POST', contracts(tenant, apiId), { token: tenant.token, json: { applicationId: app.id } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'APPROVED', applicationId: app.id, application: { clientId: app.clientId } });
    expect(created.body.application.clientSecret).toBeUndefined();

    const again = await cp.request('POST', contracts(tenant, apiId), { token: tenant.token, json: { applicationId: app.id } });
    expect(again.status).toBe(409);

    const list = await cp.request('GET', contracts(tenant, apiId), { token: tenant.token });
    expect(list.body.total).toBeGreaterThanOrEqual(1);

    const active = await cp.request('DELETE', `${contracts(tenant, apiId)}/${created.body.id}`, { token: tenant.token });
    expect(active.status).toBe(400);
    expect(active.body.message).toBe('Cannot delete active contract');
    expect(
      (await cp.request('POST', `${contracts(tenant, apiId)}/${created.body.id}/revoke`, { token: tenant.token })).body.status,
    ).toBe('REVOKED');
    expect((await cp.request('DELETE', `${contracts(tenant, apiId)}/${created.body.id}`, { token: tenant.token })).status).toBe(
      204,
    );
  });

  it('filters contracts by client id and name, sorts and pages them', async () => {
    const api = await newApi(tenant);
    const made = [];
    for (const name of ['alpha', 'beta', 'gamma']) {
      const app = (await cp.request('POST', apps(tenant), { token: tenant.token, json: { name: uniqueName(name) } })).body;
      const contract = await cp.request('POST', contracts(tenant, api), { token: tenant.token, json: { applicationId: app.id } });
      made.push({ id: contract.body.id as number, clientId: app.clientId as string });
    }
    const [alpha, beta, gamma] = made as [(typeof made)[0], (typeof made)[0], (typeof made)[0]];
    const list = async (query: string) => {
      const res = await cp.request('GET', `${contracts(tenant, api)}?${query}`, { token: tenant.token });
      expect(res.status).toBe(200);
      return { total: res.body.total, ids: res.body.contracts.map((c: { id: number }) => c.id) };
    };
    // anypoint-cli's `contract delete` asks for exactly this and deletes the first row
    expect(await list(`limit=1&coreServicesId=${beta.clientId}`)).toEqual({ total: 1, ids: [beta.id] });
    expect(await list('coreServicesId=0123456789abcdef0123456789abcdef')).toEqual({ total: 0, ids: [] });
    expect(await list('query=GAMM')).toEqual({ total: 1, ids: [gamma.id] });
    expect(await list('sort=id&ascending=false')).toEqual({ total: 3, ids: [gamma.id, beta.id, alpha.id] });
    expect(await list('limit=1&offset=1&query=&sort=id&ascending=true')).toEqual({ total: 3, ids: [beta.id] });

    const unknown = await cp.request('GET', `${contracts(tenant, api)}?clientId=${beta.clientId}`, { token: tenant.token });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe(
      'query.clientId: is not a query parameter of this route (it takes status, coreServicesId, query, sort, ascending, offset, limit)',
    );
    const badSort = await cp.request('GET', `${contracts(tenant, api)}?sort=name`, { token: tenant.token });
    expect(badSort.status).toBe(400);
    expect(badSort.body.message).toMatch(/^query\.sort: /);
  });

  it('keeps contracts of manual-approval APIs pending until approved', async () => {
    const manualApi = await newApi(tenant, 'manual');
    const app = (await cp.request('POST', apps(tenant), { token: tenant.token, json: { name: uniqueName('app') } })).body;
    const created = await cp.request('POST', contracts(tenant, manualApi), {
      token: tenant.token,
      json: { applicationId: app.id, requestAccessInfo: { reason: 'for the demo' } },
    });
    expect(created.body.status).toBe('PENDING');
    const approved = await cp.request('POST', `${contracts(tenant, manualApi)}/${created.body.id}/approve`, {
      token: tenant.token,
    });
    expect(approved.body).toMatchObject({ status: 'APPROVED', approvedDate: expect.any(String) });
  });

  it('isolates tenants and checks permissions', async () => {
    const other = await newTenant(cp);
    const app = (await cp.request('POST', apps(tenant), { token: tenant.token, json: { name: uniqueName('app') } })).body;
    expect((await cp.request('GET', `${apps(tenant)}/${app.id}`, { token: other.token })).status).toBe(404);
    expect((await cp.request('GET', `${apps(other)}/${app.id}`, { token: other.token })).status).toBe(404);
    const contractFromOther = await cp.request('POST', contracts(other, await newApi(other)), {
      token: other.token,
      json: { applicationId: app.id },
    });
    expect(contractFromOther.status).toBe(404);
    const viewer = await newUser(cp, tenant.organizationId, ['read:api_contracts']);
    expect(
      (await cp.request('POST', contracts(tenant, apiId), { token: viewer.token, json: { applicationId: app.id } })).status,
    ).toBe(403);
  });

  it('creates a contract only for an application the caller may read in its organization', async () => {
    const newGroup = async () =>
      (
        await cp.request('POST', '/accounts/api/organizations', {
          token: tenant.token,
          json: { name: uniqueName('bg'), parentOrganizationId: tenant.organizationId },
        })
      ).body.id as string;
    const groupA = await newGroup();
    const groupB = await newGroup();
    const newApp = async (organizationId: string) =>
      (
        await cp.request('POST', `/exchange/api/v2/organizations/${organizationId}/applications`, {
          token: tenant.token,
          json: { name: uniqueName('app') },
        })
      ).body as { id: number };
    const [rootApp, appA, appB] = [await newApp(tenant.organizationId), await newApp(groupA), await newApp(groupB)];
    const api = await newApi(tenant);

    // may manage the sandbox's contracts, but not view the organization's client applications
    const contractsOnly = await newUser(cp, tenant.organizationId, ['manage:api_contracts'], tenant.sandboxId);
    const denied = await cp.request('POST', contracts(tenant, api), {
      token: contractsOnly.token,
      json: { applicationId: rootApp.id },
    });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      status: 403,
      name: 'ForbiddenError',
      code: 'FORBIDDEN',
      message: `You need the View Client Applications permission (read:client_applications) in organization ${tenant.organizationId}`,
    });

    // a member of group A whose grant in the parent is narrowed to its sandbox does not see group B
    const member = await newUser(cp, groupA, ['read:client_applications']);
    await testPrisma().permissionGrant.create({
      data: {
        userId: member.id,
        scope: 'manage:api_contracts',
        organizationId: tenant.organizationId,
        environmentId: tenant.sandboxId,
      },
    });
    const hidden = await cp.request('POST', contracts(tenant, api), { token: member.token, json: { applicationId: appB.id } });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({
      status: 404,
      name: 'NotFoundError',
      code: 'APPLICATION_NOT_FOUND',
      message: `Application ${appB.id} not found`,
    });
    expect(await testPrisma().contract.count({ where: { apiId: api } })).toBe(0);

    // with the read permission where each application lives, the same callers may
    const own = await cp.request('POST', contracts(tenant, api), { token: member.token, json: { applicationId: appA.id } });
    expect(own.status).toBe(201);
    const parentAdmin = await cp.request('POST', contracts(tenant, api), {
      token: tenant.token,
      json: { applicationId: appB.id },
    });
    expect(parentAdmin.status).toBe(201);
    await testPrisma().permissionGrant.create({
      data: { userId: contractsOnly.id, scope: 'read:client_applications', organizationId: tenant.organizationId },
    });
    const allowed = await cp.request('POST', contracts(tenant, api), {
      token: contractsOnly.token,
      json: { applicationId: rootApp.id },
    });
    expect(allowed.status).toBe(201);
  });

  it('answers bad input with 4xx naming the problem and writes nothing', async () => {
    const before = await testPrisma().contract.count();
    const wrongType = await cp.request('POST', contracts(tenant, apiId), { token: tenant.token, json: { applicationId: 'one' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toMatch(/^body\.applicationId: /);
    expect((await cp.request('POST', contracts(tenant, apiId), { token: tenant.token, raw: '{"applicationId":' })).status).toBe(
      400,
    );
    expect((await cp.request('GET', `${contracts(tenant, apiId)}/abc`, { token: tenant.token })).body).toMatchObject({
      status: 404,
      message: 'Contract abc not found',
    });
    expect((await cp.request('GET', `${apps(tenant)}/1.5`, { token: tenant.token })).status).toBe(404);
    expect(await testPrisma().contract.count()).toBe(before);
  });
});
