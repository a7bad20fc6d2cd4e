/**
 * Bad input on every route: each operation of the served OpenAPI document is called with
 * malformed JSON, bodies of the wrong type, an oversized body, ids that are not ids, unknown enum
 * values, integers beyond 32 bits and NUL characters in every place a string can go. Every answer
 * must be a 4xx in the one error shape (never a 5xx, never a stack trace), and nothing may be
 * written. The routes act in a tenant of their own, so the "nothing written" counts cannot be
 * disturbed by other suites sharing the test database.
 */
import { rawExchange } from '#portico/testing';
import { closeTestPrisma, newMcpAsset, newTenant, type TestTenant, testPrisma, uniqueName } from './support/factories.js';
import { type ApiResponse, startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { mcpInstanceBody } from './support/mcp-instance-body.js';
import { alternatives, type JsonSchema } from './support/openapi-schema.js';

const BODY_LIMIT = 4096;
const NUL_MESSAGE = 'must not contain NUL characters';
const BEYOND_INT32 = 99_999_999_999;
const POLICY_GROUP = '68ef9520-24e9-4cf2-b2f5-620025690913';

/** Routes whose contract is to act on an empty body, or that end the caller's session. */
const SKIP = new Set(['POST /accounts/api/logout']);
/** Routes that take no body and so may succeed whatever body is sent (each call writes a row). */
const BODY_IGNORED = new Set([
  'POST /standalone/api/v1/organizations/{orgId}/environments/{envId}/gatewaytokens',
  'POST /accounts/api/connectedApplications/{clientId}/client-secret',
  'POST /exchange/api/v2/organizations/{orgId}/applications/{applicationId}/secret/reset',
]);

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: JsonSchema;
}

interface Operation {
  method: string;
  path: string;
  key: string;
  parameters: Parameter[];
  /** JSON request body schema, when the operation documents one */
  body?: JsonSchema;
}

/** Rows of the tenant's organization, in every table a request could write to. */
async function tenantCounts(orgId: string): Promise<Record<string, number>> {
  const prisma = testPrisma();
  const organizationId = orgId;
  return {
    businessGroups: await prisma.organization.count({ where: { parentId: orgId } }),
    environments: await prisma.environment.count({ where: { organizationId } }),
    users: await prisma.user.count({ where: { organizationId } }),
    connectedApps: await prisma.connectedApp.count({ where: { organizationId } }),
    grants: await prisma.permissionGrant.count({ where: { organizationId } }),
    assets: await prisma.exchangeAsset.count({ where: { organizationId } }),
    assetFiles: await prisma.exchangeAssetFile.count({ where: { asset: { organizationId } } }),
    publicationRuns: await prisma.publicationRun.count({ where: { organizationId } }),
    apis: await prisma.apiInstance.count({ where: { organizationId } }),
    routes: await prisma.apiRoute.count({ where: { api: { organizationId } } }),
    upstreams: await prisma.apiUpstream.count({ where: { api: { organizationId } } }),
    deployments: await prisma.deployment.count({ where: { organizationId } }),
    targets: await prisma.gatewayTarget.count({ where: { organizationId } }),
    registrationTokens: await prisma.registrationToken.count({ where: { organizationId } }),
    policies: await prisma.appliedPolicy.count({ where: { organizationId } }),
    clientApplications: await prisma.clientApplication.count({ where: { organizationId } }),
    contracts: await prisma.contract.count({ where: { organizationId } }),
  };
}

/** Property paths (array items as index 0) to every sub-schema matching `match`, a few levels deep. */
function leafPaths(schema: JsonSchema, match: (s: JsonSchema) => boolean, depth = 0): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (const alt of alternatives(schema)) {
    if (match(alt)) out.push([]);
    if (depth >= 4) continue;
    for (const [name, sub] of Object.entries(alt.properties ?? {})) {
      out.push(...leafPaths(sub, match, depth + 1).map((p) => [name, ...p]));
    }
    if (alt.items) out.push(...leafPaths(alt.items, match, depth + 1).map((p) => [0, ...p]));
  }
  return out;
}

/** The smallest JSON value that holds `value` at `path`. */
function valueAt(path: (string | number)[], value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  return typeof head === 'number' ? [valueAt(rest, value)] : { [head!]: valueAt(rest, value) };
}

const isEnum = (s: JsonSchema) => Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string');
const isInteger = (s: JsonSchema) => s.type === 'integer' || (Array.isArray(s.type) && s.type.includes('integer'));

describe('bad input on every route', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let token: string;
  let operations: Operation[];
  let orgId: string;
  let envId: string;
  /** real resources of the tenant, for the requests that are valid but for one field */
  let apiId: number;
  let targetId: string;
  let applicationId: number;
  let asset: { groupId: string; assetId: string; version: string };

  beforeAll(async () => {
    cp = await startControlPlane({ PORTICO_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
    tenant = await newTenant(cp);
    token = tenant.token;
    orgId = tenant.organizationId;
    envId = tenant.sandboxId;
    const doc = (await cp.request('GET', '/openapi.json')).body;
    operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map(([m, op]) => ({
          method: m.toUpperCase(),
          path,
          key: `${m.toUpperCase()} ${path}`,
          parameters: (op.parameters ?? []) as Parameter[],
          body: op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined,
        })),
    );

    asset = await newMcpAsset(orgId);
    const target = await cp.request('POST', `/standalone/api/v1/organizations/${orgId}/environments/${envId}/gateways`, {
      token,
      json: { name: uniqueName('gw') },
    });
    expect(target.status).toBe(201);
    targetId = target.body.id;
    const api = await cp.request('POST', `/apimanager/api/v1/organizations/${orgId}/environments/${envId}/apis`, {
      token,
      json: validInstance(),
    });
    expect(api.status).toBe(201);
    apiId = api.body.id;
    const app = await cp.request('POST', `/exchange/api/v2/organizations/${orgId}/applications`, {
      token,
      json: { name: uniqueName('app') },
    });
    expect(app.status).toBe(201);
    applicationId = app.body.id;
  });
  afterAll(async () => {
    await cp.close();
    await closeTestPrisma();
  });

  const validInstance = () => mcpInstanceBody(asset);

  /** Real org/env ids reach the deeper validation; every other id is `otherId`. */
  const fill = (path: string, otherId: string) =>
    path
      .replace(/\{orgId\}/g, orgId)
      .replace(/\{envId\}/g, envId)
      .replace(/\{[^}]+\}/g, otherId);

  const expectClientError = (what: string, res: ApiResponse) => {
    const where = `${what} -> ${res.status} ${res.text.slice(0, 200)}`;
    expect({ where, ok: res.status >= 400 && res.status < 500 }).toEqual({ where, ok: true });
    expect({ where, shape: typeof res.body?.code === 'string' && typeof res.body?.message === 'string' }).toEqual({
      where,
      shape: true,
    });
    expect(res.text).not.toMatch(/\bat .+\.(js|ts):\d+/);
  };

  /** 400 VALIDATION_FAILED whose message names `field` (dotted, e.g. `body.tags.0`) as holding NUL. */
  const expectNulRefused = (what: string, res: ApiResponse, field: string) => {
    const got = { what, status: res.status, code: res.body?.code, message: res.body?.message };
    expect(got).toEqual({ what, status: 400, code: 'VALIDATION_FAILED', message: `${field}: ${NUL_MESSAGE}` });
  };

  const usable = (op: Operation) => !SKIP.has(op.key);
  const writes = () => operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method) && usable(o));

  it('documents a substantial API', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it('answers ids that are not ids with a 4xx naming the problem', async () => {
    const before = await tenantCounts(orgId);
    for (const op of operations.filter((o) => /\{(?!orgId|envId)[^}]+\}/.test(o.path) && usable(o))) {
      for (const bad of ['not-an-id', '-1', '1.5', '99999999999999999999']) {
        const url = fill(op.path, bad);
        const res = await cp.request(op.method, url, {
          token,
          json: op.method === 'GET' || op.method === 'DELETE' ? undefined : {},
        });
        expectClientError(`${op.method} ${url}`, res);
      }
    }
    expect(await tenantCounts(orgId)).toEqual(before);
  });

  it('answers malformed JSON, wrong body types and oversized bodies with a 4xx and writes nothing', async () => {
    const before = await tenantCounts(orgId);
    for (const op of writes().filter((o) => !BODY_IGNORED.has(o.key))) {
      const url = fill(op.path, '1');
      const bodies: { raw: string; label: string }[] = [
        { raw: '{"name": ', label: 'malformed' },
        { raw: '42', label: 'number' },
        { raw: '"text"', label: 'string' },
        { raw: 'null', label: 'null' },
        { raw: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT * 2) }), label: 'oversized' },
      ];
      for (const body of bodies) {
        const res = await cp.request(op.method, url, { token, raw: body.raw, contentType: 'application/json' });
        // A route that takes an optional body may succeed on `null`; it must never fail with 5xx.
        if (res.status < 400) continue;
        expectClientError(`${op.method} ${url} [${body.label}]`, res);
      }
    }
    expect(await tenantCounts(orgId)).toEqual(before);
  });

  it('answers unknown enum values in bodies and query parameters with a 4xx and writes nothing', async () => {
    const before = await tenantCounts(orgId);
    let tried = 0;
    for (const op of operations.filter(usable)) {
      const url = fill(op.path, String(apiId));
      for (const path of op.body && op.method !== 'GET' ? leafPaths(op.body, isEnum) : []) {
        const res = await cp.request(op.method, url, { token, json: valueAt(path, 'not-a-known-value') });
        expectClientError(`${op.method} ${url} body.${path.join('.')}`, res);
        tried++;
      }
      for (const param of op.parameters.filter((p) => p.in === 'query' && p.schema && leafPaths(p.schema, isEnum).length)) {
        const res = await cp.request(op.method, `${url}?${param.name}=not-a-known-value`, { token });
        expectClientError(`${op.method} ${url}?${param.name}`, res);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(20);
    expect(await tenantCounts(orgId)).toEqual(before);
  });

  it('bounds every integer of a request body to 32 bits, and no larger one makes a 5xx', async () => {
    const before = await tenantCounts(orgId);
    const unbounded: string[] = [];
    for (const op of writes().filter((o) => o.body)) {
      for (const path of leafPaths(op.body!, isInteger)) {
        const field = `body.${path.join('.')}`;
        const found = alternatives(
          path.reduce<JsonSchema>((s, p) => (typeof p === 'number' ? s.items! : findProperty(s, p)), op.body!),
        );
        if (!found.some((s) => isInteger(s) && s.maximum !== undefined && s.maximum <= 2_147_483_647))
          unbounded.push(`${op.key} ${field}`);
        const url = fill(op.path, String(apiId));
        const res = await cp.request(op.method, url, { token, json: valueAt(path, BEYOND_INT32) });
        expectClientError(`${op.method} ${url} ${field}`, res);
      }
    }
    expect(unbounded).toEqual([]);
    expect(await tenantCounts(orgId)).toEqual(before);
  });

  it('never answers integers beyond 32 bits in query parameters with a 5xx', async () => {
    for (const op of operations.filter(usable)) {
      for (const param of op.parameters.filter((p) => p.in === 'query' && p.schema && leafPaths(p.schema, isInteger).length)) {
        const url = `${fill(op.path, String(apiId))}?${param.name}=${BEYOND_INT32}`;
        const res = await cp.request(op.method, url, { token });
        const where = `${op.method} ${url} -> ${res.status}`;
        expect({ where, ok: res.status < 500 }).toEqual({ where, ok: true });
      }
    }
  });

  it('answers a contract for an application id beyond 32 bits with 400 naming the field', async () => {
    const before = await tenantCounts(orgId);
    const url = `/apimanager/api/v1/organizations/${orgId}/environments/${envId}/apis/${apiId}/contracts`;
    for (const [json, field] of [
      [{ applicationId: BEYOND_INT32 }, 'applicationId'],
      [{ applicationId, requestedTierId: BEYOND_INT32 }, 'requestedTierId'],
    ] as const) {
      const res = await cp.request('POST', url, { token, json });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(new RegExp(`^body\\.${field}: `)),
      });
    }
    expect(await tenantCounts(orgId)).toEqual(before);
  });

  describe('NUL characters', () => {
    it('are refused in every path parameter with 400 naming it', async () => {
      const before = await tenantCounts(orgId);
      for (const op of operations.filter(usable)) {
        for (const [, name] of op.path.matchAll(/\{([^}]+)\}/g)) {
          const url = fill(op.path.replace(`{${name}}`, 'a%00b'), String(apiId));
          expectNulRefused(`${op.method} ${url}`, await cp.request(op.method, url, { token }), `params.${name}`);
        }
      }
      expect(await tenantCounts(orgId)).toEqual(before);
    });

    it('are refused in every query parameter with 400 naming it', async () => {
      const before = await tenantCounts(orgId);
      for (const op of operations.filter(usable)) {
        const names = ['probe', ...op.parameters.filter((p) => p.in === 'query').map((p) => p.name)];
        for (const name of names) {
          const url = `${fill(op.path, String(apiId))}?${name}=a%00b`;
          expectNulRefused(`${op.method} ${url}`, await cp.request(op.method, url, { token }), `query.${name}`);
        }
      }
      expect(await tenantCounts(orgId)).toEqual(before);
    });

    it('are refused in every top-level field of every JSON body with 400 naming it', async () => {
      const before = await tenantCounts(orgId);
      for (const op of writes()) {
        const url = fill(op.path, String(apiId));
        const schema = op.body ? alternatives(op.body) : [];
        const fields = [...new Set(['name', ...schema.flatMap((s) => Object.keys(s.properties ?? {}))])];
        for (const field of fields) {
          const res = await cp.request(op.method, url, { token, json: { [field]: 'a\u0000b' } });
          expectNulRefused(`${op.method} ${url} ${field}`, res, `body.${field}`);
        }
        if (schema.some((s) => s.type === 'array')) {
          const res = await cp.request(op.method, url, { token, json: [{ id: 'a\u0000b' }] });
          expectNulRefused(`${op.method} ${url} [0].id`, res, 'body.0.id');
        }
      }
      expect(await tenantCounts(orgId)).toEqual(before);
    });

    it('are refused in otherwise valid requests to the routes that used to store them', async () => {
      const before = await tenantCounts(orgId);
      const apis = `/apimanager/api/v1/organizations/${orgId}/environments/${envId}/apis`;
      const xapis = `/apimanager/xapi/v1/organizations/${orgId}/environments/${envId}/apis`;
      const nul = 'a\u0000b';
      const cases: { method: string; url: string; json?: unknown; field: string; token?: string }[] = [
        {
          method: 'POST',
          url: '/accounts/api/organizations',
          json: { name: nul, parentOrganizationId: orgId },
          field: 'body.name',
        },
        { method: 'POST', url: apis, json: { ...validInstance(), instanceLabel: nul }, field: 'body.instanceLabel' },
        { method: 'POST', url: apis, json: { ...validInstance(), description: nul }, field: 'body.description' },
        { method: 'POST', url: apis, json: { ...validInstance(), tags: ['ok', nul] }, field: 'body.tags.1' },
        { method: 'POST', url: apis, json: { ...validInstance(), endpointUri: nul }, field: 'body.endpointUri' },
        {
          method: 'POST',
          url: apis,
          json: { ...validInstance(), endpoint: { ...validInstance().endpoint, proxyTemplate: { a: nul } } },
          field: 'body.endpoint.proxyTemplate.a',
        },
        {
          method: 'POST',
          url: apis,
          json: { ...validInstance(), endpoint: { ...validInstance().endpoint, proxyTemplate: { [nul]: 'x' } } },
          field: 'body.endpoint.proxyTemplate.a\\u0000b',
        },
        {
          method: 'POST',
          url: xapis,
          json: {
            ...validInstance(),
            endpoint: { ...validInstance().endpoint, type: 'http', uri: undefined },
            routing: [{ label: 'r', rules: { headers: { a: nul } }, upstreams: [{ uri: 'http://127.0.0.1:1/', weight: 100 }] }],
          },
          field: 'body.routing.0.rules.headers.a',
        },
        { method: 'PATCH', url: `${xapis}/${apiId}`, json: { instanceLabel: nul }, field: 'body.instanceLabel' },
        {
          method: 'POST',
          url: `${apis}/${apiId}/policies`,
          json: { groupId: POLICY_GROUP, assetId: 'mcp-support', assetVersion: '1.0.1', configurationData: {}, label: nul },
          field: 'body.label',
        },
        {
          method: 'POST',
          url: `/proxies/xapi/v1/organizations/${orgId}/environments/${envId}/apis/${apiId}/deployments`,
          json: { type: 'HY', targetId, gatewayVersion: '1.0.0', environmentId: envId, environmentName: nul },
          field: 'body.environmentName',
        },
        {
          method: 'POST',
          url: `${apis}/${apiId}/upstreams`,
          json: { uri: 'http://127.0.0.1:1/', label: nul },
          field: 'body.label',
        },
        {
          method: 'POST',
          url: `${apis}/${apiId}/upstreams`,
          json: { uri: 'http://127.0.0.1:1/', tlsContext: { secretGroupId: nul, tlsContextId: 'x' } },
          field: 'body.tlsContext.secretGroupId',
        },
        { method: 'POST', url: '/accounts/login', json: { username: nul, password: 'whatever-1' }, field: 'body.username' },
        {
          method: 'POST',
          url: '/accounts/api/connectedApplications',
          json: { client_name: nul, grant_types: ['client_credentials'], scopes: [] },
          field: 'body.client_name',
        },
        { method: 'POST', url: `/exchange/api/v2/organizations/${orgId}/applications`, json: { name: nul }, field: 'body.name' },
        {
          method: 'POST',
          url: '/exchange/api/v2/assets',
          json: { groupId: orgId, assetId: uniqueName('nul'), version: '1.0.0', name: nul, type: 'mcp' },
          field: 'body.name',
        },
        { method: 'GET', url: `${apis}?query=a%00b`, field: 'query.query' },
        { method: 'GET', url: `/accounts/api/organizations/${orgId}/environments?name=a%00b`, field: 'query.name' },
        { method: 'GET', url: '/exchange/api/v2/assets/search?types=mcp&search=a%00b', field: 'query.search' },
        {
          method: 'GET',
          url: `/apimanager/xapi/v1/organizations/${orgId}/environments/${envId}/gateway-targets?name=a%00b`,
          field: 'query.name',
        },
        { method: 'GET', url: `/exchange/api/v2/assets/a%00b/${asset.assetId}/1.0.0`, field: 'params.groupId' },
      ];
      for (const c of cases) {
        const res = await cp.request(c.method, c.url, { token, json: c.json });
        expectNulRefused(`${c.method} ${c.url}`, res, c.field);
      }
      expect(await tenantCounts(orgId)).toEqual(before);
    });

    it('are refused in multipart field names and values of both Exchange create routes', async () => {
      const before = await tenantCounts(orgId);
      const publish = () => `/exchange/api/v2/organizations/${orgId}/assets/${orgId}/${uniqueName('nul')}/1.0.0`;
      const form = (fields: [string, string | Blob, string?][]) => {
        const fd = new FormData();
        for (const [name, value, filename] of fields) {
          if (typeof value === 'string') fd.append(name, value);
          else fd.append(name, value, filename);
        }
        return fd;
      };
      const metadata = (platform: string) => new Blob([JSON.stringify({ platform })], { type: 'application/json' });
      const cases: { url: string; fields: [string, string | Blob, string?][]; field: string }[] = [
        {
          url: publish(),
          fields: [
            ['name', 'a\u0000b'],
            ['type', 'mcp'],
          ],
          field: 'body.name',
        },
        {
          url: publish(),
          fields: [
            ['name', 'ok'],
            ['type', 'mcp'],
            ['tags', 'x,a\u0000b'],
          ],
          field: 'body.tags',
        },
        {
          url: publish(),
          fields: [
            ['name', 'ok'],
            ['type', 'mcp'],
            ['properties.platform', 'a\u0000b'],
          ],
          field: 'body.properties.platform',
        },
        {
          url: publish(),
          fields: [
            ['name', 'ok'],
            ['type', 'mcp'],
            ['a\u0000b', 'x'],
          ],
          field: 'body.a\\u0000b',
        },
        {
          url: publish(),
          fields: [
            ['name', 'ok'],
            ['type', 'mcp'],
            ['files.mcp-metadata.json', metadata('a\u0000b'), 'mcp.json'],
          ],
          field: 'body.files.mcp-metadata.json.platform',
        },
        {
          url: '/exchange/api/v2/assets',
          fields: [
            ['groupId', orgId],
            ['assetId', uniqueName('nul')],
            ['version', '1.0.0'],
            ['name', 'a\u0000b'],
            ['type', 'mcp'],
          ],
          field: 'body.name',
        },
      ];
      for (const c of cases) {
        const res = await cp.request('POST', c.url, {
          token,
          multipart: form(c.fields),
          headers: { 'x-sync-publication': 'true' },
        });
        expectNulRefused(`POST ${c.url} ${c.field}`, res, c.field);
      }
      expect(await tenantCounts(orgId)).toEqual(before);
    });
  });

  it('answers a malformed multipart body on both Exchange create routes with 400', async () => {
    const before = await tenantCounts(orgId);
    const routes = [
      `/exchange/api/v2/organizations/${orgId}/assets/${orgId}/${uniqueName('bad')}/1.0.0`,
      '/exchange/api/v2/assets',
    ];
    const bodies = [
      { raw: 'garbage', contentType: 'multipart/form-data; boundary=xyz' },
      {
        raw: '--xyz\r\ncontent-disposition: form-data; name="name"\r\n\r\nunterminated',
        contentType: 'multipart/form-data; boundary=xyz',
      },
      { raw: 'garbage', contentType: 'multipart/form-data' },
    ];
    for (const url of routes) {
      for (const body of bodies) {
        const res = await cp.request('POST', url, { token, ...body, headers: { 'x-sync-publication': 'true' } });
        expect({ url, body: body.raw.slice(0, 20), status: res.status, code: res.body?.code }).toEqual({
          url,
          body: body.raw.slice(0, 20),
          status: 400,
          code: 'MALFORMED_BODY',
        });
        expect(res.body.message).toMatch(/^Malformed multipart body: /);
      }
    }
    expect(await tenantCounts(orgId)).toEqual(before);
  });

  it("answers the router's own errors in the one error shape", async () => {
    const badEscape = await cp.request('GET', `/accounts/api/organizations/%zz/environments`, { token });
    expect(badEscape.status).toBe(400);
    expect(badEscape.body).toEqual({
      status: 400,
      name: 'BadRequestError',
      code: 'MALFORMED_URL',
      message: "'/accounts/api/organizations/%zz/environments' is not a valid url component",
    });
    expect(badEscape.headers.get('x-request-id')).toBeTruthy();

    const longParam = await cp.request('GET', `/exchange/api/v2/assets/${'g'.repeat(101)}/a/1.0.0`, { token });
    expect(longParam.status).toBe(414);
    expect(longParam.body).toMatchObject({
      status: 414,
      code: 'URI_TOO_LONG',
      message: 'A path parameter is longer than 100 characters',
    });
    expect(longParam.headers.get('x-request-id')).toBeTruthy();
  });

  it.each([
    ['bytes that are not HTTP', 'HELLO THERE\r\n\r\n', 400, 'MALFORMED_REQUEST', 'BadRequestError'],
    [
      'headers over 16 KiB',
      `GET /accounts/api/me HTTP/1.1\r\nHost: cp\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
      'RequestHeaderFieldsTooLargeError',
    ],
  ])('answers %s in the one error shape and closes the connection', async (_, bytes, status, code, name) => {
    const outcome = await rawExchange(Number(new URL(cp.url).port), Buffer.from(bytes, 'latin1'));
    if (outcome.kind !== 'answered') throw new Error(`no answer: ${JSON.stringify(outcome)}`);
    const { answer } = outcome;
    expect(answer.status).toBe(status);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ status, name, code, message: expect.any(String) });
  });
});

function findProperty(schema: JsonSchema, name: string): JsonSchema {
  const found = alternatives(schema).find((s) => s.properties?.[name]);
  return found!.properties![name]!;
}
