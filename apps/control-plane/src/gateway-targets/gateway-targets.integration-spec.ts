import { randomUUID } from 'node:crypto';
import { PORTICO_GATEWAY_VERSION } from '#portico/gateway-release';
import { ADMIN_USERNAME, startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, testPrisma, type TestTenant, uniqueName } from '../../test/support/factories.js';
import { sha256 } from '../common/secrets.js';

describe('gateway targets, standalone gateways and registration tokens', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let targets: string;
  let gateways: string;
  let tokens: string;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    const env = `organizations/${tenant.organizationId}/environments/${tenant.sandboxId}`;
    targets = `/apimanager/xapi/v1/${env}/gateway-targets`;
    gateways = `/standalone/api/v1/${env}/gateways`;
    tokens = `/standalone/api/v1/${env}/gatewaytokens`;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const createGateway = async (name = uniqueName('gw')) => {
    const res = await cp.request('POST', gateways, { token: tenant.token, json: { name } });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string };
  };

  const addReplica = (targetId: string, replica: { gatewayVersion?: string; lastSeenAt?: Date; disconnectedAt?: Date }) =>
    testPrisma().gatewayReplica.create({
      data: { targetId, replicaId: uniqueName('replica'), connectedAt: new Date(), ...replica },
    });

  describe('GET .../gateway-targets', () => {
    it('lists the bootstrap local-gateway of the root organization Sandbox, running the bundled release', async () => {
      const admin = await cp.adminToken();
      const user = await testPrisma().user.findUniqueOrThrow({ where: { username: ADMIN_USERNAME } });
      const sandbox = await testPrisma().environment.findFirstOrThrow({
        where: { organizationId: user.organizationId, name: 'Sandbox' },
      });
      const res = await cp.request(
        'GET',
        `/apimanager/xapi/v1/organizations/${user.organizationId}/environments/${sandbox.id}/gateway-targets`,
        {
          token: admin,
        },
      );
      expect(res.status).toBe(200);
      const row = res.body.rows.find((r: { name: string }) => r.name === 'local-gateway');
      expect(row).toMatchObject({
        kind: 'flex',
        targetType: 'self-managed',
        organizationId: user.organizationId,
        environmentId: sandbox.id,
        version: PORTICO_GATEWAY_VERSION,
        gatewayVersion: PORTICO_GATEWAY_VERSION,
      });
    });

    it('shows a target created through POST .../gateways as DISCONNECTED, then RUNNING once a replica heartbeats', async () => {
      const gw = await createGateway();
      let res = await cp.request('GET', `${targets}?name=${gw.name}`, { token: tenant.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        total: 1,
        rows: [
          {
            id: gw.id,
            name: gw.name,
            kind: 'flex',
            targetType: 'self-managed',
            type: 'self-managed',
            status: 'DISCONNECTED',
            ready: false,
            running: false,
            version: PORTICO_GATEWAY_VERSION,
            gatewayVersion: PORTICO_GATEWAY_VERSION,
            organizationId: tenant.organizationId,
            environmentId: tenant.sandboxId,
            lastConnectedDate: null,
            replicas: 0,
            droppedEvents: 0,
          },
        ],
      });

      const seen = new Date();
      await addReplica(gw.id, { gatewayVersion: '1.0.0', lastSeenAt: seen });
      await addReplica(gw.id, { gatewayVersion: '1.2.0', lastSeenAt: new Date(Date.now() - 3600_000) });
      res = await cp.request('GET', `${targets}/${gw.id}`, { token: tenant.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'RUNNING',
        ready: true,
        running: true,
        version: '1.2.0',
        replicas: 1,
        lastConnectedDate: seen.toISOString(),
      });
    });

    it('counts a replica that disconnected after its last heartbeat as gone', async () => {
      const gw = await createGateway();
      await addReplica(gw.id, { lastSeenAt: new Date(Date.now() - 1000), disconnectedAt: new Date() });
      const res = await cp.request('GET', `${targets}/${gw.id}`, { token: tenant.token });
      expect(res.body).toMatchObject({ status: 'DISCONNECTED', replicas: 0 });
    });

    it('filters by excludeStatus and kind, pages, and never lists deleted targets', async () => {
      const own = await newTenant(cp);
      const env = `organizations/${own.organizationId}/environments/${own.sandboxId}`;
      const running = await cp.request('POST', `/standalone/api/v1/${env}/gateways`, {
        token: own.token,
        json: { name: 'a-running' },
      });
      await cp.request('POST', `/standalone/api/v1/${env}/gateways`, { token: own.token, json: { name: 'b-idle' } });
      const deleted = await cp.request('POST', `/standalone/api/v1/${env}/gateways`, {
        token: own.token,
        json: { name: 'c-deleted' },
      });
      await addReplica(running.body.id, { lastSeenAt: new Date() });
      expect(
        (await cp.request('DELETE', `/standalone/api/v1/${env}/gateways/${deleted.body.id}`, { token: own.token })).status,
      ).toBe(202);
      const base = `/apimanager/xapi/v1/${env}/gateway-targets`;

      const all = await cp.request('GET', base, { token: own.token });
      expect(all.body.rows.map((r: { name: string }) => r.name)).toEqual(['a-running', 'b-idle']);
      const notRunning = await cp.request('GET', `${base}?excludeStatus=RUNNING`, { token: own.token });
      expect(notRunning.body.rows.map((r: { name: string }) => r.name)).toEqual(['b-idle']);
      const page = await cp.request('GET', `${base}?pageSize=1&pageNumber=1`, { token: own.token });
      expect(page.body).toMatchObject({ total: 2, rows: [{ name: 'b-idle' }] });
      expect((await cp.request('GET', `${base}?kind=mule`, { token: own.token })).body).toEqual({ total: 0, rows: [] });
      expect((await cp.request('GET', `${base}/${deleted.body.id}`, { token: own.token })).status).toBe(404);
    });

    it('rejects unknown enums and non-numeric paging, naming the parameter', async () => {
      for (const [query, field] of [
        ['kind=docker', 'query.kind'],
        ['excludeStatus=RUNNING,SLEEPING', 'query.excludeStatus.1'],
        ['pageSize=ten', 'query.pageSize'],
        ['pageNumber=-1', 'query.pageNumber'],
      ] as const) {
        const res = await cp.request('GET', `${targets}?${query}`, { token: tenant.token });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(res.body.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
      }
    });

    it('answers 404 naming the id for a non-UUID, unknown or other tenant target id', async () => {
      const other = await newTenant(cp);
      const foreign = await cp.request(
        'POST',
        `/standalone/api/v1/organizations/${other.organizationId}/environments/${other.sandboxId}/gateways`,
        {
          token: other.token,
          json: { name: 'theirs' },
        },
      );
      for (const id of ['not-a-uuid', randomUUID(), foreign.body.id]) {
        const res = await cp.request('GET', `${targets}/${id}`, { token: tenant.token });
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({
          code: 'TARGET_NOT_FOUND',
          message: `Gateway target ${id} not found in this environment`,
        });
      }
      // another tenant's organization in the path is hidden the same way
      const res = await cp.request(
        'GET',
        `/apimanager/xapi/v1/organizations/${other.organizationId}/environments/${other.sandboxId}/gateway-targets`,
        {
          token: tenant.token,
        },
      );
      expect(res.status).toBe(404);
    });

    it("takes the path's own ids again as enviromentId (sic), environmentId and targetId, and refuses others", async () => {
      const [target] = (await cp.request('GET', targets, { token: tenant.token })).body.rows;
      const one = `${targets}/${target.id}`;
      const same = await cp.request('GET', `${one}?enviromentId=${tenant.sandboxId}&targetId=${target.id}`, {
        token: tenant.token,
      });
      expect(same.status).toBe(200);
      expect(same.body.id).toBe(target.id);
      const otherEnv = await cp.request('GET', `${one}?enviromentId=${tenant.productionId}`, { token: tenant.token });
      expect(otherEnv.status).toBe(400);
      expect(otherEnv.body.message).toBe(`query.enviromentId: must be the environment of the path (${tenant.sandboxId})`);
      const otherTarget = await cp.request('GET', `${one}?targetId=${randomUUID()}`, { token: tenant.token });
      expect(otherTarget.status).toBe(400);
      expect(otherTarget.body.message).toBe(`query.targetId: must be the target of the path (${target.id})`);
    });

    it('needs read:api_configuration', async () => {
      const user = await newUser(cp, tenant.organizationId, ['read:servers']);
      const res = await cp.request('GET', targets, { token: user.token });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    });
  });

  describe('standalone gateways', () => {
    it('creates a DISCONNECTED gateway and reads it back with its versions', async () => {
      const name = uniqueName('gw');
      const res = await cp.request('POST', gateways, { token: tenant.token, json: { name } });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        organizationId: tenant.organizationId,
        id: expect.any(String),
        name,
        status: 'DISCONNECTED',
        tags: [],
        lastUpdate: expect.any(String),
        replicas: [
          { status: 'CONNECTED', count: 0, certificateExpirationDates: [] },
          { status: 'DISCONNECTED', count: 0, certificateExpirationDates: [] },
        ],
        droppedEvents: 0,
        versions: [],
      });
      const expires = new Date('2027-10-31T15:31:46.000Z');
      await testPrisma().gatewayReplica.create({
        data: {
          targetId: res.body.id,
          replicaId: 'node-1',
          gatewayVersion: '1.0.0',
          lastSeenAt: new Date(),
          certExpiresAt: expires,
        },
      });
      const got = await cp.request('GET', `${gateways}/${res.body.id}`, { token: tenant.token });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        status: 'CONNECTED',
        versions: ['1.0.0'],
        replicas: [
          { status: 'CONNECTED', count: 1, certificateExpirationDates: [expires.toISOString()] },
          { status: 'DISCONNECTED', count: 0 },
        ],
      });
      const replicas = await cp.request('GET', `${gateways}/${res.body.id}/replicas`, { token: tenant.token });
      expect(replicas.status).toBe(200);
      expect(replicas.body).toMatchObject({
        totalElements: 1,
        pageNumber: 0,
        pageSize: 30,
        gateway: { id: res.body.id, status: 'CONNECTED' },
        content: [
          {
            targetId: res.body.id,
            name: 'node-1',
            nodeId: 'node-1',
            gatewayVersion: '1.0.0',
            status: 'CONNECTED',
            configurationStatus: { status: 'PENDING', message: null },
            certificateExpirationDate: expires.toISOString(),
          },
        ],
      });
    });

    it('refuses a taken name, also after the gateway was deleted, and writes nothing', async () => {
      const gw = await createGateway();
      const dup = await cp.request('POST', gateways, { token: tenant.token, json: { name: gw.name } });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('TARGET_ALREADY_EXISTS');
      expect(dup.body.message).toContain(gw.name);
      expect((await cp.request('DELETE', `${gateways}/${gw.id}`, { token: tenant.token })).status).toBe(202);
      expect((await cp.request('POST', gateways, { token: tenant.token, json: { name: gw.name } })).status).toBe(409);
      expect(await testPrisma().gatewayTarget.count({ where: { name: gw.name } })).toBe(1);
    });

    it('pages with a default size of 30, caps sizes at 100 and refuses 200 and more with "Wrong page size"', async () => {
      const own = await newTenant(cp);
      const base = `/standalone/api/v1/organizations/${own.organizationId}/environments/${own.sandboxId}/gateways`;
      for (const name of ['gw-1', 'gw-2', 'gw-3']) await cp.request('POST', base, { token: own.token, json: { name } });

      const first = await cp.request('GET', base, { token: own.token });
      expect(first.body).toMatchObject({ totalElements: 3, pageNumber: 0, pageSize: 30 });
      expect(first.body.content.map((g: { name: string }) => g.name)).toEqual(['gw-1', 'gw-2', 'gw-3']);
      const second = await cp.request('GET', `${base}?pageSize=2&pageNumber=1`, { token: own.token });
      expect(second.body).toMatchObject({ totalElements: 3, pageNumber: 1, pageSize: 2, content: [{ name: 'gw-3' }] });
      expect((await cp.request('GET', `${base}?pageSize=150`, { token: own.token })).body.pageSize).toBe(100);
      // As live: past the end is an empty page with totalElements 0.
      expect((await cp.request('GET', `${base}?pageNumber=9`, { token: own.token })).body).toEqual({
        content: [],
        totalElements: 0,
        pageNumber: 9,
        pageSize: 30,
      });

      for (const size of ['200', '0']) {
        const res = await cp.request('GET', `${base}?pageSize=${size}`, { token: own.token });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'TARGET_PAGE_SIZE_INVALID', message: 'Wrong page size' });
      }
    });

    it('soft-deletes with 202, then shows DELETED and answers a repeat with "This target was already deleted"', async () => {
      const gw = await createGateway();
      const res = await cp.request('DELETE', `${gateways}/${gw.id}`, { token: tenant.token });
      expect(res.status).toBe(202);
      expect((await cp.request('GET', `${gateways}/${gw.id}`, { token: tenant.token })).body.status).toBe('DELETED');
      const again = await cp.request('DELETE', `${gateways}/${gw.id}`, { token: tenant.token });
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ code: 'TARGET_ALREADY_DELETED', message: 'This target was already deleted' });
    });

    it('refuses to delete a gateway that still has deployments', async () => {
      const gw = await createGateway();
      const api = await testPrisma().apiInstance.create({
        data: {
          organizationId: tenant.organizationId,
          environmentId: tenant.sandboxId,
          groupId: tenant.organizationId,
          assetId: uniqueName('mcp'),
          assetVersion: '1.0.0',
          productVersion: 'v1.0',
          technology: 'flexGateway',
        },
      });
      await testPrisma().deployment.create({
        data: {
          apiId: api.id,
          organizationId: tenant.organizationId,
          environmentId: tenant.sandboxId,
          type: 'HY',
          targetId: gw.id,
          targetName: gw.name,
          gatewayVersion: '1.0.0',
        },
      });
      const res = await cp.request('DELETE', `${gateways}/${gw.id}`, { token: tenant.token });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'TARGET_IN_USE', message: expect.stringContaining(String(api.id)) });
      expect((await testPrisma().gatewayTarget.findUniqueOrThrow({ where: { id: gw.id } })).deletedAt).toBeNull();
    });

    it('answers "Gateway not found by id" for a non-UUID, unknown or other tenant gateway', async () => {
      const other = await newTenant(cp);
      const foreign = await cp.request(
        'POST',
        `/standalone/api/v1/organizations/${other.organizationId}/environments/${other.sandboxId}/gateways`,
        {
          token: other.token,
          json: { name: 'theirs' },
        },
      );
      for (const id of ['nope', randomUUID(), foreign.body.id]) {
        for (const [method, path] of [
          ['GET', `${gateways}/${id}`],
          ['GET', `${gateways}/${id}/replicas`],
          ['DELETE', `${gateways}/${id}`],
        ] as const) {
          const res = await cp.request(method, path, { token: tenant.token });
          expect(res.status).toBe(404);
          expect(res.body).toMatchObject({ code: 'TARGET_NOT_FOUND', message: 'Gateway not found by id' });
        }
      }
      expect((await testPrisma().gatewayTarget.findUniqueOrThrow({ where: { id: foreign.body.id } })).deletedAt).toBeNull();
    });

    it('rejects bad bodies naming the problem and writes nothing', async () => {
      const before = await testPrisma().gatewayTarget.count();
      const cases: [Parameters<TestControlPlane['request']>[2], number, RegExp][] = [
        [{ raw: '{"name": ' }, 400, /^Malformed JSON body|JSON/],
        [{ json: { name: 42 } }, 400, /^body\.name: /],
        [{ json: { name: 'bad name!' } }, 400, /^body\.name: must be 1-64 letters/],
        [{ json: {} }, 400, /^body\.name: /],
        [{ json: { name: 'x'.repeat(2 * 1024 * 1024) } }, 413, /too large|larger than the allowed limit/],
      ];
      for (const [options, status, message] of cases) {
        const res = await cp.request('POST', gateways, { token: tenant.token, ...options });
        expect(res.status).toBe(status);
        expect(res.body.message).toMatch(message);
      }
      expect(await testPrisma().gatewayTarget.count()).toBe(before);
    });

    it('needs read:servers to read and manage:servers to create or delete', async () => {
      const reader = await newUser(cp, tenant.organizationId, ['read:servers']);
      expect((await cp.request('GET', gateways, { token: reader.token })).status).toBe(200);
      expect((await cp.request('POST', gateways, { token: reader.token, json: { name: uniqueName('gw') } })).status).toBe(403);
      const gw = await createGateway();
      expect((await cp.request('DELETE', `${gateways}/${gw.id}`, { token: reader.token })).status).toBe(403);
      const nobody = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
      expect((await cp.request('GET', gateways, { token: nobody.token })).status).toBe(403);
    });
  });

  describe('registration tokens', () => {
    it('mints a one-time token, stored only as its SHA-256 with the configured expiry', async () => {
      const before = Date.now();
      const res = await cp.request('POST', tokens, { token: tenant.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ registrationToken: expect.any(String), expiresAt: expect.any(String) });
      const token = res.body.registrationToken as string;
      const row = await testPrisma().registrationToken.findUniqueOrThrow({ where: { tokenHash: sha256(token) } });
      expect(res.body.expiresAt).toBe(row.expiresAt.toISOString());
      expect(row).toMatchObject({
        organizationId: tenant.organizationId,
        environmentId: tenant.sandboxId,
        usedAt: null,
        targetId: null,
      });
      const ttl = cp.env.PORTICO_REGISTRATION_TOKEN_TTL_SECONDS * 1000;
      expect(row.expiresAt.getTime()).toBeGreaterThanOrEqual(before + ttl - 1000);
      expect(row.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + ttl + 1000);
      const stored = await testPrisma().registrationToken.count({ where: { tokenHash: token } });
      expect(stored).toBe(0);
      const second = await cp.request('POST', tokens, { token: tenant.token, json: {} });
      expect(second.body.registrationToken).not.toBe(token);
    });

    it('answers GET with 405 and Allow: POST', async () => {
      const res = await cp.request('GET', tokens, { token: tenant.token });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(res.body.code).toBe('METHOD_NOT_ALLOWED');
    });

    it('needs manage:servers in the environment, and hides other tenants', async () => {
      const reader = await newUser(cp, tenant.organizationId, ['read:servers']);
      const count = await testPrisma().registrationToken.count();
      expect((await cp.request('POST', tokens, { token: reader.token })).status).toBe(403);
      const prodOnly = await newUser(cp, tenant.organizationId, ['manage:servers'], tenant.productionId);
      expect((await cp.request('POST', tokens, { token: prodOnly.token })).status).toBe(403);
      const other = await newTenant(cp);
      expect((await cp.request('POST', tokens, { token: other.token })).status).toBe(404);
      expect(await testPrisma().registrationToken.count()).toBe(count);
    });
  });

  describe('Gateway Manager (Terraform and console reads)', () => {
    const manager = (form: 'api' | 'xapi', t = tenant) =>
      `/gatewaymanager/${form}/v1/organizations/${t.organizationId}/environments/${t.sandboxId}/gateways`;

    it('shows each gateway with runtimeVersion, status and replicas on both forms, and its lifecycle', async () => {
      const gw = await createGateway();
      const fresh = await cp.request('GET', `${manager('xapi')}/${gw.id}`, { token: tenant.token });
      expect(fresh.status).toBe(200);
      expect(fresh.body).toMatchObject({
        id: gw.id,
        name: gw.name,
        targetId: gw.id,
        kind: 'selfManaged',
        status: 'NOT_RUNNING',
        runtimeVersion: PORTICO_GATEWAY_VERSION,
        environmentId: tenant.sandboxId,
        replicas: [
          { status: 'CONNECTED', count: 0 },
          { status: 'DISCONNECTED', count: 0 },
        ],
      });

      await addReplica(gw.id, { gatewayVersion: '9.8.7', lastSeenAt: new Date() });
      const running = await cp.request('GET', `${manager('api')}/${gw.id}`, { token: tenant.token });
      expect(running.body).toMatchObject({ status: 'RUNNING', runtimeVersion: '9.8.7', statusMessage: null });
      expect(running.body.replicas[0]).toMatchObject({ status: 'CONNECTED', count: 1 });

      const list = await cp.request('GET', `${manager('api')}?pageSize=100`, { token: tenant.token });
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ pageNumber: 0, pageSize: 100 });
      expect(list.body.content).toContainEqual(running.body);
      const selfManaged = await cp.request('GET', `${manager('xapi')}?kind=selfManaged&pageSize=100`, { token: tenant.token });
      expect(selfManaged.body.content.map((g: { id: string }) => g.id)).toContain(gw.id);
      const managed = await cp.request('GET', `${manager('xapi')}?kind=managed`, { token: tenant.token });
      expect(managed.body).toMatchObject({ content: [], totalElements: 0 });

      expect((await cp.request('DELETE', `${manager('api')}/${gw.id}`, { token: tenant.token })).status).toBe(202);
      const deleted = await cp.request('GET', `${manager('api')}/${gw.id}`, { token: tenant.token });
      expect(deleted.body).toMatchObject({ status: 'DELETED', desiredStatus: 'DELETED' });
    });

    it('names what it does not take, refuses to provision a managed gateway, and hides other tenants', async () => {
      const kind = await cp.request('GET', `${manager('api')}?kind=selfManaged`, { token: tenant.token });
      expect(kind.status).toBe(400);
      expect(kind.body.message).toMatch(/^query\.kind: is not a query parameter of this route/);
      const badKind = await cp.request('GET', `${manager('xapi')}?kind=cloud`, { token: tenant.token });
      expect(badKind.body.message).toBe('query.kind: must be selfManaged or managed');
      const create = await cp.request('POST', manager('api'), { token: tenant.token, json: { name: 'managed' } });
      expect(create.status).toBe(400);
      expect(create.body).toMatchObject({ code: 'MANAGED_GATEWAY_UNAVAILABLE' });
      expect(create.body.message).toContain('self-managed');

      const gw = await createGateway();
      const other = await newTenant(cp);
      const foreign = await cp.request('GET', `${manager('api', other)}/${gw.id}`, { token: other.token });
      expect(foreign.status).toBe(404);
      const reader = await newUser(cp, tenant.organizationId, ['read:servers']);
      expect((await cp.request('GET', `${manager('api')}/${gw.id}`, { token: reader.token })).status).toBe(200);
      expect((await cp.request('DELETE', `${manager('api')}/${gw.id}`, { token: reader.token })).status).toBe(403);
    });
  });
});
