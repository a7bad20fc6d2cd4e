import { randomUUID } from 'node:crypto';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, uniqueName, type TestTenant } from '../../test/support/factories.js';

describe('users and their permissions', () => {
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

  const users = (orgId: string) => `/accounts/api/organizations/${orgId}/users`;
  const createUser = async (json: Record<string, unknown> = {}, t: TestTenant = tenant) => {
    const res = await cp.request('POST', users(t.organizationId), {
      token: t.token,
      json: { username: uniqueName('u'), password: 'long-enough-1', ...json },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; username: string };
  };
  const grantsOf = async (userId: string) =>
    (await testPrisma().permissionGrant.findMany({ where: { userId }, orderBy: [{ scope: 'asc' }] })).map((g) => [
      g.scope,
      g.organizationId,
      g.environmentId,
    ]);

  it('creates a user who can log in, with permissions given by scope string or UI name', async () => {
    const username = uniqueName('alice');
    const res = await cp.request('POST', users(tenant.organizationId), {
      token: tenant.token,
      json: {
        username,
        password: 'alice-password',
        firstName: 'Alice',
        lastName: 'Liddell',
        email: 'alice@example.com',
        scopes: [
          'read:exchange',
          { scope: 'Manage Policies', context_params: { org: tenant.organizationId, envId: tenant.sandboxId } },
          { scope: 'View APIs Configuration' },
        ],
      },
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      username,
      firstName: 'Alice',
      lastName: 'Liddell',
      email: 'alice@example.com',
      enabled: true,
      deleted: false,
      idprovider_id: 'portico',
      type: 'host',
      organizationId: tenant.organizationId,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await grantsOf(res.body.id)).toEqual([
      ['manage:api_policies', tenant.organizationId, tenant.sandboxId],
      ['read:api_configuration', tenant.organizationId, null],
      ['read:exchange', tenant.organizationId, null],
    ]);
    const stored = await testPrisma().user.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain('alice-password');
    expect(await cp.login(username, 'alice-password')).toEqual(expect.any(String));
  });

  it('lists and reads users without any password hash', async () => {
    const t = await newTenant(cp);
    const created = await createUser({ firstName: 'Bob' }, t);
    const list = await cp.request('GET', users(t.organizationId), { token: t.token });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.data.map((u: { username: string }) => u.username)).toEqual([t.username, created.username]);
    expect(list.text).not.toMatch(/password|scrypt/i);

    const paged = await cp.request('GET', `${users(t.organizationId)}?offset=1&limit=1`, { token: t.token });
    expect(paged.body).toEqual({ data: [expect.objectContaining({ id: created.id })], total: 2 });

    const one = await cp.request('GET', `${users(t.organizationId)}/${created.id}`, { token: t.token });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(list.body.data[1]);
    expect(one.text).not.toMatch(/password|scrypt/i);

    const badLimit = await cp.request('GET', `${users(t.organizationId)}?limit=1000`, { token: t.token });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.message).toBe('query.limit: must be an integer between 1 and 500');
  });

  it('names a bad user body and writes nothing', async () => {
    const username = uniqueName('bad');
    const cases: [unknown, string][] = [
      [{ username, password: 'short' }, 'body.password: must have at least 8 characters'],
      [{ username }, 'body.password: is required'],
      [{ username: 'a b', password: 'long-enough-1' }, 'body.username: must be 3 to 128 letters, digits or . _ @ + -'],
      [{ username, password: 12345678 }, 'body.password: must be a string'],
      [{ username, password: 'long-enough-1', email: 'not-an-email' }, 'body.email: must be an email address'],
      [{ username, password: 'long-enough-1', scopes: 'read:exchange' }, 'body.scopes: must be an array of scopes'],
      [{ username, password: 'long-enough-1', scopes: [{ context_params: {} }] }, 'body.scopes.0.scope: is required'],
      [
        { username, password: 'long-enough-1', scopes: [{ scope: 'read:exchange', context_params: 'org' }] },
        'body.scopes.0.context_params: must be an object {org, envId?}',
      ],
      [{ username, password: 'long-enough-1', scopes: [42] }, 'body.scopes.0: must be a scope string or {scope, context_params}'],
    ];
    for (const [json, message] of cases) {
      const res = await cp.request('POST', users(tenant.organizationId), { token: tenant.token, json });
      expect({ json, status: res.status, code: res.body.code, message: res.body.message }).toEqual({
        json,
        status: 400,
        code: 'VALIDATION_FAILED',
        message,
      });
    }
    const malformed = await cp.request('POST', users(tenant.organizationId), {
      token: tenant.token,
      raw: `{"username":"${username}"`,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_BODY');
    expect(await testPrisma().user.count({ where: { username } })).toBe(0);
  });

  it('refuses an unknown scope with SCOPE_UNKNOWN naming it, and writes nothing', async () => {
    const username = uniqueName('u');
    const res = await cp.request('POST', users(tenant.organizationId), {
      token: tenant.token,
      json: { username, password: 'long-enough-1', scopes: ['read:exchange', 'Manage Everything'] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      status: 400,
      name: 'BadRequestError',
      code: 'SCOPE_UNKNOWN',
      message: 'Unknown scope: Manage Everything (GET /accounts/api/permissions lists them)',
    });
    expect(await testPrisma().user.count({ where: { username } })).toBe(0);
  });

  it('checks the organization and environment of every requested grant', async () => {
    const username = uniqueName('u');
    const post = (context_params: object) =>
      cp.request('POST', users(tenant.organizationId), {
        token: tenant.token,
        json: { username, password: 'long-enough-1', scopes: [{ scope: 'read:exchange', context_params }] },
      });

    const foreign = await post({ org: other.organizationId });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({
      status: 404,
      name: 'NotFoundError',
      code: 'ORGANIZATION_NOT_FOUND',
      message: `Organization ${other.organizationId} not found`,
    });

    const foreignEnv = await post({ org: tenant.organizationId, envId: other.sandboxId });
    expect(foreignEnv.status).toBe(404);
    expect(foreignEnv.body).toEqual({
      status: 404,
      name: 'NotFoundError',
      code: 'ENVIRONMENT_NOT_FOUND',
      message: `Environment ${other.sandboxId} not found in organization ${tenant.organizationId}`,
    });

    const badEnv = await post({ envId: 'sandbox' });
    expect(badEnv.status).toBe(404);
    expect(badEnv.body.message).toBe(`Environment sandbox not found in organization ${tenant.organizationId}`);
    expect(await testPrisma().user.count({ where: { username } })).toBe(0);
  });

  it('refuses grants in a visible organization the caller does not administer with 403', async () => {
    const group = await cp.request('POST', '/accounts/api/organizations', {
      token: tenant.token,
      json: { name: uniqueName('bg'), parentOrganizationId: tenant.organizationId },
    });
    const groupAdmin = await newUser(cp, tenant.organizationId, []);
    await testPrisma().permissionGrant.create({
      data: { userId: groupAdmin.id, scope: 'admin:organization', organizationId: group.body.id },
    });
    const username = uniqueName('u');

    const res = await cp.request('POST', users(group.body.id), {
      token: groupAdmin.token,
      json: {
        username,
        password: 'long-enough-1',
        scopes: [{ scope: 'read:exchange', context_params: { org: tenant.organizationId } }],
      },
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      status: 403,
      name: 'ForbiddenError',
      code: 'FORBIDDEN',
      message: `You need the Organization Administrator permission (admin:organization) in organization ${tenant.organizationId}`,
    });
    expect(await testPrisma().user.count({ where: { username } })).toBe(0);

    const inGroup = await cp.request('POST', users(group.body.id), {
      token: groupAdmin.token,
      json: { username, password: 'long-enough-1', scopes: ['read:exchange'] },
    });
    expect(inGroup.status).toBe(201);
    expect(await grantsOf(inGroup.body.id)).toEqual([['read:exchange', group.body.id, null]]);
  });

  it('refuses a taken username with 409', async () => {
    const res = await cp.request('POST', users(tenant.organizationId), {
      token: tenant.token,
      json: { username: other.username, password: 'long-enough-1' },
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      status: 409,
      name: 'ConflictError',
      code: 'USER_ALREADY_EXISTS',
      message: `User with username ${other.username} already exists`,
    });
  });

  it('updates names, email and enabled; a disabled user cannot log in', async () => {
    const user = await createUser();
    const renamed = await cp.request('PUT', `${users(tenant.organizationId)}/${user.id}`, {
      token: tenant.token,
      json: { firstName: 'Carol', username: 'renamed-user' },
    });
    expect(renamed.status).toBe(400);
    expect(renamed.body.message).toBe(
      `body.username: cannot be changed (it is ${user.username}); the username of a user cannot change`,
    );
    expect((await testPrisma().user.findUniqueOrThrow({ where: { id: user.id } })).firstName).not.toBe('Carol');

    const res = await cp.request('PUT', `${users(tenant.organizationId)}/${user.id}`, {
      token: tenant.token,
      json: { firstName: 'Carol', lastName: 'Danvers', email: 'carol@example.com', enabled: false, username: user.username },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: user.id,
      username: user.username,
      firstName: 'Carol',
      lastName: 'Danvers',
      email: 'carol@example.com',
      enabled: false,
    });

    const login = await cp.request('POST', '/accounts/login', { json: { username: user.username, password: 'long-enough-1' } });
    expect(login.status).toBe(403);
    expect(login.body).toEqual({ status: 403, name: 'ForbiddenError', code: 'USER_DISABLED', message: 'User is disabled' });

    const enabled = await cp.request('PUT', `${users(tenant.organizationId)}/${user.id}`, {
      token: tenant.token,
      json: { enabled: true },
    });
    expect(enabled.body.enabled).toBe(true);
    expect(await cp.login(user.username, 'long-enough-1')).toEqual(expect.any(String));

    const bad = await cp.request('PUT', `${users(tenant.organizationId)}/${user.id}`, {
      token: tenant.token,
      json: { enabled: 'no' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('body.enabled: must be true or false');
  });

  it('changes the password and revokes the tokens issued before', async () => {
    const user = await createUser();
    const oldToken = await cp.login(user.username, 'long-enough-1');
    const res = await cp.request('PUT', `${users(tenant.organizationId)}/${user.id}`, {
      token: tenant.token,
      json: { password: 'brand-new-secret' },
    });
    expect(res.status).toBe(200);
    expect((await cp.request('GET', '/accounts/api/me', { token: oldToken })).status).toBe(401);
    expect(
      (await cp.request('POST', '/accounts/login', { json: { username: user.username, password: 'long-enough-1' } })).status,
    ).toBe(401);
    expect(await cp.login(user.username, 'brand-new-secret')).toEqual(expect.any(String));

    const short = await cp.request('PUT', `${users(tenant.organizationId)}/${user.id}`, {
      token: tenant.token,
      json: { password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.message).toBe('body.password: must have at least 8 characters');
  });

  it('refuses to let users disable or delete themselves', async () => {
    const admin = await newUser(cp, tenant.organizationId, ['admin:organization']);
    const disable = await cp.request('PUT', `${users(tenant.organizationId)}/${admin.id}`, {
      token: admin.token,
      json: { enabled: false },
    });
    expect(disable.status).toBe(409);
    expect(disable.body).toEqual({
      status: 409,
      name: 'ConflictError',
      code: 'USER_IS_CALLER',
      message: 'You cannot disable your own user',
    });
    const remove = await cp.request('DELETE', `${users(tenant.organizationId)}/${admin.id}`, { token: admin.token });
    expect(remove.status).toBe(409);
    expect(remove.body).toEqual({
      status: 409,
      name: 'ConflictError',
      code: 'USER_IS_CALLER',
      message: 'You cannot delete your own user',
    });
    expect(await testPrisma().user.count({ where: { id: admin.id, enabled: true } })).toBe(1);
  });

  it('deletes a user with its tokens and grants', async () => {
    const user = await createUser({ scopes: ['read:exchange'] });
    const token = await cp.login(user.username, 'long-enough-1');
    const res = await cp.request('DELETE', `${users(tenant.organizationId)}/${user.id}`, { token: tenant.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await testPrisma().user.count({ where: { id: user.id } })).toBe(0);
    expect(await testPrisma().accessToken.count({ where: { userId: user.id } })).toBe(0);
    expect(await testPrisma().permissionGrant.count({ where: { userId: user.id } })).toBe(0);
    expect((await cp.request('GET', '/accounts/api/me', { token })).status).toBe(401);
    expect((await cp.request('GET', `${users(tenant.organizationId)}/${user.id}`, { token: tenant.token })).status).toBe(404);
  });

  it('lists, replaces and adds permissions', async () => {
    const user = await createUser({ scopes: ['read:exchange'] });
    const scopes = `${users(tenant.organizationId)}/${user.id}/scopes`;

    const initial = await cp.request('GET', scopes, { token: tenant.token });
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({ scopes: [{ scope: 'read:exchange', context_params: { org: tenant.organizationId } }] });

    const replaced = await cp.request('PUT', scopes, {
      token: tenant.token,
      json: {
        scopes: [
          { scope: 'manage:api_policies', context_params: { org: tenant.organizationId, envId: tenant.productionId } },
          { scope: 'Deploy API Proxies' },
        ],
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({
      scopes: [
        { scope: 'manage:api_proxies', context_params: { org: tenant.organizationId } },
        { scope: 'manage:api_policies', context_params: { org: tenant.organizationId, envId: tenant.productionId } },
      ],
    });
    expect(await grantsOf(user.id)).toEqual([
      ['manage:api_policies', tenant.organizationId, tenant.productionId],
      ['manage:api_proxies', tenant.organizationId, null],
    ]);

    const added = await cp.request('PATCH', scopes, {
      token: tenant.token,
      json: { scopes: ['manage:api_proxies', 'read:servers'] },
    });
    expect(added.status).toBe(200);
    expect(await grantsOf(user.id)).toEqual([
      ['manage:api_policies', tenant.organizationId, tenant.productionId],
      ['manage:api_proxies', tenant.organizationId, null],
      ['read:servers', tenant.organizationId, null],
    ]);

    const unknown = await cp.request('PATCH', scopes, {
      token: tenant.token,
      json: { scopes: ['read:servers', 'write:everything'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('Unknown scope: write:everything (GET /accounts/api/permissions lists them)');
    const notArray = await cp.request('PUT', scopes, { token: tenant.token, json: { scopes: { scope: 'read:servers' } } });
    expect(notArray.status).toBe(400);
    expect(notArray.body.message).toBe('body.scopes: must be an array of scopes');
    expect(await grantsOf(user.id)).toHaveLength(3);

    const cleared = await cp.request('PUT', scopes, { token: tenant.token, json: { scopes: [] } });
    expect(cleared.body).toEqual({ scopes: [] });
  });

  it('does not let an administrator of a business group strip grants given elsewhere', async () => {
    const group = await cp.request('POST', '/accounts/api/organizations', {
      token: tenant.token,
      json: { name: uniqueName('bg'), parentOrganizationId: tenant.organizationId },
    });
    const groupAdmin = await newUser(cp, group.body.id, ['admin:organization']);
    const member = await newUser(cp, group.body.id, ['read:exchange']);
    await testPrisma().permissionGrant.create({
      data: { userId: member.id, scope: 'read:servers', organizationId: tenant.organizationId },
    });

    const res = await cp.request('PUT', `${users(group.body.id)}/${member.id}/scopes`, {
      token: groupAdmin.token,
      json: { scopes: [] },
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      `You need the Organization Administrator permission (admin:organization) in organization ${tenant.organizationId}`,
    );
    expect(await grantsOf(member.id)).toHaveLength(2);
  });

  it('lets only an administrator of every grant a member holds set its password, disable, enable or delete it', async () => {
    const group = await cp.request('POST', '/accounts/api/organizations', {
      token: tenant.token,
      json: { name: uniqueName('bg'), parentOrganizationId: tenant.organizationId },
    });
    const groupAdmin = await newUser(cp, group.body.id, ['admin:organization']);
    const member = await newUser(cp, group.body.id, ['read:exchange']);
    const granted = await cp.request('PATCH', `${users(group.body.id)}/${member.id}/scopes`, {
      token: tenant.token,
      json: { scopes: [{ scope: 'admin:organization', context_params: { org: tenant.organizationId } }] },
    });
    expect(granted.status).toBe(200);
    const memberUrl = `${users(group.body.id)}/${member.id}`;
    const stored = await testPrisma().user.findUniqueOrThrow({ where: { id: member.id } });

    const forbidden = {
      status: 403,
      name: 'ForbiddenError',
      code: 'FORBIDDEN',
      message: `You need the Organization Administrator permission (admin:organization) in organization ${tenant.organizationId}`,
    };
    const attacks: [string, unknown][] = [
      ['PUT', { password: 'taken-over-1' }],
      ['PUT', { enabled: false }],
      ['PUT', { firstName: 'Mallory', password: 'taken-over-1' }],
      ['DELETE', undefined],
    ];
    for (const [method, json] of attacks) {
      const res = await cp.request(method, memberUrl, { token: groupAdmin.token, ...(json !== undefined && { json }) });
      expect({ method, json, status: res.status, body: res.body }).toEqual({ method, json, status: 403, body: forbidden });
    }
    // nothing changed: same password, still enabled, its token still valid
    expect(await testPrisma().user.findUniqueOrThrow({ where: { id: member.id } })).toEqual(stored);
    expect((await cp.request('GET', '/accounts/api/me', { token: member.token })).status).toBe(200);
    expect(await cp.login(member.username, 'user-password-1')).toEqual(expect.any(String));

    // what the issue leaves to the group's administrator: names, email, and `enabled` sent back unchanged
    const renamed = await cp.request('PUT', memberUrl, {
      token: groupAdmin.token,
      json: { firstName: 'Bob', email: 'bob@example.com', enabled: true },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ firstName: 'Bob', email: 'bob@example.com', enabled: true });

    // a member holding grants in the group only stays the group administrator's to manage
    const local = await newUser(cp, group.body.id, ['read:exchange']);
    const localUrl = `${users(group.body.id)}/${local.id}`;
    expect((await cp.request('PUT', localUrl, { token: groupAdmin.token, json: { password: 'group-set-1' } })).status).toBe(200);
    expect((await cp.request('PUT', localUrl, { token: groupAdmin.token, json: { enabled: false } })).status).toBe(200);
    expect((await cp.request('DELETE', localUrl, { token: groupAdmin.token })).status).toBe(204);

    // the parent organization's administrator administers every grant the member holds
    const disabled = await cp.request('PUT', memberUrl, { token: tenant.token, json: { enabled: false } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.enabled).toBe(false);
    const reenabled = await cp.request('PUT', memberUrl, { token: tenant.token, json: { enabled: true } });
    expect(reenabled.body.enabled).toBe(true);
    const reset = await cp.request('PUT', memberUrl, { token: tenant.token, json: { password: 'parent-set-1' } });
    expect(reset.status).toBe(200);
    expect((await cp.request('GET', '/accounts/api/me', { token: member.token })).status).toBe(401);
    expect(await cp.login(member.username, 'parent-set-1')).toEqual(expect.any(String));
    expect((await cp.request('DELETE', memberUrl, { token: tenant.token })).status).toBe(204);
    expect(await testPrisma().user.count({ where: { id: member.id } })).toBe(0);
  });

  it('refuses every write to a caller without admin:organization, and reads without read:organization, with 403', async () => {
    const user = await createUser();
    const reader = await newUser(cp, tenant.organizationId, ['read:organization']);
    const nobody = await newUser(cp, tenant.organizationId, []);
    const base = users(tenant.organizationId);
    const writes: [string, string, unknown][] = [
      ['POST', base, { username: uniqueName('u'), password: 'long-enough-1' }],
      ['PUT', `${base}/${user.id}`, { firstName: 'Mallory' }],
      ['DELETE', `${base}/${user.id}`, undefined],
      ['PUT', `${base}/${user.id}/scopes`, { scopes: ['admin:organization'] }],
      ['PATCH', `${base}/${user.id}/scopes`, { scopes: ['admin:organization'] }],
    ];
    for (const [method, path, json] of writes) {
      const res = await cp.request(method, path, { token: reader.token, ...(json !== undefined && { json }) });
      expect({ method, path, status: res.status, body: res.body }).toEqual({
        method,
        path,
        status: 403,
        body: {
          status: 403,
          name: 'ForbiddenError',
          code: 'FORBIDDEN',
          message: `You need the Organization Administrator permission (admin:organization) in organization ${tenant.organizationId}`,
        },
      });
    }
    for (const path of [base, `${base}/${user.id}`, `${base}/${user.id}/scopes`]) {
      expect((await cp.request('GET', path, { token: reader.token })).status).toBe(200);
      const res = await cp.request('GET', path, { token: nobody.token });
      expect(res.status).toBe(403);
      expect(res.body.message).toBe(
        `You need the View Organization permission (read:organization) in organization ${tenant.organizationId}`,
      );
    }
    expect(await testPrisma().user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ firstName: '' });
    expect(await grantsOf(user.id)).toEqual([]);
  });

  it('answers users of another organization and non-UUID ids with 404', async () => {
    const t = await newTenant(cp);
    const theirs = await createUser({}, other);
    for (const userId of [theirs.id, randomUUID(), 'not-a-uuid']) {
      for (const [method, suffix, json] of [
        ['GET', '', undefined],
        ['PUT', '', { firstName: 'x' }],
        ['DELETE', '', undefined],
        ['GET', '/scopes', undefined],
        ['PUT', '/scopes', { scopes: [] }],
        ['PATCH', '/scopes', { scopes: ['read:exchange'] }],
      ] as const) {
        const res = await cp.request(method, `${users(t.organizationId)}/${userId}${suffix}`, {
          token: t.token,
          ...(json !== undefined && { json }),
        });
        expect({ method, suffix, status: res.status, body: res.body }).toEqual({
          method,
          suffix,
          status: 404,
          body: {
            status: 404,
            name: 'NotFoundError',
            code: 'USER_NOT_FOUND',
            message: `User ${userId} not found in organization ${t.organizationId}`,
          },
        });
      }
    }
    const foreignOrg = await cp.request('GET', users(other.organizationId), { token: t.token });
    expect(foreignOrg.status).toBe(404);
    expect(foreignOrg.body.code).toBe('ORGANIZATION_NOT_FOUND');
    expect(await testPrisma().user.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ firstName: '' });
  });
});
