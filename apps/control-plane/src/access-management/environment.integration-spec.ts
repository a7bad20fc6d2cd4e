import { randomUUID } from 'node:crypto';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, uniqueName, type TestTenant } from '../../test/support/factories.js';

describe('environments', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    cp = await startControlPlane();
    [tenant, other] = await Promise.all([newTenant(cp), newTenant(cp)]);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const envs = (t: TestTenant | string) =>
    `/accounts/api/organizations/${typeof t === 'string' ? t : t.organizationId}/environments`;
  const row = async (id: string) => {
    const e = await testPrisma().environment.findUniqueOrThrow({ where: { id } });
    return {
      id: e.id,
      organizationId: e.organizationId,
      name: e.name,
      isProduction: e.isProduction,
      type: e.type,
      clientId: e.clientId,
    };
  };
  const validation = (message: string) => ({
    status: 400,
    name: 'BadRequestError',
    code: 'VALIDATION_FAILED',
    message,
    errors: expect.any(Array),
  });

  it('lists the environments of an organization', async () => {
    const res = await cp.request('GET', envs(tenant), { token: tenant.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [await row(tenant.sandboxId), await row(tenant.productionId)], total: 2 });
  });

  it('filters by exact name, isProduction, type and search, and pages', async () => {
    const t = await newTenant(cp);
    const sandbox = await row(t.sandboxId);
    const production = await row(t.productionId);
    const cases: [string, object[], number][] = [
      ['name=Sandbox', [sandbox], 1],
      ['name=sandbox', [], 0],
      ['isProduction=true', [production], 1],
      ['isProduction=false', [sandbox], 1],
      ['type=sandbox', [sandbox], 1],
      ['type=design', [], 0],
      ['search=DUCT', [production], 1],
      ['search=o&name=Production', [production], 1],
      ['offset=1&limit=1', [production], 2],
      ['limit=1', [sandbox], 2],
      ['offset=5', [], 2],
    ];
    for (const [query, data, total] of cases) {
      const res = await cp.request('GET', `${envs(t)}?${query}`, { token: t.token });
      expect({ query, status: res.status, body: res.body }).toEqual({ query, status: 200, body: { data, total } });
    }
  });

  it('names a bad query parameter', async () => {
    const cases: [string, string][] = [
      ['isProduction=yes', 'query.isProduction: must be true or false'],
      ['isProduction=1', 'query.isProduction: must be true or false'],
      ['type=prod', 'query.type: must be one of production, sandbox, design'],
      ['limit=501', 'query.limit: must be an integer between 1 and 500'],
      ['limit=0', 'query.limit: must be an integer between 1 and 500'],
      ['limit=ten', 'query.limit: must be an integer between 1 and 500'],
      ['offset=-1', 'query.offset: must be a non-negative integer'],
    ];
    for (const [query, message] of cases) {
      const res = await cp.request('GET', `${envs(tenant)}?${query}`, { token: tenant.token });
      expect({ query, status: res.status, body: res.body }).toEqual({ query, status: 400, body: validation(message) });
    }
  });

  it('lets a caller that only sees the organization list and read environments', async () => {
    const viewer = await newUser(cp, tenant.organizationId, []);
    expect((await cp.request('GET', envs(tenant), { token: viewer.token })).body.total).toBe(2);
    const one = await cp.request('GET', `${envs(tenant)}/${tenant.sandboxId}`, { token: viewer.token });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(await row(tenant.sandboxId));
  });

  it('creates an environment', async () => {
    const res = await cp.request('POST', envs(tenant), { token: tenant.token, json: { name: 'QA env-1', type: 'design' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      organizationId: tenant.organizationId,
      name: 'QA env-1',
      isProduction: false,
      type: 'design',
      clientId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(await row(res.body.id)).toEqual(res.body);

    const prod = await cp.request('POST', envs(tenant), {
      token: tenant.token,
      json: { name: 'Live', isProduction: true, type: 'production' },
    });
    expect(prod.status).toBe(201);
    expect(prod.body).toMatchObject({ name: 'Live', isProduction: true, type: 'production' });
  });

  it('refuses an invalid environment name and writes nothing', async () => {
    for (const name of ['a', 'x'.repeat(66), 'bad/name', ' leading', 'trailing ', 'ünïcode']) {
      const res = await cp.request('POST', envs(tenant), { token: tenant.token, json: { name, type: 'sandbox' } });
      expect({ name, status: res.status, body: res.body }).toEqual({
        name,
        status: 400,
        body: {
          status: 400,
          name: 'BadRequestError',
          code: 'VALIDATION_FAILED',
          message: 'body.name: must be alpha-numeric and between 2 & 65 characters',
          errors: [
            {
              path: '/body/name',
              message: 'must be alpha-numeric and between 2 & 65 characters',
              errorCode: 'invalid_format.validation',
            },
          ],
        },
      });
    }
    const longest = await cp.request('POST', envs(tenant), {
      token: tenant.token,
      json: { name: 'y'.repeat(65), type: 'sandbox' },
    });
    expect(longest.status).toBe(201);
    expect(
      await testPrisma().environment.count({ where: { organizationId: tenant.organizationId, name: { in: ['a', 'bad/name'] } } }),
    ).toBe(0);
  });

  it('names wrong types, unknown enum values and inconsistent isProduction', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'Dev' }, 'body.type: must be one of production, sandbox, design'],
      [{ name: 'Dev', type: 'staging' }, 'body.type: must be one of production, sandbox, design'],
      [{ name: 'Dev', type: 'sandbox', isProduction: 'true' }, 'body.isProduction: must be true or false'],
      [{ name: 'Dev', type: 'sandbox', isProduction: true }, 'body.isProduction: must be true exactly when type is production'],
      [{ name: 42, type: 'sandbox' }, 'body.name: must be alpha-numeric and between 2 & 65 characters'],
      [{ type: 'sandbox' }, 'body.name: is required and must be alpha-numeric and between 2 & 65 characters'],
    ];
    for (const [json, message] of cases) {
      const res = await cp.request('POST', envs(tenant), { token: tenant.token, json });
      expect({ json, status: res.status, body: res.body }).toEqual({ json, status: 400, body: validation(message) });
    }
    const malformed = await cp.request('POST', envs(tenant), { token: tenant.token, raw: '{"name":"Dev",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_BODY');
    expect(await testPrisma().environment.count({ where: { organizationId: tenant.organizationId, name: 'Dev' } })).toBe(0);
  });

  it('refuses a duplicate name in the same organization with 409', async () => {
    const res = await cp.request('POST', envs(tenant), { token: tenant.token, json: { name: 'Sandbox', type: 'sandbox' } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      status: 409,
      name: 'ConflictError',
      code: 'ENVIRONMENT_ALREADY_EXISTS',
      message: `An environment named Sandbox already exists in organization ${tenant.organizationId}`,
    });
    expect(await testPrisma().environment.count({ where: { organizationId: tenant.organizationId, name: 'Sandbox' } })).toBe(1);
  });

  it('renames an environment; type and isProduction cannot change', async () => {
    const t = await newTenant(cp);
    const sandbox = await row(t.sandboxId);
    const otherClient = await cp.request('PUT', `${envs(t)}/${t.sandboxId}`, {
      token: t.token,
      json: { name: 'Dev', clientId: 'another-client-id' },
    });
    expect(otherClient.status).toBe(400);
    expect(otherClient.body.message).toBe(
      `body.clientId: cannot be changed (it is ${sandbox.clientId}); only the name of an environment can change`,
    );
    expect(await row(t.sandboxId)).toEqual(sandbox);
    // what GET answered may be sent back as it is (a read-modify-write client)
    const res = await cp.request('PUT', `${envs(t)}/${t.sandboxId}`, {
      token: t.token,
      json: { ...sandbox, name: 'Dev' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...(await row(t.sandboxId)), name: 'Dev' });

    const retype = await cp.request('PUT', `${envs(t)}/${t.sandboxId}`, { token: t.token, json: { type: 'production' } });
    expect(retype.status).toBe(400);
    expect(retype.body).toEqual({
      status: 400,
      name: 'BadRequestError',
      code: 'VALIDATION_FAILED',
      message: 'body.type: cannot be changed (it is sandbox); only the name of an environment can change',
      errors: [
        {
          path: '/body/type',
          message: 'cannot be changed (it is sandbox); only the name of an environment can change',
          errorCode: 'immutable.validation',
        },
      ],
    });
    const reprod = await cp.request('PUT', `${envs(t)}/${t.sandboxId}`, {
      token: t.token,
      json: { name: 'Other', isProduction: true },
    });
    expect(reprod.status).toBe(400);
    expect(reprod.body.message).toBe(
      'body.isProduction: cannot be changed (it is false); only the name of an environment can change',
    );
    expect((await row(t.sandboxId)).name).toBe('Dev');

    const taken = await cp.request('PUT', `${envs(t)}/${t.sandboxId}`, { token: t.token, json: { name: 'Production' } });
    expect(taken.status).toBe(409);
    expect(taken.body.message).toBe(`An environment named Production already exists in organization ${t.organizationId}`);

    const badName = await cp.request('PUT', `${envs(t)}/${t.sandboxId}`, { token: t.token, json: { name: 'x' } });
    expect(badName.status).toBe(400);
    expect(badName.body.message).toBe('body.name: must be alpha-numeric and between 2 & 65 characters');
  });

  it('deletes an environment with the grants narrowed to it', async () => {
    const t = await newTenant(cp);
    const narrowed = await newUser(cp, t.organizationId, ['manage:api_policies'], t.sandboxId);
    const res = await cp.request('DELETE', `${envs(t)}/${t.sandboxId}`, { token: t.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await testPrisma().environment.count({ where: { id: t.sandboxId } })).toBe(0);
    expect(await testPrisma().permissionGrant.count({ where: { userId: narrowed.id } })).toBe(0);
    const gone = await cp.request('GET', `${envs(t)}/${t.sandboxId}`, { token: t.token });
    expect(gone.status).toBe(404);
  });

  it('refuses to delete an environment holding API instances or gateway targets', async () => {
    const t = await newTenant(cp);
    await testPrisma().gatewayTarget.create({
      data: { organizationId: t.organizationId, environmentId: t.sandboxId, name: uniqueName('gw') },
    });
    const res = await cp.request('DELETE', `${envs(t)}/${t.sandboxId}`, { token: t.token });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      status: 409,
      name: 'ConflictError',
      code: 'ENVIRONMENT_IN_USE',
      message: `Environment ${t.sandboxId} still has 1 gateway target; delete them first`,
    });

    await testPrisma().apiInstance.create({
      data: {
        organizationId: t.organizationId,
        environmentId: t.productionId,
        groupId: t.organizationId,
        assetId: uniqueName('asset'),
        assetVersion: '1.0.0',
        productVersion: 'v1',
        technology: 'flexGateway',
      },
    });
    const api = await cp.request('DELETE', `${envs(t)}/${t.productionId}`, { token: t.token });
    expect(api.status).toBe(409);
    expect(api.body.message).toBe(`Environment ${t.productionId} still has 1 API instance; delete them first`);
    expect(await testPrisma().environment.count({ where: { organizationId: t.organizationId } })).toBe(2);
  });

  it('refuses every write to a caller without admin:organization with 403', async () => {
    const viewer = await newUser(cp, tenant.organizationId, ['read:orgenvironments', 'manage:api_configuration']);
    const forbidden = {
      status: 403,
      name: 'ForbiddenError',
      code: 'FORBIDDEN',
      message: `You need the Organization Administrator permission (admin:organization) in organization ${tenant.organizationId}`,
    };
    const create = await cp.request('POST', envs(tenant), { token: viewer.token, json: { name: 'Forbidden', type: 'sandbox' } });
    expect(create.status).toBe(403);
    expect(create.body).toEqual(forbidden);
    for (const method of ['PUT', 'DELETE']) {
      const res = await cp.request(method, `${envs(tenant)}/${tenant.sandboxId}`, {
        token: viewer.token,
        ...(method === 'PUT' && { json: { name: 'Forbidden' } }),
      });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        ...forbidden,
        message: `You need the Organization Administrator permission (admin:organization) in environment ${tenant.sandboxId}`,
      });
    }
    expect(await row(tenant.sandboxId)).toMatchObject({ name: 'Sandbox' });
    expect(await testPrisma().environment.count({ where: { organizationId: tenant.organizationId, name: 'Forbidden' } })).toBe(0);
  });

  it('answers another tenant’s organization or environment and non-UUID ids with 404', async () => {
    const foreignOrg = await cp.request('GET', envs(other), { token: tenant.token });
    expect(foreignOrg.status).toBe(404);
    expect(foreignOrg.body).toEqual({
      status: 404,
      name: 'NotFoundError',
      code: 'ORGANIZATION_NOT_FOUND',
      message: `Organization ${other.organizationId} not found`,
    });

    const create = await cp.request('POST', envs(other), { token: tenant.token, json: { name: 'Sneaky', type: 'sandbox' } });
    expect(create.status).toBe(404);
    expect(await testPrisma().environment.count({ where: { organizationId: other.organizationId, name: 'Sneaky' } })).toBe(0);

    for (const envId of [other.sandboxId, randomUUID(), 'not-a-uuid']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await cp.request(method, `${envs(tenant)}/${envId}`, {
          token: tenant.token,
          ...(method === 'PUT' && { json: { name: 'Stolen' } }),
        });
        expect({ envId, method, status: res.status, body: res.body }).toEqual({
          envId,
          method,
          status: 404,
          body: {
            status: 404,
            name: 'NotFoundError',
            code: 'ENVIRONMENT_NOT_FOUND',
            message: `Environment ${envId} not found in organization ${tenant.organizationId}`,
          },
        });
      }
    }
    expect((await row(other.sandboxId)).name).toBe('Sandbox');
    expect((await cp.request('GET', envs('nope'), { token: tenant.token })).body.message).toBe('Organization nope not found');
  });
});
