import { randomUUID } from 'node:crypto';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, uniqueName, type TestTenant } from '../../test/support/factories.js';

const ORGS = '/accounts/api/organizations';

describe('organizations and business groups', () => {
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

  const createGroup = async (parentId: string, token = tenant.token, name = uniqueName('bg')) => {
    const res = await cp.request('POST', ORGS, { token, json: { name, parentOrganizationId: parentId } });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string };
  };

  it('returns the organization with its business groups and its environments', async () => {
    const group = await createGroup(tenant.organizationId);
    const org = await testPrisma().organization.findUniqueOrThrow({ where: { id: tenant.organizationId } });

    const res = await cp.request('GET', `${ORGS}/${tenant.organizationId}`, { token: tenant.token });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: org.id,
      name: org.name,
      domain: null,
      clientId: org.clientId,
      parentId: null,
      parentOrganizationIds: [],
      subOrganizationIds: [group.id],
      tenantOrganizationIds: [],
      isRoot: true,
      isMaster: true,
      createdAt: org.createdAt.toISOString(),
      updatedAt: expect.any(String),
      entitlements: { apis: { enabled: true }, gateways: { assigned: 0 } },
      // the organization's environments, as its environments list gives them
      environments: (await cp.request('GET', `${ORGS}/${org.id}/environments`, { token: tenant.token })).body.data,
    });
    expect(res.body.environments.map((e: { name: string }) => e.name)).toEqual(['Sandbox', 'Production']);
  });

  it('creates nested business groups listing every ancestor, root first', async () => {
    const group = await createGroup(tenant.organizationId);
    const name = uniqueName('nested');

    const res = await cp.request('POST', ORGS, {
      token: tenant.token,
      json: { name, parentOrganizationId: group.id, entitlements: { vCoresProduction: { assigned: 0 } } },
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name,
      domain: null,
      clientId: expect.stringMatching(/^[0-9a-f]{32}$/),
      parentId: group.id,
      parentOrganizationIds: [tenant.organizationId, group.id],
      subOrganizationIds: [],
      tenantOrganizationIds: [],
      isRoot: false,
      isMaster: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      entitlements: { apis: { enabled: true }, gateways: { assigned: 0 } },
    });
    expect(await testPrisma().environment.count({ where: { organizationId: res.body.id } })).toBe(0);
    const parent = await cp.request('GET', `${ORGS}/${group.id}`, { token: tenant.token });
    expect(parent.body.subOrganizationIds).toEqual([res.body.id]);
  });

  it('makes ownerId the Organization Administrator of the new business group', async () => {
    const owner = await newUser(cp, tenant.organizationId, []);
    const res = await cp.request('POST', ORGS, {
      token: tenant.token,
      json: { name: uniqueName('owned'), parentOrganizationId: tenant.organizationId, ownerId: owner.id },
    });
    expect(res.status).toBe(201);
    const grants = await testPrisma().permissionGrant.findMany({ where: { userId: owner.id } });
    expect(grants.map((g) => [g.scope, g.organizationId, g.environmentId])).toEqual([['admin:organization', res.body.id, null]]);
    const asOwner = await cp.request('PUT', `${ORGS}/${res.body.id}`, {
      token: owner.token,
      json: { name: uniqueName('renamed') },
    });
    expect(asOwner.status).toBe(200);
  });

  it('answers an unknown or foreign ownerId with 404 and creates nothing', async () => {
    for (const ownerId of [randomUUID(), other.organizationId, 'not-a-user']) {
      const name = uniqueName('bg');
      const res = await cp.request('POST', ORGS, {
        token: tenant.token,
        json: { name, parentOrganizationId: tenant.organizationId, ownerId },
      });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        status: 404,
        name: 'NotFoundError',
        code: 'USER_NOT_FOUND',
        message: `User ${ownerId} not found`,
      });
      expect(await testPrisma().organization.count({ where: { name } })).toBe(0);
    }
  });

  it('refuses to create a root organization', async () => {
    const name = uniqueName('root');
    const res = await cp.request('POST', ORGS, { token: tenant.token, json: { name } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      status: 400,
      name: 'BadRequestError',
      code: 'VALIDATION_FAILED',
      message: 'body.parentOrganizationId: is required (root organizations cannot be created through the API)',
      errors: [
        {
          path: '/body/parentOrganizationId',
          message: 'is required (root organizations cannot be created through the API)',
          errorCode: 'invalid_type.validation',
        },
      ],
    });
    expect(await testPrisma().organization.count({ where: { name } })).toBe(0);
  });

  it('answers a parent of another tenant, an unknown one and a non-UUID one with 404', async () => {
    for (const parent of [other.organizationId, randomUUID(), 'nope']) {
      const name = uniqueName('bg');
      const res = await cp.request('POST', ORGS, { token: tenant.token, json: { name, parentOrganizationId: parent } });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        status: 404,
        name: 'NotFoundError',
        code: 'ORGANIZATION_NOT_FOUND',
        message: `Organization ${parent} not found`,
      });
      expect(await testPrisma().organization.count({ where: { name } })).toBe(0);
    }
  });

  it('refuses every write to a caller without admin:organization with 403', async () => {
    const viewer = await newUser(cp, tenant.organizationId, ['read:organization']);
    const group = await createGroup(tenant.organizationId);
    const forbidden = {
      status: 403,
      name: 'ForbiddenError',
      code: 'FORBIDDEN',
      message: `You need the Organization Administrator permission (admin:organization) in organization ${tenant.organizationId}`,
    };
    const name = uniqueName('bg');
    const create = await cp.request('POST', ORGS, {
      token: viewer.token,
      json: { name, parentOrganizationId: tenant.organizationId },
    });
    expect(create.status).toBe(403);
    expect(create.body).toEqual(forbidden);
    expect(await testPrisma().organization.count({ where: { name } })).toBe(0);

    const rename = await cp.request('PUT', `${ORGS}/${tenant.organizationId}`, { token: viewer.token, json: { name } });
    expect(rename.status).toBe(403);
    expect(rename.body).toEqual(forbidden);

    const remove = await cp.request('DELETE', `${ORGS}/${group.id}`, { token: viewer.token });
    expect(remove.status).toBe(403);
    expect(remove.body.message).toBe(
      `You need the Organization Administrator permission (admin:organization) in organization ${group.id}`,
    );
    expect(await testPrisma().organization.count({ where: { id: group.id } })).toBe(1);
  });

  it('refuses a business-group name its siblings already use, ignoring case', async () => {
    const first = await createGroup(tenant.organizationId);
    const res = await cp.request('POST', ORGS, {
      token: tenant.token,
      json: { name: first.name.toUpperCase(), parentOrganizationId: tenant.organizationId },
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      status: 409,
      name: 'ConflictError',
      code: 'ORGANIZATION_ALREADY_EXISTS',
      message: `A business group named ${first.name.toUpperCase()} already exists in organization ${tenant.organizationId}`,
    });

    const second = await createGroup(tenant.organizationId);
    const rename = await cp.request('PUT', `${ORGS}/${second.id}`, { token: tenant.token, json: { name: first.name } });
    expect(rename.status).toBe(409);
    expect(rename.body.code).toBe('ORGANIZATION_ALREADY_EXISTS');
  });

  it('renames an organization; its parent may be sent back but never changes', async () => {
    const group = await createGroup(tenant.organizationId);
    const moved = await cp.request('PUT', `${ORGS}/${group.id}`, {
      token: tenant.token,
      json: { name: uniqueName('moved'), parentOrganizationId: other.organizationId },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toBe(
      `body.parentOrganizationId: cannot be changed (it is ${tenant.organizationId}); business groups cannot move`,
    );
    expect((await testPrisma().organization.findUniqueOrThrow({ where: { id: group.id } })).name).toBe(group.name);

    const name = uniqueName('renamed');
    const res = await cp.request('PUT', `${ORGS}/${group.id}`, {
      token: tenant.token,
      json: { name, parentOrganizationId: tenant.organizationId, id: group.id },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: group.id,
      name,
      parentId: tenant.organizationId,
      parentOrganizationIds: [tenant.organizationId],
    });
  });

  it('names the problem in a bad body and writes nothing', async () => {
    const malformed = await cp.request('POST', ORGS, { token: tenant.token, raw: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_BODY');

    const wrongType = await cp.request('POST', ORGS, {
      token: tenant.token,
      json: { name: 5, parentOrganizationId: tenant.organizationId },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toBe('body.name: must be a string');

    const blank = await cp.request('PUT', `${ORGS}/${tenant.organizationId}`, { token: tenant.token, json: { name: '  ' } });
    expect(blank.status).toBe(400);
    expect(blank.body.message).toBe('body.name: is required');

    const notObject = await cp.request('POST', ORGS, { token: tenant.token, json: ['x'] });
    expect(notObject.status).toBe(400);
    expect(notObject.body.message).toBe('body: must be an object');
    expect(await testPrisma().organization.count({ where: { parentId: tenant.organizationId, name: { in: ['5', 'x'] } } })).toBe(
      0,
    );
  });

  it('answers another tenant’s organization and a non-UUID id with 404', async () => {
    for (const id of [other.organizationId, 'not-a-uuid']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await cp.request(method, `${ORGS}/${id}`, {
          token: tenant.token,
          ...(method === 'PUT' && { json: { name: 'x' } }),
        });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({
          status: 404,
          name: 'NotFoundError',
          code: 'ORGANIZATION_NOT_FOUND',
          message: `Organization ${id} not found`,
        });
      }
    }
  });

  it('lets a business-group member see its group but not the parent', async () => {
    const group = await createGroup(tenant.organizationId);
    const member = await newUser(cp, group.id, ['admin:organization']);
    expect((await cp.request('GET', `${ORGS}/${group.id}`, { token: member.token })).status).toBe(200);
    const parent = await cp.request('GET', `${ORGS}/${tenant.organizationId}`, { token: member.token });
    expect(parent.status).toBe(404);
  });

  it('shows a grant narrowed to an environment its organization only, not its other business groups', async () => {
    const groupA = await createGroup(tenant.organizationId);
    const groupB = await createGroup(tenant.organizationId);
    const member = await newUser(cp, groupA.id, ['read:organization']);
    await testPrisma().permissionGrant.create({
      data: {
        userId: member.id,
        scope: 'read:api_configuration',
        organizationId: tenant.organizationId,
        environmentId: tenant.sandboxId,
      },
    });

    const hidden = await cp.request('GET', `${ORGS}/${groupB.id}`, { token: member.token });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({
      status: 404,
      name: 'NotFoundError',
      code: 'ORGANIZATION_NOT_FOUND',
      message: `Organization ${groupB.id} not found`,
    });
    const parent = await cp.request('GET', `${ORGS}/${tenant.organizationId}`, { token: member.token });
    expect(parent.status).toBe(200);
    expect(parent.body.subOrganizationIds).toEqual([groupA.id]);
    const me = await cp.request('GET', '/accounts/api/me', { token: member.token });
    expect(me.body.user.memberOfOrganizations.map((o: { id: string }) => o.id).sort()).toEqual(
      [tenant.organizationId, groupA.id].sort(),
    );
    // the grant still works where it applies
    const apis = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
    expect((await cp.request('GET', apis, { token: member.token })).status).toBe(200);

    // an organization-wide grant in the parent still shows every business group under it
    const wide = await newUser(cp, groupA.id, []);
    await testPrisma().permissionGrant.create({
      data: { userId: wide.id, scope: 'read:api_configuration', organizationId: tenant.organizationId },
    });
    expect((await cp.request('GET', `${ORGS}/${groupB.id}`, { token: wide.token })).status).toBe(200);
    const wideParent = await cp.request('GET', `${ORGS}/${tenant.organizationId}`, { token: wide.token });
    expect(wideParent.body.subOrganizationIds).toEqual(expect.arrayContaining([groupA.id, groupB.id]));
  });

  it('deletes a business group with its environments and the grants in it', async () => {
    const group = await createGroup(tenant.organizationId);
    const env = await cp.request('POST', `${ORGS}/${group.id}/environments`, {
      token: tenant.token,
      json: { name: 'Sandbox', type: 'sandbox' },
    });
    expect(env.status).toBe(201);
    const outsider = await newUser(cp, tenant.organizationId, []);
    await testPrisma().permissionGrant.create({
      data: { userId: outsider.id, scope: 'read:api_policies', organizationId: group.id, environmentId: env.body.id },
    });

    const res = await cp.request('DELETE', `${ORGS}/${group.id}`, { token: tenant.token });

    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await testPrisma().organization.count({ where: { id: group.id } })).toBe(0);
    expect(await testPrisma().environment.count({ where: { id: env.body.id } })).toBe(0);
    expect(await testPrisma().permissionGrant.count({ where: { userId: outsider.id } })).toBe(0);
    expect((await cp.request('GET', `${ORGS}/${group.id}`, { token: tenant.token })).status).toBe(404);
  });

  it('refuses to delete the root organization', async () => {
    const res = await cp.request('DELETE', `${ORGS}/${tenant.organizationId}`, { token: tenant.token });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      status: 409,
      name: 'ConflictError',
      code: 'ORGANIZATION_IS_ROOT',
      message: `Organization ${tenant.organizationId} is a root organization and cannot be deleted`,
    });
  });

  it('refuses to delete a business group that still holds business groups, users or API instances', async () => {
    const group = await createGroup(tenant.organizationId);
    await createGroup(group.id);
    const withChild = await cp.request('DELETE', `${ORGS}/${group.id}`, { token: tenant.token });
    expect(withChild.status).toBe(409);
    expect(withChild.body).toEqual({
      status: 409,
      name: 'ConflictError',
      code: 'ORGANIZATION_NOT_EMPTY',
      message: `Organization ${group.id} still has 1 business group; delete them first`,
    });

    const busy = await createGroup(tenant.organizationId);
    const env = await cp.request('POST', `${ORGS}/${busy.id}/environments`, {
      token: tenant.token,
      json: { name: 'Dev', type: 'sandbox' },
    });
    await newUser(cp, busy.id, []);
    await newUser(cp, busy.id, []);
    await testPrisma().apiInstance.create({
      data: {
        organizationId: busy.id,
        environmentId: env.body.id,
        groupId: busy.id,
        assetId: uniqueName('asset'),
        assetVersion: '1.0.0',
        productVersion: 'v1',
        technology: 'flexGateway',
      },
    });
    const res = await cp.request('DELETE', `${ORGS}/${busy.id}`, { token: tenant.token });
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(`Organization ${busy.id} still has 2 users, 1 API instance; delete them first`);
    expect(await testPrisma().environment.count({ where: { organizationId: busy.id } })).toBe(1);
  });

  it('needs admin:organization on the parent to delete a business group', async () => {
    const group = await createGroup(tenant.organizationId);
    const groupAdmin = await newUser(cp, tenant.organizationId, []);
    await testPrisma().permissionGrant.create({
      data: { userId: groupAdmin.id, scope: 'admin:organization', organizationId: group.id },
    });
    const res = await cp.request('DELETE', `${ORGS}/${group.id}`, { token: groupAdmin.token });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      `You need the Organization Administrator permission (admin:organization) in organization ${tenant.organizationId}`,
    );
  });
});
