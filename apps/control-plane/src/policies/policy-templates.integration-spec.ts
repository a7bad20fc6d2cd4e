import { genericForm, POLICY_GROUP_ID, POLICY_TEMPLATES } from '#portico/policy-catalog';
import { BUNDLED_POLICY_TYPES } from '#portico/gateway-release';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newApiInstance,
  newTenant,
  newUser,
  type TestTenant,
  testPrisma,
} from '../../test/support/factories.js';

const XAPI = (orgId: string) => `/apimanager/xapi/v1/organizations/${orgId}/exchange-policy-templates`;
const GENERIC = (orgId: string) => `/apimanager/api/v1/organizations/${orgId}/policy-templates`;

const MCP_ONLY = POLICY_TEMPLATES.filter((t) => t.mcpOnly).map((t) => t.assetId);

describe('policy catalog', () => {
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

  describe('seeding', () => {
    it('stores every built-in template as a public, published Exchange policy asset with its PolicyTemplate', async () => {
      const rows = await testPrisma().exchangeAsset.findMany({
        where: { groupId: POLICY_GROUP_ID, type: 'policy' },
        include: { policyTemplate: true },
      });
      for (const t of POLICY_TEMPLATES) {
        const row = rows.find((r) => r.assetId === t.assetId && r.version === t.version);
        expect(row).toMatchObject({
          organizationId: POLICY_GROUP_ID,
          isPublic: true,
          status: 'published',
          name: t.name,
          deletedAt: null,
        });
        expect(row?.policyTemplate).toMatchObject({ key: t.assetId, category: t.category });
      }
    });

    it('is idempotent: another start neither duplicates nor rewrites rows', async () => {
      const snapshot = () =>
        testPrisma().exchangeAsset.findMany({
          where: { groupId: POLICY_GROUP_ID },
          include: { policyTemplate: true },
          orderBy: { id: 'asc' },
        });
      const before = await snapshot();
      const [a, b] = await Promise.all([startControlPlane(), startControlPlane()]);
      await Promise.all([a.close(), b.close()]);
      expect(await snapshot()).toEqual(before);
    });

    it('restores a built-in template deleted in Exchange', async () => {
      await testPrisma().exchangeAsset.updateMany({
        where: { groupId: POLICY_GROUP_ID, assetId: 'header-removal' },
        data: { status: 'deleted', deletedAt: new Date() },
      });
      const other = await startControlPlane();
      await other.close();
      const row = await testPrisma().exchangeAsset.findFirst({ where: { groupId: POLICY_GROUP_ID, assetId: 'header-removal' } });
      expect(row).toMatchObject({ status: 'published', deletedAt: null });
    });
  });

  describe('GET exchange-policy-templates', () => {
    it('lists every template with coordinates, version and assetVersion, and the gateway JSON Schema', async () => {
      const res = await cp.request('GET', XAPI(tenant.organizationId), { token: tenant.token });
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body)).toBe(true);
      expect(res.body.map((i: any) => i.assetId).sort()).toEqual(POLICY_TEMPLATES.map((t) => t.assetId).sort());
      for (const t of POLICY_TEMPLATES) {
        const item = res.body.find((i: any) => i.assetId === t.assetId);
        expect(item).toEqual({
          audit: { created: { date: expect.any(String) }, updated: expect.any(Object) },
          id: expect.any(Number),
          groupId: POLICY_GROUP_ID,
          assetId: t.assetId,
          version: t.version,
          assetVersion: t.version,
          name: t.name,
          description: t.description,
          type: 'policy',
          category: t.category,
          isOOTB: true,
          // what this release's gateway enforces; the others cannot be applied to deployed APIs
          enforced: BUNDLED_POLICY_TYPES.includes(t.assetId),
          stage: 'release',
          status: 'published',
          orgId: POLICY_GROUP_ID,
          configuration: JSON.parse(JSON.stringify(t.schema)),
          allVersions: [{ groupId: POLICY_GROUP_ID, assetId: t.assetId, version: t.version }],
        });
      }
      const clientId = res.body.find((i: any) => i.assetId === 'client-id-enforcement');
      expect(Object.keys(clientId.configuration.properties)).toContain('credentialsOriginHasHttpBasicAuthenticationHeader');
      expect(
        res.body.find((i: any) => i.assetId === 'http-basic-authentication').configuration.properties.password['x-sensitive'],
      ).toBe(true);
    });

    it('takes seed 001 step 8 query as is, and leaves out the schema with includeConfiguration=false', async () => {
      const api = await newApiInstance(tenant);
      const full = await cp.request(
        'GET',
        `${XAPI(tenant.organizationId)}?apiInstanceId=${api.id}&environmentId=${tenant.sandboxId}&latest=true&includeConfiguration=true`,
        { token: tenant.token },
      );
      expect(full.status).toBe(200);
      expect(full.body.map((i: any) => i.assetId)).toContain('mcp-support');
      const bare = await cp.request('GET', `${XAPI(tenant.organizationId)}?includeConfiguration=false`, { token: tenant.token });
      expect(bare.body.every((i: any) => !('configuration' in i))).toBe(true);
    });

    it('offers MCP-only templates for MCP instances only, and nothing for a technology without implementations', async () => {
      const mcp = await newApiInstance(tenant);
      const http = await newApiInstance(tenant, { endpointType: 'http' });
      const mule = await newApiInstance(tenant, { technology: 'mule4', endpointType: 'http' });
      const ids = async (apiId: number) =>
        (await cp.request('GET', `${XAPI(tenant.organizationId)}?apiInstanceId=${apiId}`, { token: tenant.token })).body.map(
          (i: any) => i.assetId,
        );
      expect(await ids(mcp.id)).toEqual(expect.arrayContaining([...MCP_ONLY, 'rate-limiting']));
      const forHttp = await ids(http.id);
      expect(forHttp).toContain('rate-limiting');
      for (const assetId of MCP_ONLY) expect(forHttp).not.toContain(assetId);
      expect(await ids(mule.id)).toEqual([]);
    });

    it('leaves MCP templates out of automatedOnly=true', async () => {
      const res = await cp.request('GET', `${XAPI(tenant.organizationId)}?automatedOnly=true`, { token: tenant.token });
      expect(res.body.map((i: any) => i.assetId)).toContain('rate-limiting');
      for (const assetId of MCP_ONLY) expect(res.body.map((i: any) => i.assetId)).not.toContain(assetId);
    });

    it('answers 404 for an API instance of another organization, a malformed one, or one outside environmentId', async () => {
      const other = await newTenant(cp);
      const foreign = await newApiInstance(other);
      const res = await cp.request('GET', `${XAPI(tenant.organizationId)}?apiInstanceId=${foreign.id}`, { token: tenant.token });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        code: 'API_NOT_FOUND',
        message: `API instance ${foreign.id} not found`,
      });

      const malformed = await cp.request('GET', `${XAPI(tenant.organizationId)}?apiInstanceId=12abc`, { token: tenant.token });
      expect(malformed.status).toBe(404);
      expect(malformed.body.message).toBe('API instance 12abc not found');

      const api = await newApiInstance(tenant);
      const elsewhere = await cp.request(
        'GET',
        `${XAPI(tenant.organizationId)}?apiInstanceId=${api.id}&environmentId=${tenant.productionId}`,
        { token: tenant.token },
      );
      expect(elsewhere.status).toBe(404);
      const badEnv = await cp.request('GET', `${XAPI(tenant.organizationId)}?environmentId=${other.sandboxId}`, {
        token: tenant.token,
      });
      expect(badEnv.status).toBe(404);
      expect(badEnv.body.code).toBe('ENVIRONMENT_NOT_FOUND');
    });

    it('names a query flag that is not true/false', async () => {
      const res = await cp.request('GET', `${XAPI(tenant.organizationId)}?latest=yes`, { token: tenant.token });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: 'query.latest: must be true or false' });
    });

    it('needs View Policies', async () => {
      const viewer = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
      const res = await cp.request('GET', XAPI(tenant.organizationId), { token: viewer.token });
      expect(res.status).toBe(403);
      expect(res.body.message).toBe(
        `You need the View Policies permission (read:api_policies) in organization ${tenant.organizationId}`,
      );
      const reader = await newUser(cp, tenant.organizationId, ['read:api_policies']);
      expect((await cp.request('GET', XAPI(tenant.organizationId), { token: reader.token })).status).toBe(200);
    });
  });

  describe('GET exchange-policy-templates/:groupId/:assetId/:assetVersion', () => {
    it('returns one template', async () => {
      const res = await cp.request('GET', `${XAPI(tenant.organizationId)}/${POLICY_GROUP_ID}/rate-limiting/1.4.1`, {
        token: tenant.token,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        assetId: 'rate-limiting',
        version: '1.4.1',
        assetVersion: '1.4.1',
        configuration: { required: ['rateLimits'] },
      });
      expect(res.body.allVersions).toEqual([{ groupId: POLICY_GROUP_ID, assetId: 'rate-limiting', version: '1.4.1' }]);
    });

    it('answers 404 naming the coordinates, and the versions that exist', async () => {
      const version = await cp.request('GET', `${XAPI(tenant.organizationId)}/${POLICY_GROUP_ID}/rate-limiting/9.9.9`, {
        token: tenant.token,
      });
      expect(version.status).toBe(404);
      expect(version.body).toMatchObject({
        name: 'NotFoundError',
        code: 'POLICY_TEMPLATE_NOT_FOUND',
        message: `Policy template ${POLICY_GROUP_ID}/rate-limiting has no version 9.9.9; available versions: 1.4.1`,
      });
      const asset = await cp.request('GET', `${XAPI(tenant.organizationId)}/${POLICY_GROUP_ID}/xml-threat-protection/1.0.0`, {
        token: tenant.token,
      });
      expect(asset.status).toBe(404);
      expect(asset.body.message).toBe(`Policy template ${POLICY_GROUP_ID}/xml-threat-protection/1.0.0 not found in Exchange`);
    });
  });

  describe('GET policy-templates (generic)', () => {
    /** One entry a template: its latest version. */
    const TEMPLATE_COUNT = new Set(POLICY_TEMPLATES.map((t) => t.assetId)).size;

    it('lists the generic form as a bare array: ids are asset ids, generic property names, no Exchange coordinates', async () => {
      const res = await cp.request('GET', GENERIC(tenant.organizationId), { token: tenant.token });
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(TEMPLATE_COUNT);
      expect(res.text).not.toContain(POLICY_GROUP_ID);
      for (const item of res.body) {
        expect(Object.keys(item).sort()).toEqual([
          'audit',
          'category',
          'configuration',
          'description',
          'enforced',
          'id',
          'name',
          'type',
        ]);
      }
      expect(res.body.map((i: any) => i.id)).toEqual([...new Set(POLICY_TEMPLATES.map((t) => t.assetId))]);
      const clientId = res.body.find((i: any) => i.id === 'client-id-enforcement');
      expect(clientId.name).toBe('Client ID Enforcement');
      expect(clientId.configuration.map((p: any) => p.propertyName)).toEqual([
        'credentialsOrigin',
        'clientIdExpression',
        'clientSecretExpression',
      ]);
      expect(clientId.configuration[0]).toMatchObject({
        name: 'Credentials Origin',
        type: 'radio',
        optional: true,
        sensitive: false,
        defaultValue: 'customExpression',
      });
      const basic = res.body.find((i: any) => i.id === 'http-basic-authentication');
      expect(basic.configuration).toEqual(
        JSON.parse(JSON.stringify(genericForm(POLICY_TEMPLATES.find((t) => t.assetId === 'http-basic-authentication')!))),
      );
    });

    it('filters by apiInstanceId like the Exchange catalog', async () => {
      const http = await newApiInstance(tenant, { endpointType: 'http' });
      const res = await cp.request('GET', `${GENERIC(tenant.organizationId)}?apiInstanceId=${http.id}`, { token: tenant.token });
      expect(res.body).toHaveLength(new Set(POLICY_TEMPLATES.filter((t) => !t.mcpOnly).map((t) => t.assetId)).size);
    });

    it('gets one by its string id (the latest version); an unknown id gets the Anypoint message', async () => {
      const list = await cp.request('GET', GENERIC(tenant.organizationId), { token: tenant.token });
      const one = await cp.request('GET', `${GENERIC(tenant.organizationId)}/rate-limiting`, { token: tenant.token });
      expect(one.status).toBe(200);
      expect(one.body).toEqual(list.body.find((i: any) => i.id === 'rate-limiting'));
      for (const id of ['999999999', 'no-such-policy']) {
        const unknown = await cp.request('GET', `${GENERIC(tenant.organizationId)}/${id}`, { token: tenant.token });
        expect(unknown.status).toBe(404);
        expect(unknown.body).toMatchObject({
          code: 'POLICY_TEMPLATE_NOT_FOUND',
          message: 'There is no policy template defined under the specified id.',
        });
      }
    });
  });
});
