import { ADMIN_PASSWORD, ADMIN_USERNAME, startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, testPrisma, uniqueName } from '../../test/support/factories.js';

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

  it('refuses a username longer than 256 characters with 400 naming the field', async () => {
    const res = await cp.request('POST', '/accounts/login', { json: { username: 'a'.repeat(257), password: 'nope-nope' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: 'body.username: must have at most 256 characters' });
  });

  it('gives the organization at $.user.organization.id', async () => {
    const tenant = await newTenant(cp);
    const res = await cp.request('GET', '/accounts/api/me', { token: tenant.token });
    expect(res.status).toBe(200);
    expect(res.body.user.organization.id).toBe(tenant.organizationId);
    expect(res.body.user.username).toBe(tenant.username);
  });

  it('gives the account at the top level of /accounts/api/users/me, as anypoint-cli-v4 reads it', async () => {
    const tenant = await newTenant(cp);
    const group = await cp.request('POST', '/accounts/api/organizations', {
      token: tenant.token,
      json: { name: uniqueName('bg'), parentOrganizationId: tenant.organizationId },
    });
    expect(group.status).toBe(201);
    const user = await testPrisma().user.findFirstOrThrow({ where: { username: tenant.username } });
    const org = await testPrisma().organization.findUniqueOrThrow({ where: { id: tenant.organizationId } });
    const res = await cp.request('GET', '/accounts/api/users/me', { token: tenant.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: user.id,
      username: tenant.username,
      firstName: user.firstName,
      lastName: user.lastName,
      email: user.email,
      createdAt: user.createdAt.toISOString(),
      organizationId: tenant.organizationId,
      organization: { id: tenant.organizationId, isRoot: true },
      organizationPreferences: {},
      memberOfOrganizations: [
        { id: org.id, name: org.name, parentId: null, isRoot: true, isMaster: true, clientId: org.clientId },
        {
          id: group.body.id,
          name: group.body.name,
          parentId: org.id,
          isRoot: false,
          isMaster: false,
          clientId: group.body.clientId,
        },
      ],
    });
    expect(res.text).not.toContain('passwordHash');
  });

  it("answers /accounts/api/users/me for a connected app's token with the app as the account", async () => {
    const tenant = await newTenant(cp);
    const app = await cp.request('POST', '/accounts/api/connectedApplications', {
      token: tenant.token,
      json: { client_name: uniqueName('ci'), grant_types: ['client_credentials'] },
    });
    const token = await cp.request('POST', '/accounts/api/v2/oauth2/token', {
      json: { grant_type: 'client_credentials', client_id: app.body.client_id, client_secret: app.body.client_secret },
    });
    const res = await cp.request('GET', '/accounts/api/users/me', { token: token.body.access_token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: app.body.client_id,
      username: app.body.client_name,
      organizationId: tenant.organizationId,
      memberOfOrganizations: [expect.objectContaining({ id: tenant.organizationId, isRoot: true })],
    });
    expect(res.text).not.toContain(app.body.client_secret);
    expect((await cp.request('GET', '/accounts/api/users/me')).status).toBe(401);
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
