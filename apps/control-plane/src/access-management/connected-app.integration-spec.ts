import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { ALL_SCOPES, SCOPES } from '../auth/scopes.js';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newMcpAsset,
  newTenant,
  newUser,
  testPrisma,
  uniqueName,
  type TestTenant,
} from '../../test/support/factories.js';

const APPS = '/accounts/api/connectedApplications';
const TOKEN = '/accounts/api/v2/oauth2/token';

interface CreatedApp {
  client_id: string;
  client_secret: string;
  client_name: string;
  grant_types: string[];
  org_id: string;
  scopes: { scope: string; context_params: { org: string; envId?: string } }[];
}

describe('connected applications', () => {
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

  const createApp = async (json: Record<string, unknown> = {}, caller: { token: string } = tenant): Promise<CreatedApp> => {
    const res = await cp.request('POST', APPS, {
      token: caller.token,
      json: { client_name: uniqueName('ci'), grant_types: ['client_credentials'], ...json },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const appToken = async (app: CreatedApp) => {
    const res = await cp.request('POST', TOKEN, {
      json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret },
    });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };
  const grantsOf = async (clientId: string) =>
    (await testPrisma().permissionGrant.findMany({ where: { connectedApp: { clientId } }, orderBy: [{ scope: 'asc' }] })).map(
      (g) => [g.scope, g.organizationId, g.environmentId],
    );

  it('creates an app whose secret is returned once and stored as a scrypt hash', async () => {
    const name = uniqueName('pipeline');
    const res = await cp.request('POST', APPS, {
      token: tenant.token,
      json: {
        client_name: name,
        grant_types: ['client_credentials'],
        audience: 'internal',
        scopes: [
          'Manage APIs Configuration',
          { scope: 'manage:api_policies', context_params: { org: tenant.organizationId, envId: tenant.sandboxId } },
        ],
      },
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      client_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      client_secret: expect.any(String),
      client_name: name,
      grant_types: ['client_credentials'],
      org_id: tenant.organizationId,
      scopes: [
        { scope: 'manage:api_configuration', context_params: { org: tenant.organizationId } },
        { scope: 'manage:api_policies', context_params: { org: tenant.organizationId, envId: tenant.sandboxId } },
      ],
    });
    const stored = await testPrisma().connectedApp.findUniqueOrThrow({ where: { clientId: res.body.client_id } });
    expect(stored.clientSecretHash).toMatch(/^scrypt\$/);
    expect(stored.clientSecretHash).not.toContain(res.body.client_secret);

    const read = await cp.request('GET', `${APPS}/${res.body.client_id}`, { token: tenant.token });
    expect(read.status).toBe(200);
    expect(read.text).not.toContain(res.body.client_secret);
    expect(read.body).toEqual({
      client_id: res.body.client_id,
      client_name: name,
      org_id: tenant.organizationId,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      scopes: res.body.scopes,
      created_at: stored.createdAt.toISOString(),
    });
  });

  it('issues client_credentials tokens from JSON and form bodies; /me gives $.client.org_id', async () => {
    const app = await createApp({ scopes: ['read:orgenvironments'] });
    const json = await cp.request('POST', TOKEN, {
      json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret },
    });
    const form = await cp.request('POST', TOKEN, {
      form: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret },
    });
    for (const res of [json, form]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
    }

    const me = await cp.request('GET', '/accounts/api/me', { token: form.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      client: {
        client_id: app.client_id,
        name: app.client_name,
        org_id: tenant.organizationId,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        scopes: ['read:orgenvironments'],
      },
    });

    const envs = await cp.request('GET', `/accounts/api/organizations/${tenant.organizationId}/environments`, {
      token: json.body.access_token,
    });
    expect(envs.status).toBe(200);
    expect(envs.body.total).toBe(2);

    const wrong = await cp.request('POST', TOKEN, {
      form: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: 'nope' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      status: 401,
      name: 'UnauthorizedError',
      code: 'INVALID_CLIENT',
      message: 'Invalid client_id or client_secret',
    });
  });

  it('issues password-grant tokens that act as the user', async () => {
    const app = await createApp({ grant_types: ['password', 'client_credentials', 'password'] });
    expect(app.grant_types).toEqual(['password', 'client_credentials']);
    const res = await cp.request('POST', TOKEN, {
      json: {
        grant_type: 'password',
        client_id: app.client_id,
        client_secret: app.client_secret,
        username: tenant.username,
        password: tenant.password,
      },
    });
    expect(res.status).toBe(200);
    const me = await cp.request('GET', '/accounts/api/me', { token: res.body.access_token });
    expect(me.body.user).toMatchObject({ username: tenant.username, organizationId: tenant.organizationId });

    const ccOnly = await createApp();
    const refused = await cp.request('POST', TOKEN, {
      json: {
        grant_type: 'password',
        client_id: ccOnly.client_id,
        client_secret: ccOnly.client_secret,
        username: tenant.username,
        password: tenant.password,
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      status: 400,
      name: 'BadRequestError',
      code: 'UNSUPPORTED_GRANT_TYPE',
      message: 'grant_type password is not allowed for this connected app',
    });
  });

  it('lists the apps of the caller’s organizations only', async () => {
    const t = await newTenant(cp);
    const mine = await createApp({}, t);
    const theirs = await createApp({}, other);
    const res = await cp.request('GET', APPS, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        {
          client_id: mine.client_id,
          client_name: mine.client_name,
          org_id: t.organizationId,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          scopes: [],
          created_at: expect.any(String),
        },
      ],
      total: 1,
    });
    expect(res.text).not.toContain(theirs.client_id);
    expect(res.text).not.toContain(mine.client_secret);

    const noRead = await newUser(cp, t.organizationId, []);
    expect((await cp.request('GET', APPS, { token: noRead.token })).body).toEqual({ data: [], total: 0 });
  });

  it('lists and replaces an app’s scopes; PATCH answers 204', async () => {
    const app = await createApp({ scopes: ['read:exchange'] });
    const path = `${APPS}/${app.client_id}/scopes`;
    const initial = await cp.request('GET', path, { token: tenant.token });
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({ scopes: [{ scope: 'read:exchange', context_params: { org: tenant.organizationId } }] });

    const patch = await cp.request('PATCH', path, {
      token: tenant.token,
      json: {
        scopes: [
          { scope: 'Manage Policies', context_params: { org: tenant.organizationId, envId: tenant.productionId } },
          { scope: 'read:servers' },
        ],
      },
    });
    expect(patch.status).toBe(204);
    expect(patch.text).toBe('');
    expect(await grantsOf(app.client_id)).toEqual([
      ['manage:api_policies', tenant.organizationId, tenant.productionId],
      ['read:servers', tenant.organizationId, null],
    ]);

    const unknown = await cp.request('PATCH', path, { token: tenant.token, json: { scopes: ['Read Everything'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      status: 400,
      name: 'BadRequestError',
      code: 'SCOPE_UNKNOWN',
      message: 'Unknown scope: Read Everything (GET /accounts/api/permissions lists them)',
    });
    const foreign = await cp.request('PATCH', path, {
      token: tenant.token,
      json: { scopes: [{ scope: 'read:servers', context_params: { org: other.organizationId } }] },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toBe(`Organization ${other.organizationId} not found`);
    const badEnv = await cp.request('PATCH', path, {
      token: tenant.token,
      json: { scopes: [{ scope: 'read:servers', context_params: { org: tenant.organizationId, envId: other.sandboxId } }] },
    });
    expect(badEnv.status).toBe(404);
    expect(badEnv.body.code).toBe('ENVIRONMENT_NOT_FOUND');
    const notArray = await cp.request('PATCH', path, { token: tenant.token, json: { scopes: 'read:servers' } });
    expect(notArray.status).toBe(400);
    expect(notArray.body.message).toBe('body.scopes: must be an array of scopes');
    expect(await grantsOf(app.client_id)).toHaveLength(2);
  });

  it('removes an app’s scopes in one organization', async () => {
    const group = await cp.request('POST', '/accounts/api/organizations', {
      token: tenant.token,
      json: { name: uniqueName('bg'), parentOrganizationId: tenant.organizationId },
    });
    const app = await createApp({ scopes: ['read:exchange', { scope: 'read:servers', context_params: { org: group.body.id } }] });
    const res = await cp.request(
      'DELETE',
      `/accounts/api/organizations/${group.body.id}/connectedApplications/${app.client_id}/scopes`,
      { token: tenant.token },
    );
    expect(res.status).toBe(204);
    expect(await grantsOf(app.client_id)).toEqual([['read:exchange', tenant.organizationId, null]]);

    const foreign = await cp.request(
      'DELETE',
      `/accounts/api/organizations/${other.organizationId}/connectedApplications/${app.client_id}/scopes`,
      { token: tenant.token },
    );
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('ORGANIZATION_NOT_FOUND');
  });

  it('rotates the secret: the new one works, the old one and its tokens do not', async () => {
    const app = await createApp();
    const oldToken = await appToken(app);
    const res = await cp.request('POST', `${APPS}/${app.client_id}/client-secret`, { token: tenant.token });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ client_id: app.client_id, client_secret: expect.any(String) });
    expect(res.body.client_secret).not.toBe(app.client_secret);

    expect((await cp.request('GET', '/accounts/api/me', { token: oldToken })).status).toBe(401);
    const old = await cp.request('POST', TOKEN, {
      json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret },
    });
    expect(old.status).toBe(401);
    await appToken({ ...app, client_secret: res.body.client_secret });
  });

  it('deletes an app with its tokens and grants', async () => {
    const app = await createApp({ scopes: ['read:exchange'] });
    const token = await appToken(app);
    const stored = await testPrisma().connectedApp.findUniqueOrThrow({ where: { clientId: app.client_id } });
    const res = await cp.request('DELETE', `${APPS}/${app.client_id}`, { token: tenant.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await testPrisma().connectedApp.count({ where: { id: stored.id } })).toBe(0);
    expect(await testPrisma().accessToken.count({ where: { connectedAppId: stored.id } })).toBe(0);
    expect(await testPrisma().permissionGrant.count({ where: { connectedAppId: stored.id } })).toBe(0);
    expect((await cp.request('GET', '/accounts/api/me', { token })).status).toBe(401);
    expect((await cp.request('GET', `${APPS}/${app.client_id}`, { token: tenant.token })).status).toBe(404);
  });

  it('lets only an administrator of every grant an app holds rotate its secret or delete it', async () => {
    const group = await cp.request('POST', '/accounts/api/organizations', {
      token: tenant.token,
      json: { name: uniqueName('bg'), parentOrganizationId: tenant.organizationId },
    });
    const groupAdmin = await newUser(cp, group.body.id, ['admin:organization']);
    const app = await createApp({}, groupAdmin);
    expect(app.org_id).toBe(group.body.id);
    const granted = await cp.request('PATCH', `${APPS}/${app.client_id}/scopes`, {
      token: tenant.token,
      json: { scopes: ['read:servers', { scope: 'admin:organization', context_params: { org: tenant.organizationId } }] },
    });
    expect(granted.status).toBe(204);
    const token = await appToken(app);
    const stored = await testPrisma().connectedApp.findUniqueOrThrow({ where: { clientId: app.client_id } });

    for (const [method, path] of [
      ['POST', `${APPS}/${app.client_id}/client-secret`],
      ['DELETE', `${APPS}/${app.client_id}`],
    ] as const) {
      const res = await cp.request(method, path, { token: groupAdmin.token });
      expect({ method, status: res.status, body: res.body }).toEqual({
        method,
        status: 403,
        body: {
          status: 403,
          name: 'ForbiddenError',
          code: 'FORBIDDEN',
          message: `You need the Organization Administrator permission (admin:organization) in organization ${tenant.organizationId}`,
        },
      });
    }
    expect(await testPrisma().connectedApp.findUniqueOrThrow({ where: { clientId: app.client_id } })).toEqual(stored);
    expect((await cp.request('GET', '/accounts/api/me', { token })).status).toBe(200);
    await appToken(app);

    // an app holding grants in the group only stays the group administrator's to manage
    const local = await createApp({ scopes: ['read:servers'] }, groupAdmin);
    expect((await cp.request('POST', `${APPS}/${local.client_id}/client-secret`, { token: groupAdmin.token })).status).toBe(201);
    expect((await cp.request('DELETE', `${APPS}/${local.client_id}`, { token: groupAdmin.token })).status).toBe(204);

    // the parent organization's administrator administers every grant the app holds
    const rotated = await cp.request('POST', `${APPS}/${app.client_id}/client-secret`, { token: tenant.token });
    expect(rotated.status).toBe(201);
    expect((await cp.request('GET', '/accounts/api/me', { token })).status).toBe(401);
    await appToken({ ...app, client_secret: rotated.body.client_secret });
    expect((await cp.request('DELETE', `${APPS}/${app.client_id}`, { token: tenant.token })).status).toBe(204);
    expect(await testPrisma().connectedApp.count({ where: { clientId: app.client_id } })).toBe(0);
  });

  it('names a bad body and writes nothing', async () => {
    const name = uniqueName('bad');
    const cases: [unknown, string][] = [
      [{ client_name: name, grant_types: ['implicit'] }, 'body.grant_types.0: must be client_credentials or password'],
      [{ client_name: name, grant_types: [] }, 'body.grant_types: must name at least one grant type'],
      [{ client_name: name, grant_types: 'client_credentials' }, 'body.grant_types: must be an array of grant types'],
      [{ client_name: name }, 'body.grant_types: is required'],
      [{ grant_types: ['client_credentials'] }, 'body.client_name: is required'],
      [
        { client_name: name, grant_types: ['client_credentials'], audience: 'partners' },
        'body.audience: must be internal or everyone',
      ],
      [{ client_name: name, grant_types: ['client_credentials'], scopes: [{ scope: 5 }] }, 'body.scopes.0.scope: is required'],
    ];
    for (const [json, message] of cases) {
      const res = await cp.request('POST', APPS, { token: tenant.token, json });
      expect({ json, status: res.status, code: res.body.code, message: res.body.message }).toEqual({
        json,
        status: 400,
        code: 'VALIDATION_FAILED',
        message,
      });
    }
    const malformed = await cp.request('POST', APPS, { token: tenant.token, raw: `{"client_name":"${name}"` });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_BODY');
    const unknown = await cp.request('POST', APPS, {
      token: tenant.token,
      json: { client_name: name, grant_types: ['client_credentials'], scopes: ['godmode'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('SCOPE_UNKNOWN');
    expect(await testPrisma().connectedApp.count({ where: { name } })).toBe(0);
  });

  it('refuses every write to a caller without admin:organization with 403', async () => {
    const app = await createApp({ scopes: ['read:exchange'] });
    const reader = await newUser(cp, tenant.organizationId, ['read:organization']);
    const readerApp = await testPrisma().connectedApp.findUniqueOrThrow({ where: { clientId: app.client_id } });
    const name = uniqueName('forbidden');
    const forbidden = {
      status: 403,
      name: 'ForbiddenError',
      code: 'FORBIDDEN',
      message: `You need the Organization Administrator permission (admin:organization) in organization ${tenant.organizationId}`,
    };
    const writes: [string, string, unknown][] = [
      ['POST', APPS, { client_name: name, grant_types: ['client_credentials'] }],
      ['DELETE', `${APPS}/${app.client_id}`, undefined],
      ['PATCH', `${APPS}/${app.client_id}/scopes`, { scopes: ['admin:organization'] }],
      ['DELETE', `/accounts/api/organizations/${tenant.organizationId}/connectedApplications/${app.client_id}/scopes`, undefined],
      ['POST', `${APPS}/${app.client_id}/client-secret`, undefined],
    ];
    for (const [method, path, json] of writes) {
      const res = await cp.request(method, path, { token: reader.token, ...(json !== undefined && { json }) });
      expect({ method, path, status: res.status, body: res.body }).toEqual({ method, path, status: 403, body: forbidden });
    }
    expect((await cp.request('GET', `${APPS}/${app.client_id}`, { token: reader.token })).status).toBe(200);
    expect(await testPrisma().connectedApp.count({ where: { name } })).toBe(0);
    expect(await testPrisma().connectedApp.findUniqueOrThrow({ where: { id: readerApp.id } })).toEqual(readerApp);
    expect(await grantsOf(app.client_id)).toEqual([['read:exchange', tenant.organizationId, null]]);

    // an app token without admin:organization cannot create apps or environments either
    const appTok = await appToken(app);
    const asApp = await cp.request('POST', APPS, {
      token: appTok,
      json: { client_name: name, grant_types: ['client_credentials'] },
    });
    expect(asApp.status).toBe(403);
    const env = await cp.request('POST', `/accounts/api/organizations/${tenant.organizationId}/environments`, {
      token: appTok,
      json: { name: 'AppEnv', type: 'sandbox' },
    });
    expect(env.status).toBe(403);
    expect(await testPrisma().environment.count({ where: { organizationId: tenant.organizationId, name: 'AppEnv' } })).toBe(0);
  });

  it('answers apps of another tenant and unknown client ids with 404', async () => {
    const theirs = await createApp({ scopes: ['read:exchange'] }, other);
    for (const clientId of [theirs.client_id, 'f'.repeat(32), 'not-a-client']) {
      for (const [method, suffix] of [
        ['GET', ''],
        ['DELETE', ''],
        ['GET', '/scopes'],
        ['PATCH', '/scopes'],
        ['POST', '/client-secret'],
      ] as const) {
        const res = await cp.request(method, `${APPS}/${clientId}${suffix}`, {
          token: tenant.token,
          ...(method === 'PATCH' && { json: { scopes: [] } }),
        });
        expect({ method, suffix, status: res.status, body: res.body }).toEqual({
          method,
          suffix,
          status: 404,
          body: {
            status: 404,
            name: 'NotFoundError',
            code: 'CONNECTED_APP_NOT_FOUND',
            message: `Connected application ${clientId} not found`,
          },
        });
      }
      const orgScopes = await cp.request(
        'DELETE',
        `/accounts/api/organizations/${tenant.organizationId}/connectedApplications/${clientId}/scopes`,
        { token: tenant.token },
      );
      expect(orgScopes.status).toBe(404);
      expect(orgScopes.body.message).toBe(`Connected application ${clientId} not found`);
    }
    expect(await grantsOf(theirs.client_id)).toEqual([['read:exchange', other.organizationId, null]]);
    await appToken(theirs);
  });

  it('grants manage:apis (contract §2.5): the API instances of its environment, not their policies', async () => {
    const app = await createApp({
      scopes: [{ scope: 'manage:apis', context_params: { org: tenant.organizationId, envId: tenant.sandboxId } }],
    });
    expect(app.scopes).toEqual([
      { scope: 'manage:apis', context_params: { org: tenant.organizationId, envId: tenant.sandboxId } },
    ]);
    const token = await appToken(app);
    const apis = (envId: string) => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${envId}/apis`;
    const asset = await newMcpAsset(tenant.organizationId);
    const created = await cp.request('POST', apis(tenant.sandboxId), {
      token,
      json: { technology: 'flexGateway', spec: asset, endpoint: { type: 'mcp', uri: 'http://127.0.0.1:3001/' } },
    });
    expect(created.status).toBe(201);
    const api = `${apis(tenant.sandboxId)}/${created.body.id}`;
    expect((await cp.request('GET', api, { token })).status).toBe(200);
    expect((await cp.request('PATCH', api, { token, json: { description: 'managed by CI' } })).status).toBe(200);

    const elsewhere = await cp.request('GET', apis(tenant.productionId), { token });
    expect(elsewhere.status).toBe(403);
    const policies = await cp.request('POST', `${api}/policies`, {
      token,
      json: { groupId: POLICY_GROUP_ID, assetId: 'mcp-support', assetVersion: '1.0.1', configurationData: {} },
    });
    expect(policies.status).toBe(403);
    expect(policies.body.message).toBe(
      `You need the Manage Policies permission (manage:api_policies) in environment ${tenant.sandboxId}`,
    );
  });

  it('serves the permission catalog', async () => {
    const res = await cp.request('GET', '/accounts/api/permissions', { token: tenant.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: ALL_SCOPES.map((scope) => ({ scope, name: SCOPES[scope] })), total: ALL_SCOPES.length });
    expect(res.body.data).toContainEqual({ scope: 'manage:api_policies', name: 'Manage Policies' });
    expect((await cp.request('GET', '/accounts/api/permissions')).status).toBe(401);
  });
});
