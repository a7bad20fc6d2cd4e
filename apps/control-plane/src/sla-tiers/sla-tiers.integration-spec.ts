import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newApiInstance,
  newTenant,
  newUser,
  testPrisma,
  uniqueName,
  type TestTenant,
} from '../../test/support/factories.js';
import { SecretBox } from '../common/secret-box.js';
import { ConfigSyncRepository } from '../config-sync/config-sync.repository.js';
import { buildSnapshot } from '../config-sync/snapshot.js';

const GOLD = { maximumRequests: 1000, timePeriodInMilliseconds: 60_000 };
const SILVER = { maximumRequests: 100, timePeriodInMilliseconds: 60_000 };

describe('SLA tiers', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;

  const newApi = async (t: TestTenant, fields: { approvalMethod?: string; proxyPort?: number } = {}) =>
    (
      await newApiInstance(t, {
        approvalMethod: fields.approvalMethod ?? null,
        ...(fields.proxyPort ? { proxyPort: fields.proxyPort, proxyBasePath: '/sla' } : {}),
      })
    ).id;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const apis = (t: TestTenant, env = t.sandboxId) =>
    `/apimanager/api/v1/organizations/${t.organizationId}/environments/${env}/apis`;
  const tiers = (t: TestTenant, api: number) => `${apis(t)}/${api}/tiers`;
  const contracts = (t: TestTenant, api: number) => `${apis(t)}/${api}/contracts`;
  const apps = (t: TestTenant) => `/exchange/api/v2/organizations/${t.organizationId}/applications`;

  const newTier = async (api: number, body: Record<string, unknown> = {}) => {
    const res = await cp.request('POST', tiers(tenant, api), {
      token: tenant.token,
      json: { name: uniqueName('tier'), limits: [GOLD], ...body },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const newApp = async () =>
    (await cp.request('POST', apps(tenant), { token: tenant.token, json: { name: uniqueName('app') } })).body;
  const requestContract = (api: number, json: Record<string, unknown>) =>
    cp.request('POST', contracts(tenant, api), { token: tenant.token, json });

  describe('REST', () => {
    it('creates, lists, gets, replaces and deletes a tier', async () => {
      const api = await newApi(tenant);
      const created = await cp.request('POST', tiers(tenant, api), {
        token: tenant.token,
        json: { name: 'Gold', description: 'for partners', limits: [GOLD, { ...SILVER, visible: false }] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        audit: { created: { date: expect.any(String) }, updated: { date: expect.any(String) } },
        masterOrganizationId: tenant.organizationId,
        organizationId: tenant.organizationId,
        id: expect.any(Number),
        apiId: api,
        name: 'Gold',
        description: 'for partners',
        limits: [
          { ...GOLD, visible: true },
          { ...SILVER, visible: false },
        ],
        status: 'ACTIVE',
        autoApprove: false,
        applicationCount: 0,
      });
      const id = created.body.id as number;
      const silver = await newTier(api, { name: 'Silver', limits: [SILVER], status: 'DEPRECATED', autoApprove: true });
      expect(silver).toMatchObject({ status: 'DEPRECATED', autoApprove: true, description: null });

      const list = await cp.request('GET', tiers(tenant, api), { token: tenant.token });
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(2);
      expect(list.body.tiers.map((t: { id: number }) => t.id)).toEqual([id, silver.id]);
      const page = await cp.request('GET', `${tiers(tenant, api)}?offset=1&limit=1`, { token: tenant.token });
      expect(page.body).toMatchObject({ total: 2, tiers: [{ id: silver.id }] });

      expect((await cp.request('GET', `${tiers(tenant, api)}/${id}`, { token: tenant.token })).body).toEqual(created.body);

      const replaced = await cp.request('PUT', `${tiers(tenant, api)}/${id}`, {
        token: tenant.token,
        json: { name: 'Platinum', limits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000 }], autoApprove: true },
      });
      expect(replaced.status).toBe(200);
      // PUT replaces: the description left out is gone
      expect(replaced.body).toMatchObject({
        id,
        name: 'Platinum',
        description: null,
        limits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000, visible: true }],
        status: 'ACTIVE',
        autoApprove: true,
      });

      expect((await cp.request('DELETE', `${tiers(tenant, api)}/${id}`, { token: tenant.token })).status).toBe(204);
      const gone = await cp.request('GET', `${tiers(tenant, api)}/${id}`, { token: tenant.token });
      expect(gone.status).toBe(404);
      expect(gone.body).toMatchObject({ code: 'SLA_TIER_NOT_FOUND', message: `Tier ${id} not found` });
      expect((await cp.request('DELETE', `${tiers(tenant, api)}/${id}`, { token: tenant.token })).status).toBe(404);
    });

    it('answers bad bodies with 400 naming the field and writes nothing', async () => {
      const api = await newApi(tenant);
      const cases: [Record<string, unknown>, string | RegExp][] = [
        [{ name: 'a', limits: [GOLD], tierType: 'x' }, 'body: Unrecognized key: "tierType"'],
        [{ limits: [GOLD] }, 'body.name: is required'],
        [{ name: '  ', limits: [GOLD] }, 'body.name: is required'],
        [{ name: 'x'.repeat(256), limits: [GOLD] }, 'body.name: must be at most 255 characters'],
        [{ name: 'a' }, /^body\.limits: is required/],
        [{ name: 'a', limits: [] }, 'body.limits: must hold at least one limit'],
        [{ name: 'a', limits: Array.from({ length: 21 }, () => GOLD) }, 'body.limits: must hold at most 20 limits'],
        [
          { name: 'a', limits: [{ ...GOLD, maximumRequests: 0 }] },
          'body.limits.0.maximumRequests: must be an integer from 1 to 2147483647',
        ],
        [
          { name: 'a', limits: [GOLD, { ...GOLD, timePeriodInMilliseconds: 1.5 }] },
          'body.limits.1.timePeriodInMilliseconds: must be an integer from 1 to 2147483647',
        ],
        [{ name: 'a', limits: [{ ...GOLD, burst: 3 }] }, 'body.limits.0: Unrecognized key: "burst"'],
        [{ name: 'a', limits: [{ ...GOLD, visible: 'yes' }] }, 'body.limits.0.visible: must be a boolean'],
        [{ name: 'a', limits: [GOLD], status: 'RETIRED' }, 'body.status: must be ACTIVE or DEPRECATED'],
        [{ name: 'a', limits: [GOLD], autoApprove: 'true' }, 'body.autoApprove: must be a boolean'],
      ];
      for (const [json, message] of cases) {
        const res = await cp.request('POST', tiers(tenant, api), { token: tenant.token, json });
        expect({ json, status: res.status, code: res.body.code }).toEqual({ json, status: 400, code: 'VALIDATION_FAILED' });
        if (typeof message === 'string') expect(res.body.message).toBe(message);
        else expect(res.body.message).toMatch(message);
      }
      const tier = await newTier(api);
      const badPut = await cp.request('PUT', `${tiers(tenant, api)}/${tier.id}`, {
        token: tenant.token,
        json: { name: 'b', limits: [GOLD], applicationCounts: 3 },
      });
      expect(badPut.status).toBe(400);
      expect(badPut.body.message).toBe('body: Unrecognized key: "applicationCounts"');
      const otherApi = await cp.request('PUT', `${tiers(tenant, api)}/${tier.id}`, {
        token: tenant.token,
        json: { name: 'b', limits: [GOLD], apiVersionId: String(api + 1000) },
      });
      expect(otherApi.status).toBe(400);
      expect(otherApi.body).toMatchObject({
        code: 'SLA_TIER_API_MISMATCH',
        message: `apiVersionId ${api + 1000} is not the API instance of this route (${api})`,
      });
      expect((await cp.request('GET', `${tiers(tenant, api)}/${tier.id}`, { token: tenant.token })).body.name).toBe(tier.name);
      const badQuery = await cp.request('GET', `${tiers(tenant, api)}?status=ACTIVE`, { token: tenant.token });
      expect(badQuery.status).toBe(400);
      expect(badQuery.body.message).toMatch(/^query\.status: is not a query parameter of this route/);
      expect(await testPrisma().slaTier.count({ where: { apiId: api } })).toBe(1);
    });

    it('lists by name search and sort as anypoint-cli asks, and takes back a tier as GET showed it', async () => {
      const api = await newApi(tenant);
      for (const name of ['Gold', 'Silver', 'Bronze']) await newTier(api, { name });
      const list = async (query: string) =>
        (await cp.request('GET', `${tiers(tenant, api)}?${query}`, { token: tenant.token })).body.tiers.map(
          (t: { name: string }) => t.name,
        );
      expect(await list('sort=name&ascending=true&query=&limit=10&offset=0')).toEqual(['Bronze', 'Gold', 'Silver']);
      expect(await list('sort=name&ascending=false')).toEqual(['Silver', 'Gold', 'Bronze']);
      expect(await list('query=OL')).toEqual(['Gold']);
      // tier copy sends a read-back tier with its read-only fields: they are ignored, the route decides
      const gold = (await cp.request('GET', tiers(tenant, api), { token: tenant.token })).body.tiers.find(
        (t: { name: string }) => t.name === 'Gold',
      );
      const replaced = await cp.request('PUT', `${tiers(tenant, api)}/${gold.id}`, {
        token: tenant.token,
        json: { ...gold, description: 'copied', apiId: api + 1000, applicationCount: 9 },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ id: gold.id, apiId: api, description: 'copied', applicationCount: 0 });
    });

    it('refuses a second tier of the same name on an API with 409, not on another API', async () => {
      const api = await newApi(tenant);
      const gold = await newTier(api, { name: 'Gold' });
      const again = await cp.request('POST', tiers(tenant, api), {
        token: tenant.token,
        json: { name: 'Gold', limits: [SILVER] },
      });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        code: 'SLA_TIER_ALREADY_EXISTS',
        message: `API instance ${api} already has a tier named "Gold"`,
      });
      const silver = await newTier(api, { name: 'Silver' });
      const rename = await cp.request('PUT', `${tiers(tenant, api)}/${silver.id}`, {
        token: tenant.token,
        json: { name: 'Gold', limits: [SILVER] },
      });
      expect(rename.status).toBe(409);
      expect((await cp.request('GET', `${tiers(tenant, api)}/${gold.id}`, { token: tenant.token })).body.limits).toEqual([
        { ...GOLD, visible: true },
      ]);
      await newTier(await newApi(tenant), { name: 'Gold' });
    });

    it('answers 404 for tiers and APIs of another API, environment or organization, and checks permissions', async () => {
      const api = await newApi(tenant);
      const otherApi = await newApi(tenant);
      const tier = await newTier(api);
      const foreign = await cp.request('GET', `${tiers(tenant, otherApi)}/${tier.id}`, { token: tenant.token });
      expect(foreign.status).toBe(404);
      expect(foreign.body.message).toBe(`Tier ${tier.id} not found`);
      for (const method of ['PUT', 'DELETE']) {
        const res = await cp.request(method, `${tiers(tenant, otherApi)}/${tier.id}`, {
          token: tenant.token,
          json: method === 'PUT' ? { name: 'x', limits: [GOLD] } : undefined,
        });
        expect({ method, status: res.status }).toEqual({ method, status: 404 });
      }
      const production = await cp.request('GET', `${apis(tenant, tenant.productionId)}/${api}/tiers/${tier.id}`, {
        token: tenant.token,
      });
      expect(production.body).toMatchObject({ status: 404, message: `API instance ${api} not found` });

      const other = await newTenant(cp);
      const fromOther = await cp.request('GET', `${tiers(other, api)}/${tier.id}`, { token: other.token });
      expect(fromOther.body).toMatchObject({ status: 404, message: `API instance ${api} not found` });
      const createFromOther = await cp.request('POST', tiers(other, api), {
        token: other.token,
        json: { name: 'x', limits: [GOLD] },
      });
      expect(createFromOther.status).toBe(404);

      expect((await cp.request('GET', `${tiers(tenant, api)}/abc`, { token: tenant.token })).body).toMatchObject({
        status: 404,
        message: 'Tier abc not found',
      });
      expect((await cp.request('GET', `${apis(tenant)}/1.5/tiers`, { token: tenant.token })).status).toBe(404);

      const viewer = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
      expect((await cp.request('GET', tiers(tenant, api), { token: viewer.token })).status).toBe(200);
      expect(
        (await cp.request('POST', tiers(tenant, api), { token: viewer.token, json: { name: 'x', limits: [GOLD] } })).status,
      ).toBe(403);
      expect((await cp.request('DELETE', `${tiers(tenant, api)}/${tier.id}`, { token: viewer.token })).status).toBe(403);
      expect(await testPrisma().slaTier.count({ where: { apiId: api } })).toBe(1);
    });

    it('refuses to delete a tier contracts run under with 409, and deletes it once they are gone', async () => {
      const api = await newApi(tenant);
      const tier = await newTier(api, { autoApprove: true });
      const contract = (await requestContract(api, { applicationId: (await newApp()).id, requestedTierId: tier.id })).body;
      expect(contract.status).toBe('APPROVED');
      expect((await cp.request('GET', `${tiers(tenant, api)}/${tier.id}`, { token: tenant.token })).body.applicationCount).toBe(
        1,
      );

      const inUse = await cp.request('DELETE', `${tiers(tenant, api)}/${tier.id}`, { token: tenant.token });
      expect(inUse.status).toBe(409);
      expect(inUse.body).toMatchObject({ code: 'SLA_TIER_IN_USE', message: `Tier ${tier.id} is used by 1 contract` });

      // a revoked contract still runs under the tier (approving it again restores it)
      await cp.request('POST', `${contracts(tenant, api)}/${contract.id}/revoke`, { token: tenant.token });
      expect((await cp.request('GET', `${tiers(tenant, api)}/${tier.id}`, { token: tenant.token })).body.applicationCount).toBe(
        0,
      );
      expect((await cp.request('DELETE', `${tiers(tenant, api)}/${tier.id}`, { token: tenant.token })).status).toBe(409);

      await cp.request('DELETE', `${contracts(tenant, api)}/${contract.id}`, { token: tenant.token });
      expect((await cp.request('DELETE', `${tiers(tenant, api)}/${tier.id}`, { token: tenant.token })).status).toBe(204);
    });
  });

  describe('contracts on tiers', () => {
    it('requires a tier when the API has an active one', async () => {
      const api = await newApi(tenant);
      await newTier(api);
      const res = await requestContract(api, { applicationId: (await newApp()).id });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'CONTRACT_TIER_REQUIRED', message: 'tier required' });
      expect(await testPrisma().contract.count({ where: { apiId: api } })).toBe(0);
    });

    it('takes no tier when the API has only deprecated ones', async () => {
      const api = await newApi(tenant);
      await newTier(api, { status: 'DEPRECATED' });
      const res = await requestContract(api, { applicationId: (await newApp()).id });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        status: 'APPROVED',
        tierId: null,
        tier: null,
        requestedTierId: null,
        requestedTier: null,
      });
    });

    it('refuses a deprecated tier with 400 and a tier of another API with 404', async () => {
      const api = await newApi(tenant);
      await newTier(api);
      const deprecated = await newTier(api, { status: 'DEPRECATED', autoApprove: true });
      const foreign = await newTier(await newApi(tenant), { autoApprove: true });
      const app = await newApp();

      const old = await requestContract(api, { applicationId: app.id, requestedTierId: deprecated.id });
      expect(old.status).toBe(400);
      expect(old.body).toMatchObject({ code: 'SLA_TIER_DEPRECATED', message: `Tier ${deprecated.id} is deprecated` });
      const elsewhere = await requestContract(api, { applicationId: app.id, requestedTierId: foreign.id });
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body).toMatchObject({ code: 'SLA_TIER_NOT_FOUND', message: `Tier ${foreign.id} not found` });
      const missing = await requestContract(api, { applicationId: app.id, requestedTierId: 2_147_483_647 });
      expect(missing.body).toMatchObject({ status: 404, message: 'Tier 2147483647 not found' });
      const badId = await requestContract(api, { applicationId: app.id, requestedTierId: 'gold' });
      expect(badId.status).toBe(400);
      expect(badId.body.message).toMatch(/^body\.requestedTierId: /);
      expect(await testPrisma().contract.count({ where: { apiId: api } })).toBe(0);
    });

    it('approves a contract on an auto-approve tier at once and shows the tier', async () => {
      const api = await newApi(tenant);
      const gold = await newTier(api, { name: 'Gold', description: 'partners', autoApprove: true });
      const app = await newApp();
      const res = await requestContract(api, { applicationId: app.id, requestedTierId: gold.id });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        status: 'APPROVED',
        approvedDate: expect.any(String),
        tierId: gold.id,
        tier: {
          id: gold.id,
          name: 'Gold',
          description: 'partners',
          limits: [{ ...GOLD, visible: true }],
          status: 'ACTIVE',
          autoApprove: true,
        },
        requestedTierId: null,
        requestedTier: null,
      });
      const listed = await cp.request('GET', `${contracts(tenant, api)}?coreServicesId=${app.clientId}`, { token: tenant.token });
      expect(listed.body.contracts[0]).toMatchObject({ tierId: gold.id, tier: { name: 'Gold' } });
      const ofApp = await cp.request('GET', `${apps(tenant)}/${app.id}/contracts`, { token: tenant.token });
      expect(ofApp.body[0]).toMatchObject({ tierId: gold.id, tier: { id: gold.id } });
    });

    it('keeps a contract pending on a tier that does not auto-approve, and approval puts it on the tier', async () => {
      const api = await newApi(tenant);
      const silver = await newTier(api, { name: 'Silver', limits: [SILVER] });
      const created = await requestContract(api, { applicationId: (await newApp()).id, requestedTierId: silver.id });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        status: 'PENDING',
        approvedDate: null,
        tierId: null,
        tier: null,
        requestedTierId: silver.id,
        requestedTier: { id: silver.id, name: 'Silver', limits: [{ ...SILVER, visible: true }], autoApprove: false },
      });
      expect((await cp.request('GET', `${tiers(tenant, api)}/${silver.id}`, { token: tenant.token })).body.applicationCount).toBe(
        0,
      );

      const approved = await cp.request('POST', `${contracts(tenant, api)}/${created.body.id}/approve`, { token: tenant.token });
      expect(approved.body).toMatchObject({
        status: 'APPROVED',
        tierId: silver.id,
        tier: { id: silver.id, name: 'Silver' },
        requestedTierId: null,
        requestedTier: null,
      });
      expect((await cp.request('GET', `${tiers(tenant, api)}/${silver.id}`, { token: tenant.token })).body.applicationCount).toBe(
        1,
      );
    });

    it('keeps a contract on an auto-approve tier pending when the API approves manually', async () => {
      const api = await newApi(tenant, { approvalMethod: 'manual' });
      const gold = await newTier(api, { autoApprove: true });
      const created = await requestContract(api, {
        applicationId: (await newApp()).id,
        requestedTierId: gold.id,
        requestAccessInfo: { reason: 'load test' },
      });
      expect(created.body).toMatchObject({ status: 'PENDING', tierId: null, requestedTierId: gold.id });
      const approved = await cp.request('POST', `${contracts(tenant, api)}/${created.body.id}/approve`, { token: tenant.token });
      expect(approved.body).toMatchObject({ status: 'APPROVED', tierId: gold.id, requestedTierId: null });
    });
  });

  describe('gateway configuration', () => {
    it("gives rate-limiting-sla-based each approved client's tier limits as managed data, and tier writes bump the revision", async () => {
      const api = await newApi(tenant, { proxyPort: 18_097 });
      const target = await testPrisma().gatewayTarget.create({
        data: { organizationId: tenant.organizationId, environmentId: tenant.sandboxId, name: uniqueName('gw') },
      });
      await testPrisma().deployment.create({
        data: {
          apiId: api,
          organizationId: tenant.organizationId,
          environmentId: tenant.sandboxId,
          type: 'HY',
          targetId: target.id,
          targetName: target.name,
          gatewayVersion: '1.0.0',
        },
      });
      // Managed data depends on the policy's assetId only, so the row is made directly.
      await testPrisma().appliedPolicy.create({
        data: {
          apiId: api,
          organizationId: tenant.organizationId,
          environmentId: tenant.sandboxId,
          templateId: (await testPrisma().policyTemplate.findFirstOrThrow()).id,
          groupId: '68ef9520-24e9-4cf2-b2f5-620025690913',
          assetId: 'rate-limiting-sla-based',
          assetVersion: '1.3.1',
          configurationData: {},
          order: 1,
        },
      });
      const revision = async () =>
        Number((await testPrisma().gatewayTarget.findUniqueOrThrow({ where: { id: target.id } })).configRevision);

      let before = await revision();
      const gold = await newTier(api, {
        name: 'Gold',
        autoApprove: true,
        limits: [GOLD, { maximumRequests: 10, timePeriodInMilliseconds: 1000, visible: false }],
      });
      expect(await revision()).toBeGreaterThan(before);
      const silver = await newTier(api, { name: 'Silver', limits: [SILVER] });

      const goldApp = await newApp();
      const silverApp = await newApp();
      const pendingApp = await newApp();
      await requestContract(api, { applicationId: goldApp.id, requestedTierId: gold.id });
      const silverContract = (await requestContract(api, { applicationId: silverApp.id, requestedTierId: silver.id })).body;
      await cp.request('POST', `${contracts(tenant, api)}/${silverContract.id}/approve`, { token: tenant.token });
      await requestContract(api, { applicationId: pendingApp.id, requestedTierId: silver.id });
      // a contract from before the API had tiers runs under none
      const untiered = await newApp();
      await testPrisma().contract.create({
        data: {
          apiId: api,
          applicationId: untiered.id,
          organizationId: tenant.organizationId,
          environmentId: tenant.sandboxId,
          status: 'APPROVED',
          approvedDate: new Date(),
        },
      });

      const managed = async () => {
        const loaded = await cp.app.get(ConfigSyncRepository).loadTarget(target.id);
        const box = cp.app.get(SecretBox);
        const snapshot = buildSnapshot(loaded!, (sealed) => box.open(sealed));
        const policy = snapshot.config.apis.find((a) => a.id === String(api))!.policies[0]!;
        expect(policy.type).toBe('rate-limiting-sla-based');
        return JSON.parse(policy.managedJson);
      };
      const hashOf = async (appId: number) =>
        (await testPrisma().clientApplication.findUniqueOrThrow({ where: { id: appId } })).clientSecretHash;
      expect(await managed()).toEqual({
        clients: {
          [goldApp.clientId]: {
            name: goldApp.name,
            secretHash: await hashOf(goldApp.id),
            limits: [GOLD, { maximumRequests: 10, timePeriodInMilliseconds: 1000 }],
          },
          [silverApp.clientId]: { name: silverApp.name, secretHash: await hashOf(silverApp.id), limits: [SILVER] },
          [untiered.clientId]: { name: untiered.name, secretHash: await hashOf(untiered.id), limits: null },
        },
      });

      before = await revision();
      await cp.request('PUT', `${tiers(tenant, api)}/${silver.id}`, {
        token: tenant.token,
        json: { name: 'Silver', limits: [{ maximumRequests: 50, timePeriodInMilliseconds: 1000 }] },
      });
      expect(await revision()).toBeGreaterThan(before);
      expect((await managed()).clients[silverApp.clientId].limits).toEqual([
        { maximumRequests: 50, timePeriodInMilliseconds: 1000 },
      ]);

      before = await revision();
      await cp.request('PATCH', `${apps(tenant)}/${untiered.id}`, { token: tenant.token, json: { name: uniqueName('renamed') } });
      expect(await revision()).toBeGreaterThan(before);

      const spare = await newTier(api);
      before = await revision();
      expect((await cp.request('DELETE', `${tiers(tenant, api)}/${spare.id}`, { token: tenant.token })).status).toBe(204);
      expect(await revision()).toBeGreaterThan(before);
    });
  });
});
