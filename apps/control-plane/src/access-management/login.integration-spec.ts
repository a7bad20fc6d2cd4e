import { ADMIN_PASSWORD, ADMIN_USERNAME, startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, testPrisma } from '../../test/support/factories.js';

describe('login, token and me', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  it('logs in with username and password and returns a bearer token', async () => {
    const res = await cp.request('POST', '/accounts/login', { json: { username: ADMIN_USERNAME, password: ADMIN_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
  });

  it('answers a wrong password and an unknown user alike with 401', async () => {
    const wrong = await cp.request('POST', '/accounts/login', { json: { username: ADMIN_USERNAME, password: 'nope-nope' } });
    const unknown = await cp.request('POST', '/accounts/login', { json: { username: 'nobody-here', password: 'nope-nope' } });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        status: 401,
        name: 'UnauthorizedError',
        code: 'INVALID_CREDENTIALS',
        message: 'Invalid username or password',
      });
    }
  });

  it('names the missing field of a login body', async () => {
    const res = await cp.request('POST', '/accounts/login', { json: { username: 'admin' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toMatch(/^body\.password: /);
    expect(res.body.errors[0].path).toBe('/body/password');
  });

  it('gives the organization at $.user.organization.id', async () => {
    const tenant = await newTenant(cp);
    const res = await cp.request('GET', '/accounts/api/me', { token: tenant.token });
    expect(res.status).toBe(200);
    expect(res.body.user.organization.id).toBe(tenant.organizationId);
    expect(res.body.user.username).toBe(tenant.username);
  });

  it('rejects a missing, an unknown and an expired token with 401', async () => {
    const missing = await cp.request('GET', '/accounts/api/me');
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('UNAUTHENTICATED');

    const unknown = await cp.request('GET', '/accounts/api/me', { token: 'not-a-token' });
    expect(unknown.status).toBe(401);

    const tenant = await newTenant(cp);
    await testPrisma().accessToken.updateMany({
      where: { user: { username: tenant.username } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await cp.request('GET', '/accounts/api/me', { token: tenant.token });
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ code: 'TOKEN_EXPIRED', message: 'The access token has expired' });
  });

  it('revokes the token on logout', async () => {
    const tenant = await newTenant(cp);
    expect((await cp.request('POST', '/accounts/api/logout', { token: tenant.token })).status).toBe(204);
    expect((await cp.request('GET', '/accounts/api/me', { token: tenant.token })).status).toBe(401);
  });

  it('answers malformed JSON with 400 and no stack trace', async () => {
    const res = await cp.request('POST', '/accounts/login', { raw: '{"username": ' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_BODY');
    expect(res.text).not.toMatch(/at .*\.js:\d+/);
  });
});
