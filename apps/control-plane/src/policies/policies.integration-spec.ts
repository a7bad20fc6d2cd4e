import { stat } from 'node:fs/promises';
import path from 'node:path';
import { POLICY_GROUP_ID } from '#portico/policy-catalog';
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newApiInstance,
  newTenant,
  newUser,
  type TestTenant,
  testPrisma,
  uniqueName,
} from '../../test/support/factories.js';
import { SecretBox } from '../common/secret-box.js';

/** What a target whose gateways never reported enforces: the bundled release's policies. */

const GROUP = POLICY_GROUP_ID;
const MISSING_COORDINATES =
  "The policy to be created is missing at least one of the following properties related to the policy template: 'groupId', 'assetId', 'assetVersion'.";

const RATE_LIMITING = { groupId: GROUP, assetId: 'rate-limiting', assetVersion: '1.4.1' };
const MCP_SUPPORT = { groupId: GROUP, assetId: 'mcp-support', assetVersion: '1.0.1' };
const CLIENT_ID = { groupId: GROUP, assetId: 'client-id-enforcement', assetVersion: '1.3.3' };
const BASIC_AUTH = { groupId: GROUP, assetId: 'http-basic-authentication', assetVersion: '1.3.2' };
const HEADER_INJECTION = { groupId: GROUP, assetId: 'header-injection', assetVersion: '1.3.2' };
const rateLimit = (maximumRequests = 100) => ({
  ...RATE_LIMITING,
  configurationData: { rateLimits: [{ maximumRequests, timePeriodInMilliseconds: 60000 }] },
});

const policyCount = (apiId: number) => testPrisma().appliedPolicy.count({ where: { apiId } });
const storedOrder = async (apiId: number) =>
  (
    await testPrisma().appliedPolicy.findMany({ where: { apiId }, orderBy: { order: 'asc' }, select: { id: true, order: true } })
  ).map((p) => [p.id, p.order]);

describe('applied policies', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_BODY_LIMIT_BYTES: String(64 * 1024) });
    tenant = await newTenant(cp);
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const base = (apiId: number | string, t: TestTenant = tenant) =>
    `/apimanager/api/v1/organizations/${t.organizationId}/environments/${t.sandboxId}/apis/${apiId}/policies`;
  const xapi = (apiId: number, policyId: number | string) =>
    `/apimanager/xapi/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis/${apiId}/policies/${policyId}`;
  const apply = (apiId: number, json: unknown, query = '') =>
    cp.request('POST', `${base(apiId)}${query}`, { token: tenant.token, json });

  describe('POST (seed 001 step 9)', () => {
    it('applies mcp-support {} first and answers the §6.1 policy object', async () => {
      const api = await newApiInstance(tenant);
      const res = await apply(api.id, { ...MCP_SUPPORT, configurationData: {}, pointcutData: null, order: 1 });
      expect(res.status).toBe(201);
      const template = await testPrisma().policyTemplate.findFirst({
        where: { asset: { groupId: GROUP, assetId: 'mcp-support', version: '1.0.1' } },
      });
      expect(res.body).toEqual({
        audit: { created: { date: expect.any(String) }, updated: { date: expect.any(String) } },
        masterOrganizationId: tenant.organizationId,
        organizationId: tenant.organizationId,
        id: expect.any(Number),
        policyTemplateId: String(template!.id),
        configurationData: {},
        order: 1,
        disabled: false,
        mode: 'enforce',
        pointcutData: null,
        groupId: GROUP,
        assetId: 'mcp-support',
        assetVersion: '1.0.1',
        type: 'system',
        apiId: api.id,
        label: null,
        upstreamIds: [],
        implementationAsset: { assetId: 'mcp-support-flex', groupId: GROUP, version: '1.0.1', technology: 'flexGateway' },
      });
      expect(await policyCount(api.id)).toBe(1);
    });

    it('refuses a body without Exchange coordinates with the Anypoint message (the UI body of seed S8)', async () => {
      const api = await newApiInstance(tenant);
      for (const body of [
        { policyTemplateId: 289307, apiVersionId: 15694893, id: null, pointcutData: null, configurationData: {} },
        { groupId: GROUP, assetId: 'rate-limiting', configurationData: {} },
        { groupId: GROUP, assetId: '', assetVersion: '1.4.1' },
      ]) {
        const res = await apply(api.id, body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          name: 'BadRequestError',
          code: 'POLICY_TEMPLATE_COORDINATES_MISSING',
          message: MISSING_COORDINATES,
        });
      }
      expect(await policyCount(api.id)).toBe(0);
    });

    it('applies the latest version of a template named only by a Mule 3 style policyTemplateId (anypoint-cli without --policyVersion)', async () => {
      const api = await newApiInstance(tenant);
      const res = await apply(api.id, {
        policyTemplateId: 'rate-limiting',
        apiVersionId: String(api.id),
        id: null,
        pointcutData: null,
        configurationData: rateLimit().configurationData,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject(RATE_LIMITING);
      const unknown = await apply(api.id, { policyTemplateId: 'no-such-policy', configurationData: {} });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({
        code: 'POLICY_TEMPLATE_NOT_FOUND',
        message: 'There is no policy template defined under the specified id.',
      });
      expect(await policyCount(api.id)).toBe(1);
    });

    it('names the invalid configurationData property and reason, and writes nothing', async () => {
      const api = await newApiInstance(tenant);
      const res = await apply(api.id, rateLimit(0));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        status: 400,
        name: 'BadRequestError',
        code: 'POLICY_CONFIGURATION_INVALID',
        message: 'configurationData.rateLimits[0].maximumRequests: must be >= 1',
        errors: [
          {
            path: '/body/configurationData/rateLimits/0/maximumRequests',
            message: 'must be >= 1',
            errorCode: 'minimum.validation',
          },
        ],
      });
      const missing = await apply(api.id, { ...RATE_LIMITING, configurationData: {} });
      expect(missing.body.message).toBe('configurationData.rateLimits: is required');
      const wrongEnum = await apply(api.id, {
        groupId: GROUP,
        assetId: 'mcp-access-control',
        assetVersion: '1.0.1',
        configurationData: { rules: ['permit(principal,action,resource);'], authType: 'bearer' },
      });
      expect(wrongEnum.body).toMatchObject({
        code: 'POLICY_CONFIGURATION_INVALID',
        message: 'configurationData.authType: must be one of: ClientId, Other',
      });
      expect(await policyCount(api.id)).toBe(0);
    });

    it('rejects the generic property name with a hint to the gateway name', async () => {
      const api = await newApiInstance(tenant);
      const res = await apply(api.id, {
        ...CLIENT_ID,
        configurationData: { credentialsOrigin: 'customExpression', clientIdExpression: "#[attributes.headers['client_id']]" },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(
        'configurationData: credentialsOrigin is not a property of client-id-enforcement; use credentialsOriginHasHttpBasicAuthenticationHeader',
      );
      expect(await policyCount(api.id)).toBe(0);
    });

    it('fills defaults, answers 409 for the same template again, and allows it with allowDuplicated=true', async () => {
      const api = await newApiInstance(tenant);
      const first = await apply(api.id, rateLimit());
      expect(first.status).toBe(201);
      expect(first.body.configurationData).toEqual({
        rateLimits: [{ maximumRequests: 100, timePeriodInMilliseconds: 60000 }],
        exposeHeaders: false,
        clusterizable: true,
        blockOnUnknownQuota: true,
      });
      const again = await apply(api.id, rateLimit(5));
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        name: 'ConflictError',
        code: 'POLICY_ALREADY_APPLIED',
        message: `Policy ${GROUP}/rate-limiting is already applied to API instance ${api.id} (policy ${first.body.id}); add ?allowDuplicated=true to apply it again`,
      });
      expect(await policyCount(api.id)).toBe(1);
      const duplicated = await apply(api.id, rateLimit(5), '?allowDuplicated=true');
      expect(duplicated.status).toBe(201);
      expect(duplicated.body.order).toBe(2);
      expect((await apply(api.id, rateLimit(), '?allowDuplicated=maybe')).body.message).toBe(
        'query.allowDuplicated: must be true or false',
      );
    });

    it('applies client-id-enforcement with the UI-captured body', async () => {
      const api = await newApiInstance(tenant);
      const res = await apply(api.id, {
        configurationData: {
          credentialsOriginHasHttpBasicAuthenticationHeader: 'customExpression',
          clientIdExpression: "#[attributes.headers['client_id']]",
          clientSecretExpression: "#[attributes.headers['client_secret']]",
        },
        id: null,
        pointcutData: null,
        policyTemplateId: 289307,
        apiVersionId: 15694893,
        ...CLIENT_ID,
      });
      expect(res.status).toBe(201);
      expect(res.body.policyTemplateId).not.toBe('289307');
    });

    it('needs Manage Policies (403) and writes nothing', async () => {
      const api = await newApiInstance(tenant);
      const reader = await newUser(cp, tenant.organizationId, ['read:api_policies', 'read:api_configuration']);
      const res = await cp.request('POST', base(api.id), {
        token: reader.token,
        json: { ...MCP_SUPPORT, configurationData: {} },
      });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        code: 'FORBIDDEN',
        message: `You need the Manage Policies permission (manage:api_policies) in environment ${tenant.sandboxId}`,
      });
      expect(await policyCount(api.id)).toBe(0);
      expect((await cp.request('GET', base(api.id), { token: reader.token })).status).toBe(200);
      const nobody = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
      expect((await cp.request('GET', base(api.id), { token: nobody.token })).status).toBe(403);
    });

    it('needs Manage Policies in the target environment: a grant for another environment gets 403', async () => {
      const api = await newApiInstance(tenant);
      const [productionOnly, sandboxToo] = await Promise.all([
        newUser(cp, tenant.organizationId, ['manage:api_policies', 'read:api_configuration'], tenant.productionId),
        newUser(cp, tenant.organizationId, ['manage:api_policies', 'read:api_configuration'], tenant.sandboxId),
      ]);
      const refused = await cp.request('POST', base(api.id), {
        token: productionOnly.token,
        json: { ...MCP_SUPPORT, configurationData: {} },
      });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({
        code: 'FORBIDDEN',
        message: `You need the Manage Policies permission (manage:api_policies) in environment ${tenant.sandboxId}`,
      });
      expect(await policyCount(api.id)).toBe(0);
      const applied = await cp.request('POST', base(api.id), {
        token: sandboxToo.token,
        json: { ...MCP_SUPPORT, configurationData: {} },
      });
      expect(applied.status).toBe(201);
    });

    it("answers 404 for another tenant's API instance or policy, and for non-integer ids naming them", async () => {
      const other = await newTenant(cp);
      const foreignApi = await newApiInstance(other);
      const foreignPolicy = await cp.request('POST', base(foreignApi.id, other), {
        token: other.token,
        json: { ...MCP_SUPPORT },
      });
      expect(foreignPolicy.status).toBe(201);

      const viaOwnOrg = await apply(foreignApi.id, { ...MCP_SUPPORT });
      expect(viaOwnOrg.status).toBe(404);
      expect(viaOwnOrg.body).toMatchObject({
        code: 'API_NOT_FOUND',
        message: `API instance ${foreignApi.id} not found`,
      });
      const viaTheirOrg = await cp.request('GET', base(foreignApi.id, other), { token: tenant.token });
      expect(viaTheirOrg.status).toBe(404);

      const api = await newApiInstance(tenant);
      const foreignId = await cp.request('GET', `${base(api.id)}/${foreignPolicy.body.id}`, { token: tenant.token });
      expect(foreignId.status).toBe(404);
      expect(foreignId.body).toMatchObject({
        code: 'POLICY_NOT_FOUND',
        message: `Policy ${foreignPolicy.body.id} not found`,
      });

      const badApi = await cp.request('GET', base('12abc'), { token: tenant.token });
      expect(badApi.status).toBe(404);
      expect(badApi.body.message).toBe('API instance 12abc not found');
      const hugeApi = await cp.request('POST', base('99999999999'), { token: tenant.token, json: { ...MCP_SUPPORT } });
      expect(hugeApi.status).toBe(404);
      const badPolicy = await cp.request('PATCH', `${base(api.id)}/1.5`, { token: tenant.token, json: { label: 'x' } });
      expect(badPolicy.status).toBe(404);
      expect(badPolicy.body.message).toBe('Policy 1.5 not found');
    });

    it('answers 404 naming unknown template coordinates, and the available versions for an unknown version', async () => {
      const api = await newApiInstance(tenant);
      const asset = await apply(api.id, {
        groupId: GROUP,
        assetId: 'xml-threat-protection',
        assetVersion: '1.0.0',
        configurationData: {},
      });
      expect(asset.status).toBe(404);
      expect(asset.body).toMatchObject({
        code: 'POLICY_TEMPLATE_NOT_FOUND',
        message: `Policy template ${GROUP}/xml-threat-protection/1.0.0 not found in Exchange`,
      });
      const version = await apply(api.id, { ...rateLimit(), assetVersion: '1.4.0' });
      expect(version.status).toBe(404);
      expect(version.body.message).toBe(`Policy template ${GROUP}/rate-limiting has no version 1.4.0; available versions: 1.4.1`);
      expect(await policyCount(api.id)).toBe(0);
    });

    it('refuses MCP-only templates on a non-MCP instance and any template on a technology without implementation', async () => {
      const http = await newApiInstance(tenant, { endpointType: 'http' });
      const mcpOnHttp = await apply(http.id, { ...MCP_SUPPORT, configurationData: {} });
      expect(mcpOnHttp.status).toBe(400);
      expect(mcpOnHttp.body).toMatchObject({
        code: 'POLICY_NOT_IMPLEMENTED',
        message:
          'The policy template mcp-support 1.0.1 does not have an implementation for the API with technology(flexGateway) and endpoint type(http): it applies to MCP servers only',
      });
      expect((await apply(http.id, rateLimit())).status).toBe(201);
      const mule = await newApiInstance(tenant, { technology: 'mule4', endpointType: 'http' });
      const onMule = await apply(mule.id, rateLimit());
      expect(onMule.status).toBe(400);
      expect(onMule.body.message).toBe(
        'The policy template rate-limiting 1.4.1 does not have an implementation for the API with technology(mule4)',
      );
    });

    it('checks upstreamIds against the instance upstreams', async () => {
      const api = await newApiInstance(tenant);
      const upstream = await testPrisma().apiUpstream.create({ data: { apiId: api.id, uri: 'http://127.0.0.1:3001/' } });
      const credential = {
        groupId: GROUP,
        assetId: 'upstream-credential',
        assetVersion: '1.0.0',
        configurationData: { headerName: 'X-API-Key', value: 'k-1' },
      };
      const ok = await apply(api.id, { ...credential, upstreamIds: [upstream.id, upstream.id] });
      expect(ok.status).toBe(201);
      expect(ok.body.upstreamIds).toEqual([upstream.id]);
      const unknown = '00000000-0000-4000-8000-000000000000';
      const bad = await apply(api.id, { ...credential, upstreamIds: [unknown] }, '?allowDuplicated=true');
      expect(bad.status).toBe(404);
      expect(bad.body).toMatchObject({
        code: 'UPSTREAM_NOT_FOUND',
        message: `Upstream ${unknown} not found on API instance ${api.id}`,
      });
    });
  });

  describe('bad input', () => {
    it('answers 4xx naming the problem and writes nothing', async () => {
      const api = await newApiInstance(tenant);
      const cases: [Parameters<TestControlPlane['request']>[2], number, string, string][] = [
        [{ raw: '{"groupId": ' }, 400, 'MALFORMED_BODY', 'JSON'],
        [
          { json: { ...MCP_SUPPORT, order: '1' } },
          400,
          'VALIDATION_FAILED',
          'body.order: must be an integer from 1 to 2147483647',
        ],
        [{ json: { ...MCP_SUPPORT, order: 0 } }, 400, 'VALIDATION_FAILED', 'body.order: must be an integer from 1 to 2147483647'],
        [{ json: { ...MCP_SUPPORT, disabled: 'no' } }, 400, 'VALIDATION_FAILED', 'body.disabled: must be true or false'],
        [
          { json: { ...MCP_SUPPORT, configurationData: [] } },
          400,
          'VALIDATION_FAILED',
          'body.configurationData: must be an object',
        ],
        [
          { json: { ...MCP_SUPPORT, configurationData: 'x' } },
          400,
          'VALIDATION_FAILED',
          'body.configurationData: must be an object',
        ],
        [
          { json: { ...MCP_SUPPORT, pointcutData: [{ methodRegex: '(', uriTemplateRegex: '/.*' }] } },
          400,
          'VALIDATION_FAILED',
          'body.pointcutData.0.methodRegex: must be a regular expression in RE2 syntax (missing closing ): `(`)',
        ],
        [
          { json: { ...MCP_SUPPORT, pointcutData: [{ methodRegex: 'POST', uriTemplateRegex: '/(?!admin).*' }] } },
          400,
          'VALIDATION_FAILED',
          'body.pointcutData.0.uriTemplateRegex: must be a regular expression in RE2 syntax (invalid or unsupported Perl syntax: `(?!`)',
        ],
        [{ json: { ...MCP_SUPPORT, upstreamIds: ['nope'] } }, 400, 'VALIDATION_FAILED', 'body.upstreamIds.0: must be a UUID'],
        [{ json: { ...MCP_SUPPORT, groupId: 42 } }, 400, 'VALIDATION_FAILED', 'body.groupId: must be a string'],
        [{ json: { ...MCP_SUPPORT, configuration: {} } }, 400, 'VALIDATION_FAILED', 'body: Unrecognized key: "configuration"'],
        [
          { json: { ...MCP_SUPPORT, id: 5 } },
          400,
          'VALIDATION_FAILED',
          'body.id: must be null: policy ids are assigned by the server',
        ],
        [{ json: [MCP_SUPPORT] }, 400, 'VALIDATION_FAILED', 'body: must be an object'],
        [{ json: { ...MCP_SUPPORT, configurationData: { padding: 'x'.repeat(70 * 1024) } } }, 413, 'PAYLOAD_TOO_LARGE', 'large'],
        [{ raw: 'groupId=x', contentType: 'text/plain' }, 400, 'VALIDATION_FAILED', 'body: must be an object'],
        [{ raw: '<policy/>', contentType: 'application/xml' }, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported'],
      ];
      for (const [options, status, code, message] of cases) {
        const res = await cp.request('POST', base(api.id), { token: tenant.token, ...options });
        expect([res.status, res.body.code]).toEqual([status, code]);
        expect(res.body.message).toContain(message);
      }
      expect(await policyCount(api.id)).toBe(0);
    });

    it('names bad query flags and bulk bodies', async () => {
      const api = await newApiInstance(tenant);
      const a = await apply(api.id, { ...MCP_SUPPORT });
      expect((await cp.request('GET', `${base(api.id)}?fullInfo=yes`, { token: tenant.token })).body.message).toBe(
        'query.fullInfo: must be true or false',
      );
      const bulk = async (json: unknown) => (await cp.request('PATCH', base(api.id), { token: tenant.token, json })).body;
      expect(await bulk([])).toMatchObject({ code: 'VALIDATION_FAILED', message: 'body: must list at least one policy' });
      expect(
        await bulk([
          { id: a.body.id, order: 1 },
          { id: a.body.id, order: 2 },
        ]),
      ).toMatchObject({ message: `body.1.id: lists policy ${a.body.id} twice` });
      expect(await bulk([{ id: a.body.id, order: 2 }])).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: `body.0.order: must be at most 1, the number of policies on API instance ${api.id}`,
      });
      expect(await bulk([{ id: 999999, order: 1 }])).toMatchObject({
        code: 'POLICY_NOT_FOUND',
        message: `Policy 999999 not found on API instance ${api.id}`,
      });
      expect(await bulk({ id: a.body.id, order: 1 })).toMatchObject({ message: 'body: must be an array of {id, order}' });
    });
  });

  describe('ordering', () => {
    it('stays dense 1..n across insert-at-order, move, bulk move and delete', async () => {
      const api = await newApiInstance(tenant);
      const ids: Record<string, number> = {};
      for (const [name, body] of [
        ['support', { ...MCP_SUPPORT }],
        ['rate', rateLimit()],
        ['client', { ...CLIENT_ID }],
      ] as const) {
        ids[name] = (await apply(api.id, body)).body.id;
      }
      expect(await storedOrder(api.id)).toEqual([
        [ids.support, 1],
        [ids.rate, 2],
        [ids.client, 3],
      ]);

      const inserted = await apply(api.id, { ...HEADER_INJECTION, order: 2 });
      expect(inserted.body.order).toBe(2);
      ids.header = inserted.body.id;
      expect(await storedOrder(api.id)).toEqual([
        [ids.support, 1],
        [ids.header, 2],
        [ids.rate, 3],
        [ids.client, 4],
      ]);

      const appended = await apply(api.id, { ...rateLimit(), order: 99 }, '?allowDuplicated=true');
      expect(appended.body.order).toBe(5);
      ids.rate2 = appended.body.id;

      const moved = await cp.request('PATCH', `${base(api.id)}/${ids.client}`, { token: tenant.token, json: { order: 1 } });
      expect(moved.status).toBe(200);
      expect(moved.body.order).toBe(1);
      expect(await storedOrder(api.id)).toEqual([
        [ids.client, 1],
        [ids.support, 2],
        [ids.header, 3],
        [ids.rate, 4],
        [ids.rate2, 5],
      ]);

      await cp.request('PATCH', `${base(api.id)}/${ids.client}`, { token: tenant.token, json: { order: 50 } });
      expect(await storedOrder(api.id)).toEqual([
        [ids.support, 1],
        [ids.header, 2],
        [ids.rate, 3],
        [ids.rate2, 4],
        [ids.client, 5],
      ]);

      const deleted = await cp.request('DELETE', `${base(api.id)}/${ids.header}`, { token: tenant.token });
      expect(deleted.status).toBe(204);
      expect(await storedOrder(api.id)).toEqual([
        [ids.support, 1],
        [ids.rate, 2],
        [ids.rate2, 3],
        [ids.client, 4],
      ]);
      expect((await cp.request('GET', `${base(api.id)}/${ids.header}`, { token: tenant.token })).status).toBe(404);

      const bulk = await cp.request('PATCH', base(api.id), {
        token: tenant.token,
        json: [
          { id: ids.client, order: 1 },
          { id: ids.support, order: 4 },
        ],
      });
      expect(bulk.status).toBe(200);
      expect(bulk.body.map((p: any) => [p.id, p.order])).toEqual([
        [ids.client, 1],
        [ids.rate, 2],
        [ids.rate2, 3],
        [ids.support, 4],
      ]);
      expect(await storedOrder(api.id)).toEqual(bulk.body.map((p: any) => [p.id, p.order]));
    });

    it('keeps the order dense under concurrent applies', async () => {
      const api = await newApiInstance(tenant);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => apply(api.id, { ...rateLimit(i + 1), order: 1 }, '?allowDuplicated=true')),
      );
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
      expect((await storedOrder(api.id)).map(([, order]) => order)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('applies the same template once under concurrent applies without allowDuplicated', async () => {
      const api = await newApiInstance(tenant);
      const results = await Promise.all(Array.from({ length: 4 }, () => apply(api.id, rateLimit())));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    });
  });

  describe('list, disable and enable', () => {
    it('lists enabled policies compactly by default and every policy in full with fullInfo=false', async () => {
      const api = await newApiInstance(tenant);
      const support = (await apply(api.id, { ...MCP_SUPPORT, label: 'mcp' })).body;
      const rate = (await apply(api.id, { ...rateLimit(), pointcutData: [{ methodRegex: 'POST', uriTemplateRegex: '/mcp' }] }))
        .body;

      const disabled = await cp.request('POST', `${xapi(api.id, rate.id)}/disable`, { token: tenant.token });
      expect(disabled.status).toBe(201);
      expect(disabled.body).toMatchObject({ id: rate.id, disabled: true, order: 2 });

      const compact = await cp.request('GET', base(api.id), { token: tenant.token });
      expect(compact.status).toBe(200);
      expect(compact.body).toEqual({
        policies: [
          {
            policyId: support.id,
            policyTemplateId: support.policyTemplateId,
            type: 'system',
            version: expect.any(Number),
            order: 1,
            label: 'mcp',
            pointcutData: null,
            configuration: {},
            template: MCP_SUPPORT,
            implementationAsset: { assetId: 'mcp-support-flex', groupId: GROUP, version: '1.0.1', technology: 'flexGateway' },
            upstreamIds: [],
            disabled: false,
            mode: 'enforce',
          },
        ],
      });
      expect((await cp.request('GET', `${base(api.id)}?fullInfo=true`, { token: tenant.token })).body).toEqual(compact.body);

      const full = await cp.request('GET', `${base(api.id)}?fullInfo=false`, { token: tenant.token });
      expect(full.body.map((p: any) => [p.id, p.disabled])).toEqual([
        [support.id, false],
        [rate.id, true],
      ]);
      expect(full.body[1]).toMatchObject({
        ...RATE_LIMITING,
        type: 'system',
        pointcutData: [{ methodRegex: 'POST', uriTemplateRegex: '/mcp' }],
      });

      const enabled = await cp.request('POST', `${xapi(api.id, rate.id)}/enable`, { token: tenant.token });
      expect(enabled.status).toBe(201);
      expect(enabled.body.disabled).toBe(false);
      expect((await cp.request('GET', base(api.id), { token: tenant.token })).body.policies).toHaveLength(2);
      expect((await cp.request('POST', `${xapi(api.id, 999999)}/enable`, { token: tenant.token })).status).toBe(404);
    });

    it('gets and patches a policy, re-validating configurationData and keeping it on failure', async () => {
      const api = await newApiInstance(tenant);
      const rate = (await apply(api.id, rateLimit())).body;
      expect((await cp.request('GET', `${base(api.id)}/${rate.id}`, { token: tenant.token })).body).toEqual(rate);

      const patched = await cp.request('PATCH', `${base(api.id)}/${rate.id}`, {
        token: tenant.token,
        json: {
          label: 'limits',
          configurationData: { rateLimits: [{ maximumRequests: 7, timePeriodInMilliseconds: 1000 }], exposeHeaders: true },
        },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        label: 'limits',
        configurationData: {
          rateLimits: [{ maximumRequests: 7, timePeriodInMilliseconds: 1000 }],
          exposeHeaders: true,
          clusterizable: true,
        },
      });

      const invalid = await cp.request('PATCH', `${base(api.id)}/${rate.id}`, {
        token: tenant.token,
        json: { configurationData: { rateLimits: [] } },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.message).toBe('configurationData.rateLimits: must NOT have fewer than 1 items');
      const version = await cp.request('PATCH', `${base(api.id)}/${rate.id}`, {
        token: tenant.token,
        json: { assetVersion: '2.0.0' },
      });
      expect(version.status).toBe(404);
      expect(version.body.message).toBe(`Policy template ${GROUP}/rate-limiting has no version 2.0.0; available versions: 1.4.1`);
      const readOnly = await cp.request('PATCH', `${base(api.id)}/${rate.id}`, {
        token: tenant.token,
        json: { assetId: 'spike-control' },
      });
      expect(readOnly.status).toBe(400);
      expect(readOnly.body.message).toBe(
        'body.assetId: cannot be changed (it is rate-limiting); apply a new policy to use another template',
      );
      const row = await testPrisma().appliedPolicy.findUnique({ where: { id: rate.id } });
      expect(row?.configurationData).toMatchObject({ rateLimits: [{ maximumRequests: 7 }] });
    });
  });

  describe('secrets', () => {
    const basic = (password: string) => ({ ...BASIC_AUTH, configurationData: { username: 'agent', password } });

    it('encrypts sensitive values at rest and masks them in every response', async () => {
      const api = await newApiInstance(tenant);
      const res = await apply(api.id, basic('s3cret-pa55'));
      expect(res.status).toBe(201);
      expect(res.body.configurationData).toEqual({ username: 'agent', password: '********' });
      expect(res.text).not.toContain('s3cret-pa55');

      const row = await testPrisma().appliedPolicy.findUniqueOrThrow({ where: { id: res.body.id } });
      const stored = row.configurationData as { username: string; password: string };
      expect(stored.username).toBe('agent');
      expect(stored.password).toMatch(/^enc:v1:[A-Za-z0-9_-]+$/);
      expect(JSON.stringify(row)).not.toContain('s3cret-pa55');
      expect(cp.app.get(SecretBox).open(stored.password)).toBe('s3cret-pa55');

      for (const url of [`${base(api.id)}/${res.body.id}`, base(api.id), `${base(api.id)}?fullInfo=false`]) {
        const read = await cp.request('GET', url, { token: tenant.token });
        expect(read.text).not.toContain('s3cret-pa55');
        expect(read.text).not.toContain(stored.password);
        expect(read.text).toContain('"password":"********"');
      }
    });

    it('keeps the stored secret when a PATCH sends the mask back, and replaces it when a new one is sent', async () => {
      const api = await newApiInstance(tenant);
      const created = (await apply(api.id, basic('first-secret'))).body;
      const url = `${base(api.id)}/${created.id}`;
      const stored = async () => {
        const row = await testPrisma().appliedPolicy.findUniqueOrThrow({ where: { id: created.id } });
        return cp.app.get(SecretBox).open((row.configurationData as { password: string }).password);
      };

      const kept = await cp.request('PATCH', url, {
        token: tenant.token,
        json: { configurationData: { username: 'renamed', password: '********' } },
      });
      expect(kept.status).toBe(200);
      expect(kept.body.configurationData).toEqual({ username: 'renamed', password: '********' });
      expect(await stored()).toBe('first-secret');

      await cp.request('PATCH', url, {
        token: tenant.token,
        json: { configurationData: { username: 'renamed', password: 'second-secret' } },
      });
      expect(await stored()).toBe('second-secret');

      const maskedOnCreate = await apply(api.id, basic('********'), '?allowDuplicated=true');
      expect(maskedOnCreate.status).toBe(400);
      expect(maskedOnCreate.body.message).toBe(
        'configurationData.password: is the mask ******** but no value is stored to keep; send the secret itself',
      );
    });

    it('keeps the encryption key in <data dir>/secret.key, readable only by the owner', async () => {
      const info = await stat(path.join(cp.env.dataDir, 'secret.key'));
      expect(info.mode & 0o777).toBe(0o600);
    });
  });

  describe('mode', () => {
    it('applies, reads, lists and changes a policy in shadow or enforce mode', async () => {
      const api = await newApiInstance(tenant);
      const shadow = await cp.request('POST', base(api.id), { token: tenant.token, json: { ...rateLimit(), mode: 'shadow' } });
      expect(shadow.status).toBe(201);
      expect(shadow.body.mode).toBe('shadow');
      const plain = await cp.request('POST', base(api.id), { token: tenant.token, json: { ...MCP_SUPPORT, order: 1 } });
      expect(plain.body.mode).toBe('enforce');
      expect((await cp.request('GET', `${base(api.id)}/${shadow.body.id}`, { token: tenant.token })).body.mode).toBe('shadow');
      const compact = await cp.request('GET', base(api.id), { token: tenant.token });
      expect(compact.body.policies.map((p: { mode: string }) => p.mode)).toEqual(['enforce', 'shadow']);
      const full = await cp.request('GET', `${base(api.id)}?fullInfo=false`, { token: tenant.token });
      expect(full.body.map((p: { mode: string }) => p.mode)).toEqual(['enforce', 'shadow']);

      const enforced = await cp.request('PATCH', `${base(api.id)}/${shadow.body.id}`, {
        token: tenant.token,
        json: { mode: 'enforce' },
      });
      expect(enforced.status).toBe(200);
      expect(enforced.body.mode).toBe('enforce');
      expect((await testPrisma().appliedPolicy.findUniqueOrThrow({ where: { id: shadow.body.id } })).mode).toBe('enforce');

      for (const [method, path] of [
        ['POST', base(api.id)],
        ['PATCH', `${base(api.id)}/${shadow.body.id}`],
      ] as const) {
        const bad = await cp.request(method, path, {
          token: tenant.token,
          json: { ...(method === 'POST' ? rateLimit() : {}), mode: 'audit' },
        });
        expect(bad.status).toBe(400);
        expect(bad.body.message).toBe('body.mode: must be enforce or shadow');
      }
      expect(await policyCount(api.id)).toBe(2);
    });
  });

  describe('what the gateways of a deployed API can enforce', () => {
    /** The API deployed to a new target of the tenant's Sandbox (no replica has connected). */
    /** Deploys to a new target; `capabilities`: it has a connected replica (an older gateway) implementing only these. */
    const deploy = async (apiId: number, capabilities?: string[]) => {
      const target = await testPrisma().gatewayTarget.create({
        data: { organizationId: tenant.organizationId, environmentId: tenant.sandboxId, name: uniqueName('gw') },
      });
      if (capabilities) {
        await testPrisma().gatewayReplica.create({
          data: {
            targetId: target.id,
            replicaId: 'older',
            gatewayVersion: '1.0.0',
            capabilities,
            connectedAt: new Date(),
            lastSeenAt: new Date(),
          },
        });
      }
      const res = await cp.request(
        'POST',
        `/proxies/xapi/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis/${apiId}/deployments`,
        {
          token: tenant.token,
          json: { type: 'HY', targetId: target.id, gatewayVersion: '1.0.0', environmentId: tenant.sandboxId },
        },
      );
      return { target, res };
    };
    const deployable = async () => {
      const api = await newApiInstance(tenant);
      return testPrisma().apiInstance.update({
        where: { id: api.id },
        data: { proxyUri: 'http://0.0.0.0:8081/mcp', proxyPort: 8081, proxyBasePath: '/mcp' },
      });
    };

    it('refuses a policy the target does not enforce on a deployed API, naming the policy and the target', async () => {
      const api = await deployable();
      const { target, res } = await deploy(api.id, ['mcp-support']);
      expect(res.status).toBe(201);
      expect((await cp.request('POST', base(api.id), { token: tenant.token, json: MCP_SUPPORT })).status).toBe(201);
      const refused = await cp.request('POST', base(api.id), { token: tenant.token, json: rateLimit() });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        code: 'POLICY_NOT_ENFORCEABLE',
        message: `Policy rate-limiting cannot be enforced by gateway ${target.name} (${target.id}): its gateways implement mcp-support`,
      });
      expect(await policyCount(api.id)).toBe(1);
      // disabled, it may be applied (nothing would run it); enabling it is refused the same way
      const disabled = await cp.request('POST', base(api.id), { token: tenant.token, json: { ...rateLimit(), disabled: true } });
      expect(disabled.status).toBe(201);
      const enable = await cp.request('PATCH', `${base(api.id)}/${disabled.body.id}`, {
        token: tenant.token,
        json: { disabled: false },
      });
      expect(enable.status).toBe(409);
      expect(enable.body.code).toBe('POLICY_NOT_ENFORCEABLE');
      expect((await testPrisma().appliedPolicy.findUniqueOrThrow({ where: { id: disabled.body.id } })).disabled).toBe(true);
    });

    it('refuses a policy that one connected replica (an older gateway) lacks, until that replica is gone', async () => {
      const api = await deployable();
      const { target } = await deploy(api.id);
      const replica = (replicaId: string, gatewayVersion: string, capabilities: string[]) =>
        testPrisma().gatewayReplica.create({
          data: { targetId: target.id, replicaId, gatewayVersion, capabilities, connectedAt: new Date(), lastSeenAt: new Date() },
        });
      await replica('new', '1.1.0', ['mcp-support', 'rate-limiting']);
      const old = await replica('old', '1.0.0', ['mcp-support']);
      const refused = await cp.request('POST', base(api.id), { token: tenant.token, json: rateLimit() });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toBe(
        `Policy rate-limiting cannot be enforced by gateway ${target.name} (${target.id}): its gateways implement mcp-support`,
      );
      await testPrisma().gatewayReplica.update({ where: { id: old.id }, data: { disconnectedAt: new Date(Date.now() + 1) } });
      expect((await cp.request('POST', base(api.id), { token: tenant.token, json: rateLimit() })).status).toBe(201);
    });

    it('refuses to deploy an API with a policy the target does not enforce', async () => {
      const api = await deployable();
      const rate = await cp.request('POST', base(api.id), { token: tenant.token, json: rateLimit() });
      expect(rate.status).toBe(201);
      const { target, res } = await deploy(api.id, ['mcp-support']);
      expect(res.status).toBe(409);
      expect(res.body.message).toBe(
        `Policy rate-limiting cannot be enforced by gateway ${target.name} (${target.id}): its gateways implement mcp-support`,
      );
      expect(await testPrisma().deployment.count({ where: { apiId: api.id } })).toBe(0);
      await cp.request('PATCH', `${base(api.id)}/${rate.body.id}`, { token: tenant.token, json: { disabled: true } });
      expect((await deploy(api.id, ['mcp-support'])).res.status).toBe(201);
    });
  });
});
