import { POLICY_GROUP_ID, SECRET_MASK } from '#portico/policy-catalog';
import { auditRows, queryAudit, type AuditEntry } from '../../test/support/audit.js';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newApiInstance,
  newMcpAsset,
  newTenant,
  testPrisma,
  type TestTenant,
  uniqueName,
} from '../../test/support/factories.js';

const BASIC_AUTH = { groupId: POLICY_GROUP_ID, assetId: 'http-basic-authentication', assetVersion: '1.3.2' };
const RATE_LIMITING = { groupId: POLICY_GROUP_ID, assetId: 'rate-limiting', assetVersion: '1.4.1' };
const rateLimit = {
  ...RATE_LIMITING,
  configurationData: { rateLimits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000 }] },
};

describe('audit trail of control-plane changes', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let userId: string;
  let port = 24_000;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    userId = (await cp.request('GET', '/accounts/api/me', { token: tenant.token })).body.user.id;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const apis = () => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  /** The records of one resource, oldest first. */
  const entriesOf = async (objectType: string, objectId: string | number): Promise<AuditEntry[]> =>
    (
      await queryAudit(cp, tenant.token, tenant.organizationId, {
        objectTypes: [objectType],
        objectIds: [String(objectId)],
        ascending: true,
      })
    ).data;
  /** The stored records of the organization as text: what must never hold a secret. */
  /** The body of POST …/apis for an MCP instance labelled `label`, on a port of its own. */
  const instanceBody = async (label: string) => ({
    technology: 'flexGateway',
    spec: await newMcpAsset(tenant.organizationId),
    instanceLabel: label,
    endpoint: { deploymentType: 'HY', type: 'mcp', uri: 'http://mcp.internal:3001/', proxyUri: `http://0.0.0.0:${port++}/mcp` },
  });
  const storedText = async () =>
    JSON.stringify(await auditRows(tenant.organizationId), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

  it('records create, update and delete of an API instance: who, what, where, when, from where, before and after', async () => {
    const started = Date.now();
    const label = uniqueName('audited');
    const created = await cp.request('POST', apis(), {
      token: tenant.token,
      headers: { 'user-agent': 'audit-spec/1.0', 'x-request-id': `create-${label}` },
      json: await instanceBody(label),
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const patched = await cp.request('PATCH', `${apis()}/${id}`, { token: tenant.token, json: { description: 'now audited' } });
    expect(patched.status).toBe(200);
    expect((await cp.request('DELETE', `${apis()}/${id}`, { token: tenant.token })).status).toBe(204);

    const [create, update, remove, ...more] = await entriesOf('api-instance', id);
    expect(more).toEqual([]);
    expect(create).toEqual({
      id: expect.stringMatching(/^\d+$/),
      timestamp: expect.any(String),
      organizationId: tenant.organizationId,
      environmentId: tenant.sandboxId,
      platform: 'API Manager',
      objectType: 'api-instance',
      objectId: String(id),
      objectName: label,
      action: 'create',
      userId,
      userName: tenant.username,
      userType: 'user',
      requestId: `create-${label}`,
      clientIp: '127.0.0.1',
      userAgent: 'audit-spec/1.0',
      payload: { before: null, after: created.body },
    });
    expect(update).toMatchObject({
      action: 'update',
      objectId: String(id),
      payload: { before: created.body, after: patched.body },
    });
    expect(remove).toMatchObject({ action: 'delete', objectId: String(id), payload: { before: patched.body, after: null } });
    for (const entry of [create, update, remove]) {
      const time = Date.parse(entry!.timestamp);
      expect(time).toBeGreaterThanOrEqual(started - 1000);
      expect(time).toBeLessThanOrEqual(Date.now());
    }
  });

  it('records a deployment of its own, after the instance it deploys inline', async () => {
    const target = await testPrisma().gatewayTarget.create({
      data: { organizationId: tenant.organizationId, environmentId: tenant.sandboxId, name: uniqueName('gw') },
    });
    const res = await cp.request('POST', apis(), {
      token: tenant.token,
      json: {
        technology: 'flexGateway',
        spec: await newMcpAsset(tenant.organizationId),
        endpoint: {
          deploymentType: 'HY',
          type: 'mcp',
          uri: 'http://mcp.internal:3001/',
          proxyUri: `http://0.0.0.0:${port++}/mcp`,
        },
        deployment: { environmentId: tenant.sandboxId, type: 'HY', gatewayVersion: '1.0.0', targetId: target.id },
      },
    });
    expect(res.status).toBe(201);
    const [instance] = await entriesOf('api-instance', res.body.id);
    const [deployment] = await entriesOf('deployment', res.body.deployment.id);
    expect(instance).toMatchObject({ action: 'create', objectType: 'api-instance' });
    expect(deployment).toMatchObject({
      action: 'deploy',
      objectType: 'deployment',
      objectName: target.name,
      payload: { before: null, after: res.body.deployment },
    });
    expect(BigInt(deployment!.id)).toBeGreaterThan(BigInt(instance!.id));
  });

  it('masks the secrets of a policy configuration in every record of its create, update and delete', async () => {
    const api = await newApiInstance(tenant);
    const policies = `${apis()}/${api.id}/policies`;
    const created = await cp.request('POST', policies, {
      token: tenant.token,
      json: { ...BASIC_AUTH, configurationData: { username: 'agent', password: 'first-pa55word' } },
    });
    expect(created.status).toBe(201);
    const patched = await cp.request('PATCH', `${policies}/${created.body.id}`, {
      token: tenant.token,
      json: { configurationData: { username: 'agent', password: 'second-pa55word' } },
    });
    expect(patched.status).toBe(200);
    expect((await cp.request('DELETE', `${policies}/${created.body.id}`, { token: tenant.token })).status).toBe(204);

    const entries = await entriesOf('policy', created.body.id);
    expect(entries.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
    const masked = { username: 'agent', password: SECRET_MASK };
    expect(entries[0]!.payload).toEqual({ before: null, after: created.body });
    expect(entries[1]!.payload.before.configurationData).toEqual(masked);
    expect(entries[1]!.payload.after).toEqual(patched.body);
    expect(entries[2]!.payload).toEqual({ before: patched.body, after: null });
    expect(entries[0]).toMatchObject({
      objectType: 'policy',
      objectName: 'http-basic-authentication',
      environmentId: tenant.sandboxId,
    });

    const stored = await storedText();
    for (const secret of ['first-pa55word', 'second-pa55word', 'enc:v1:']) expect(stored).not.toContain(secret);
  });

  it('records every policy a write moves: the one it names, and the others as reordered', async () => {
    const api = await newApiInstance(tenant);
    const policies = `${apis()}/${api.id}/policies`;
    const apply = async (order?: number) => {
      const res = await cp.request('POST', `${policies}?allowDuplicated=true`, {
        token: tenant.token,
        json: { ...rateLimit, order },
      });
      expect(res.status).toBe(201);
      return res.body.id as number;
    };
    const first = await apply();
    const second = await apply();
    const third = await apply(1);
    expect((await entriesOf('policy', third)).map((e) => e.action)).toEqual(['create']);
    expect((await entriesOf('policy', first)).map((e) => [e.action, e.payload.before?.order, e.payload.after.order])).toEqual([
      ['create', undefined, 1],
      ['reorder', 1, 2],
    ]);

    const moved = await cp.request('PATCH', policies, { token: tenant.token, json: [{ id: second, order: 1 }] });
    expect(moved.status).toBe(200);
    const reorders = await queryAudit(cp, tenant.token, tenant.organizationId, {
      objectIds: [first, second, third].map(String),
      actions: ['reorder'],
      ascending: true,
    });
    // applying third at 1 moved first 1 → 2 and second 2 → 3; moving second to 1 moved all three
    expect(reorders.data.map((e) => [Number(e.objectId), e.payload.before.order, e.payload.after.order])).toEqual([
      [first, 1, 2],
      [second, 2, 3],
      [third, 1, 2],
      [first, 2, 3],
      [second, 3, 1],
    ]);
  });

  it('records users without their password, and a password change as masked', async () => {
    const users = `/accounts/api/organizations/${tenant.organizationId}/users`;
    const created = await cp.request('POST', users, {
      token: tenant.token,
      json: { username: uniqueName('alice'), password: 'alice-first-password', scopes: ['read:exchange'] },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const updated = await cp.request('PUT', `${users}/${id}`, {
      token: tenant.token,
      json: { firstName: 'Alice', password: 'alice-second-password' },
    });
    expect(updated.status).toBe(200);
    expect((await cp.request('DELETE', `${users}/${id}`, { token: tenant.token })).status).toBe(204);

    const scopes = [{ scope: 'read:exchange', context_params: { org: tenant.organizationId } }];
    const [create, update, remove] = await entriesOf('user', id);
    expect(create).toMatchObject({
      objectType: 'user',
      objectName: created.body.username,
      platform: 'Access Management',
      environmentId: null,
      payload: { before: null, after: { ...created.body, scopes } },
    });
    expect(update!.payload).toEqual({
      before: { ...created.body, scopes },
      after: { ...updated.body, scopes, password: SECRET_MASK },
    });
    expect(remove!.payload).toEqual({ before: { ...updated.body, scopes }, after: null });
    const stored = await storedText();
    for (const secret of ['alice-first-password', 'alice-second-password', 'scrypt$']) expect(stored).not.toContain(secret);
  });

  it('records connected apps without their secret, and names an app that makes a change as the actor', async () => {
    const app = await cp.request('POST', '/accounts/api/connectedApplications', {
      token: tenant.token,
      json: { client_name: uniqueName('ci'), grant_types: ['client_credentials'], scopes: ['admin:organization'] },
    });
    expect(app.status).toBe(201);
    const { client_id: clientId, client_secret: firstSecret, client_name: name } = app.body;
    const rotated = await cp.request('POST', `/accounts/api/connectedApplications/${clientId}/client-secret`, {
      token: tenant.token,
    });
    expect(rotated.status).toBe(201);
    const token = await cp.request('POST', '/accounts/api/v2/oauth2/token', {
      json: { grant_type: 'client_credentials', client_id: clientId, client_secret: rotated.body.client_secret },
    });
    expect(token.status).toBe(200);
    const env = await cp.request('POST', `/accounts/api/organizations/${tenant.organizationId}/environments`, {
      token: token.body.access_token,
      json: { name: uniqueName('by-app'), type: 'sandbox' },
    });
    expect(env.status).toBe(201);
    expect((await cp.request('DELETE', `/accounts/api/connectedApplications/${clientId}`, { token: tenant.token })).status).toBe(
      204,
    );

    expect((await entriesOf('connected-application', clientId)).map((e) => [e.action, e.objectType, e.objectName])).toEqual([
      ['create', 'connected-application', name],
      ['rotate', 'connected-application', name],
      ['delete', 'connected-application', name],
    ]);
    expect((await entriesOf('environment', env.body.id))[0]).toMatchObject({
      action: 'create',
      objectType: 'environment',
      userType: 'connected-app',
      userId: clientId,
      userName: name,
      payload: { after: env.body },
    });
    const stored = await storedText();
    for (const secret of [firstSecret, rotated.body.client_secret]) expect(stored).not.toContain(secret);
  });

  it('leaves no record of a change that fails, and no change behind a record that cannot be written', async () => {
    const before = (await auditRows(tenant.organizationId)).length;
    const label = uniqueName('never');
    const refused = await cp.request('POST', apis(), {
      token: tenant.token,
      json: {
        ...(await instanceBody(label)),
        // the instance is written (and recorded) first; this unknown target then rolls both back
        deployment: {
          environmentId: tenant.sandboxId,
          type: 'HY',
          gatewayVersion: '1.0.0',
          targetId: '00000000-0000-4000-8000-000000000000',
        },
      },
    });
    expect(refused.status).toBe(404);
    expect(await testPrisma().apiInstance.count({ where: { instanceLabel: label } })).toBe(0);
    expect(await auditRows(tenant.organizationId)).toHaveLength(before);

    // A record the database refuses (this name only) must fail the change it records.
    const name = uniqueName('unauditable');
    const constraint = `audit_spec_${name.replace(/-/g, '_')}`;
    await testPrisma().$executeRawUnsafe(
      `ALTER TABLE "AuditRecord" ADD CONSTRAINT ${constraint} CHECK ("resourceName" IS DISTINCT FROM '${name}') NOT VALID`,
    );
    try {
      const res = await cp.request('POST', `/accounts/api/organizations/${tenant.organizationId}/environments`, {
        token: tenant.token,
        json: { name, type: 'sandbox' },
      });
      expect(res.status).toBe(500);
    } finally {
      await testPrisma().$executeRawUnsafe(`ALTER TABLE "AuditRecord" DROP CONSTRAINT ${constraint}`);
    }
    expect(await testPrisma().environment.count({ where: { organizationId: tenant.organizationId, name } })).toBe(0);
    expect(await auditRows(tenant.organizationId)).toHaveLength(before);
  });

  it('keeps records append-only: the database refuses to change or remove one', async () => {
    const [row] = await auditRows(tenant.organizationId);
    await expect(
      testPrisma().auditRecord.update({ where: { id: row!.id }, data: { actorName: 'someone else' } }),
    ).rejects.toThrow(/append-only/);
    await expect(testPrisma().auditRecord.delete({ where: { id: row!.id } })).rejects.toThrow(/append-only/);
  });
});
