/**
 * Seed 001 ("Protect MCP Server With Policies"), step by step as a person with curl would walk it:
 * every step's captured variables must be present and right, and every "Common issues" error
 * must answer with its status and message.
 */
import { newUser, closeTestPrisma, uniqueName } from './support/factories.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';

const POLICY_GROUP = '68ef9520-24e9-4cf2-b2f5-620025690913';

describe('seed 001: protect an MCP server with policies', () => {
  let cp: TestControlPlane;
  let token: string;
  const v: Record<string, any> = {};

  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const call = (method: string, path: string, json?: unknown) => cp.request(method, path, { token, json });

  it('prerequisites: login gives a bearer token, me gives $.user.organization.id', async () => {
    token = await cp.adminToken();
    const me = await call('GET', '/accounts/api/me');
    expect(me.status).toBe(200);
    v.organizationId = me.body.user.organization.id;
    expect(v.organizationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('step 1: publishes the MCP server to Exchange ($.groupId, $.assetId, $.version)', async () => {
    const assetId = uniqueName('walk-mcp');
    const res = await call('POST', '/exchange/api/v2/assets', {
      groupId: v.organizationId,
      assetId,
      version: '1.0.0',
      name: 'Walk MCP Server',
      type: 'mcp',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ groupId: v.organizationId, assetId, version: '1.0.0' });
    Object.assign(v, { groupId: res.body.groupId, assetId: res.body.assetId, assetVersion: res.body.version });
  });

  it('step 2: finds it in Exchange across organizations ($[*].groupId, assetId, version)', async () => {
    const res = await call('GET', '/exchange/api/v2/assets/search?types=mcp');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ groupId: v.groupId, assetId: v.assetId, version: v.assetVersion, type: 'mcp' }),
      ]),
    );
  });

  it('step 3: lists environments ($.data[*].id)', async () => {
    const res = await call('GET', `/accounts/api/organizations/${v.organizationId}/environments`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBeGreaterThanOrEqual(2);
    const sandbox = res.body.data.find((e: any) => e.name === 'Sandbox');
    expect(sandbox).toMatchObject({
      id: expect.any(String),
      organizationId: v.organizationId,
      type: 'sandbox',
      isProduction: false,
    });
    v.environmentId = sandbox.id;
  });

  it('step 4: selects the deployment target ($.rows[*].id, $.rows[*].name, gatewayVersion)', async () => {
    const res = await call(
      'GET',
      `/apimanager/xapi/v1/organizations/${v.organizationId}/environments/${v.environmentId}/gateway-targets`,
    );
    expect(res.status).toBe(200);
    const target = res.body.rows.find((r: any) => r.name === 'local-gateway');
    expect(target).toMatchObject({ id: expect.any(String), name: 'local-gateway', version: '1.0.0' });
    Object.assign(v, { targetId: target.id, targetName: target.name, gatewayVersion: target.version });
  });

  it('step 5: creates the API Manager instance ($.id); isCloudHub false is a validation error, null is fine', async () => {
    const path = `/apimanager/api/v1/organizations/${v.organizationId}/environments/${v.environmentId}/apis`;
    const body = (isCloudHub: boolean | null) => ({
      technology: 'flexGateway',
      spec: { groupId: v.groupId, assetId: v.assetId, version: v.assetVersion },
      endpoint: {
        deploymentType: 'HY',
        type: 'mcp',
        isCloudHub,
        uri: 'http://127.0.0.1:3001/',
        proxyUri: `http://0.0.0.0:${18000 + Math.floor(Math.random() * 1000)}/walk`,
      },
    });
    const refused = await call('POST', path, body(false));
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/isCloudHub/);

    const res = await call('POST', path, body(null));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      technology: 'flexGateway',
      endpoint: { type: 'mcp', isCloudHub: null },
    });
    v.environmentApiId = res.body.id;
  });

  it('step 6: deploys to the gateway with the flat body ($.id), and the common issues answer as documented', async () => {
    const path = `/proxies/xapi/v1/organizations/${v.organizationId}/environments/${v.environmentId}/apis/${v.environmentApiId}/deployments`;
    const body = {
      type: 'HY',
      targetId: v.targetId,
      targetName: v.targetName,
      gatewayVersion: v.gatewayVersion,
      environmentId: v.environmentId,
      overwrite: false,
    };
    const { environmentId: _e, ...noEnv } = body;
    const missingEnv = await call('POST', path, noEnv);
    expect(missingEnv.status).toBe(400);
    expect(missingEnv.body.message).toBe('Field environmentId is required for deployment type HY');

    const { gatewayVersion: _g, ...noVersion } = body;
    const missingVersion = await call('POST', path, noVersion);
    expect(missingVersion.status).toBe(400);
    expect(missingVersion.body.message).toBe('Field gatewayVersion is required for deployment type HY');

    const unknownVersion = await call('POST', path, { ...body, gatewayVersion: '9.9.9' });
    expect(unknownVersion.status).toBe(400);
    expect(unknownVersion.body.message).toBe('Policy implementations cannot be set because runtime version is unknown');

    const res = await call('POST', path, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      type: 'HY',
      targetId: v.targetId,
      environmentId: v.environmentId,
      apiId: v.environmentApiId,
    });
    v.deploymentId = res.body.id;

    const again = await call('POST', path, body);
    expect(again.status).toBe(409);

    const listed = await call('GET', path);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(String(v.deploymentId));
  });

  it('step 7: lists MCP server instances with family=agentic ($.assets[*].apis[*].id)', async () => {
    const res = await call(
      'GET',
      `/apimanager/api/v1/organizations/${v.organizationId}/environments/${v.environmentId}/apis?family=agentic`,
    );
    expect(res.status).toBe(200);
    const ids = res.body.assets.flatMap((a: any) => a.apis.map((api: any) => api.id));
    expect(ids).toContain(v.environmentApiId);
  });

  it('step 8: browses the Exchange policy catalog ($[*].groupId, assetId, version, configuration)', async () => {
    const res = await call(
      'GET',
      `/apimanager/xapi/v1/organizations/${v.organizationId}/exchange-policy-templates?apiInstanceId=${v.environmentApiId}&environmentId=${v.environmentId}&latest=true&includeConfiguration=true`,
    );
    expect(res.status).toBe(200);
    const support = res.body.find((t: any) => t.assetId === 'mcp-support');
    expect(support).toMatchObject({ groupId: POLICY_GROUP, version: expect.any(String), configuration: expect.any(Object) });
    const rateLimiting = res.body.find((t: any) => t.assetId === 'rate-limiting');
    expect(rateLimiting.configuration.properties).toHaveProperty('rateLimits');
    Object.assign(v, {
      policyGroupId: support.groupId,
      policyAssetId: support.assetId,
      policyAssetVersion: support.version,
      rateLimitingVersion: rateLimiting.version,
    });
  });

  it('step 9: applies the policy ($.id), with the documented 400, 409 and 403 answers', async () => {
    const path = `/apimanager/api/v1/organizations/${v.organizationId}/environments/${v.environmentId}/apis/${v.environmentApiId}/policies`;
    const missing = await call('POST', path, { assetId: v.policyAssetId, configurationData: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe(
      "The policy to be created is missing at least one of the following properties related to the policy template: 'groupId', 'assetId', 'assetVersion'.",
    );

    const res = await call('POST', path, {
      groupId: v.policyGroupId,
      assetId: v.policyAssetId,
      assetVersion: v.policyAssetVersion,
      configurationData: {},
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(Number), assetId: 'mcp-support', apiId: v.environmentApiId, order: 1 });
    v.policyId = res.body.id;

    const duplicate = await call('POST', path, {
      groupId: v.policyGroupId,
      assetId: v.policyAssetId,
      assetVersion: v.policyAssetVersion,
      configurationData: {},
    });
    expect(duplicate.status).toBe(409);
    const allowed = await call('POST', `${path}?allowDuplicated=true`, {
      groupId: v.policyGroupId,
      assetId: v.policyAssetId,
      assetVersion: v.policyAssetVersion,
      configurationData: {},
    });
    expect(allowed.status).toBe(201);

    const invalid = await call('POST', path, {
      groupId: POLICY_GROUP,
      assetId: 'rate-limiting',
      assetVersion: v.rateLimitingVersion,
      configurationData: { rateLimits: [{ maximumRequests: 'lots', timePeriodInMilliseconds: 60000 }] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/maximumRequests/);

    const viewer = await newUser(cp, v.organizationId, ['read:api_configuration', 'read:api_policies']);
    const forbidden = await cp.request('POST', path, {
      token: viewer.token,
      json: {
        groupId: POLICY_GROUP,
        assetId: 'rate-limiting',
        assetVersion: v.rateLimitingVersion,
        configurationData: { rateLimits: [{ maximumRequests: 10, timePeriodInMilliseconds: 60000 }] },
      },
    });
    expect(forbidden.status).toBe(403);
  });

  it('completion: the policy is in the instance policy list and the instance is bound to the target', async () => {
    const base = `/apimanager/api/v1/organizations/${v.organizationId}/environments/${v.environmentId}/apis/${v.environmentApiId}`;
    const policies = await call('GET', `${base}/policies`);
    expect(policies.status).toBe(200);
    expect(policies.body.policies.map((p: any) => p.policyId)).toContain(v.policyId);
    const api = await call('GET', base);
    expect(api.body.deployment).toMatchObject({ id: v.deploymentId, targetId: v.targetId, targetName: 'local-gateway' });
  });
});
