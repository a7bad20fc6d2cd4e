/**
 * A query parameter a route does not take is refused by name (never dropped), after
 * authentication and before anything runs.
 */
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, type TestTenant } from '../../test/support/factories.js';

describe('query parameters', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  it('refuses any query parameter on a route that takes none, naming it', async () => {
    const res = await cp.request('GET', '/accounts/api/me?organizationId=x', { token: tenant.token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      status: 400,
      name: 'BadRequestError',
      code: 'VALIDATION_FAILED',
      message: 'query.organizationId: is not a query parameter of this route (it takes none)',
      errors: [
        {
          path: '/query/organizationId',
          message: 'is not a query parameter of this route (it takes none)',
          errorCode: 'unrecognized_keys.validation',
        },
      ],
    });
  });

  it('lists every unknown parameter and names what the route takes', async () => {
    const res = await cp.request('GET', `/accounts/api/organizations/${tenant.organizationId}/environments?nme=Sandbox&size=1`, {
      token: tenant.token,
    });
    expect(res.status).toBe(400);
    const takes = '(it takes name, isProduction, type, search, offset, limit)';
    expect(res.body.message).toBe(`query.nme: is not a query parameter of this route ${takes}`);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['/query/nme', '/query/size']);
  });

  it('authenticates first: no token is 401 whatever the query', async () => {
    const res = await cp.request('GET', '/accounts/api/me?unknown=1');
    expect(res.status).toBe(401);
  });

  it('lets through the parameters a route takes', async () => {
    const res = await cp.request('GET', `/accounts/api/organizations/${tenant.organizationId}/environments?name=Sandbox`, {
      token: tenant.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: { name: string }) => e.name)).toEqual(['Sandbox']);
  });
});
