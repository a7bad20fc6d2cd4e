import { ADMIN_PASSWORD, ADMIN_USERNAME, startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { issuedTokenSchema } from '../auth/access.service.js';
import { errorBodySchema } from '../common/http-exception.filter.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema: Record<string, any>;
}

describe('OpenAPI document', () => {
  let cp: TestControlPlane;
  let doc: any;
  beforeAll(async () => {
    cp = await startControlPlane();
    doc = (await cp.request('GET', '/openapi.json')).body;
  });
  afterAll(() => cp.close());

  const operation = (method: string, path: string) => {
    const op = doc.paths[path]?.[method];
    if (!op) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
    return op;
  };
  const parameter = (method: string, path: string, name: string, where = 'query'): Parameter => {
    const found = (operation(method, path).parameters as Parameter[]).find((p) => p.name === name && p.in === where);
    if (!found) throw new Error(`${method.toUpperCase()} ${path} does not document ${where} parameter ${name}`);
    return found;
  };
  const ORG = '/accounts/api/organizations/{orgId}';
  const APIS = '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis';
  const PUBLISH = '/exchange/api/v2/organizations/{orgId}/assets/{groupId}/{assetId}/{version}';

  it('is served without a token and documents the login route with its body schema', async () => {
    const res = await cp.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const login = res.body.paths['/accounts/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
  });

  it('documents the query parameters routes validate, with their types, enums, defaults and descriptions', () => {
    expect(parameter('get', APIS, 'family')).toMatchObject({
      required: false,
      description: expect.stringContaining('agentic: MCP servers'),
      schema: { type: 'string', enum: ['api', 'agentic', 'llm'] },
    });
    expect(parameter('get', APIS, 'limit').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 500, default: 100 });
    expect(parameter('get', '/exchange/api/v2/assets/search', 'types').description).toContain('mcp');
    expect(parameter('get', '/exchange/api/v2/assets/search', 'limit').schema).toMatchObject({ maximum: 250 });
    expect(parameter('post', `${APIS}/{apiId}/policies`, 'allowDuplicated')).toMatchObject({
      description: expect.any(String),
      schema: { enum: ['true', 'false'] },
    });
    const templates = '/apimanager/xapi/v1/organizations/{orgId}/exchange-policy-templates';
    expect(parameter('get', templates, 'includeConfiguration').schema).toMatchObject({ enum: ['true', 'false'] });
    expect(parameter('get', templates, 'apiInstanceId').schema).toMatchObject({ type: 'string' });
    expect(parameter('get', `${ORG}/environments`, 'offset').schema).toMatchObject({ type: 'string' });
    expect(parameter('get', `${ORG}/environments`, 'limit')).toBeDefined();
    expect(parameter('get', `${ORG}/environments`, 'type').schema.enum).toContain('sandbox');
  });

  it('declares every templated path parameter, with its pattern where a pipe checks one', () => {
    const undeclared: string[] = [];
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) {
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
          if (!(op.parameters ?? []).some((p: Parameter) => p.name === name && p.in === 'path' && p.required))
            undeclared.push(`${method.toUpperCase()} ${path} {${name}}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
    expect(parameter('post', PUBLISH, 'version', 'path').schema.pattern).toMatch(/^\^\(0\|/);
  });

  it('documents the multipart body and the x-sync-publication header of the v2 publish', () => {
    const publish = operation('post', PUBLISH);
    expect(parameter('post', PUBLISH, 'x-sync-publication', 'header')).toMatchObject({
      required: false,
      schema: { enum: ['true', 'false'] },
    });
    const form = publish.requestBody.content['multipart/form-data'].schema;
    // `type` may be left out when a file's classifier implies it (exchange/asset-draft.ts)
    expect(form.required).toEqual(expect.arrayContaining(['name']));
    expect(form.properties.type.enum).toContain('mcp');
    expect(form.properties['files.mcp-metadata.json']).toMatchObject({ type: 'string', format: 'binary' });
    expect(form.properties['properties.platform']).toMatchObject({ type: 'string' });
    expect(Object.keys(publish.responses)).toEqual(expect.arrayContaining(['201', '202']));

    const create = operation('post', '/exchange/api/v2/assets');
    expect(Object.keys(create.requestBody.content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(create.requestBody.content['multipart/form-data'].schema.properties.asset).toMatchObject({ format: 'binary' });
    expect(create.requestBody.content['application/json'].schema.properties.type.enum).toContain('mcp');
  });

  it('documents response schemas from the zod schemas the responses are built to, and they hold', async () => {
    const login = operation('post', '/accounts/login');
    expect(login.responses['200'].content['application/json'].schema).toMatchObject({
      properties: { access_token: { type: 'string' }, token_type: { const: 'bearer' } },
    });
    const token = await cp.request('POST', '/accounts/login', { json: { username: ADMIN_USERNAME, password: ADMIN_PASSWORD } });
    expect(issuedTokenSchema.safeParse(token.body).success).toBe(true);

    expect(doc.components.schemas.Error.properties.code.enum).toEqual(expect.arrayContaining(['VALIDATION_FAILED', 'INTERNAL']));
    const withoutErrors = Object.entries<Record<string, any>>(doc.paths).flatMap(([path, methods]) =>
      Object.entries<any>(methods)
        .filter(([, op]) => op.responses['4XX']?.content['application/json'].schema.$ref !== '#/components/schemas/Error')
        .map(([method]) => `${method} ${path}`),
    );
    expect(withoutErrors).toEqual([]);
    const refused = await cp.request('POST', '/accounts/login', { json: { username: 1 } });
    expect(refused.status).toBe(400);
    expect(errorBodySchema.strict().safeParse(refused.body).error).toBeUndefined();
  });
});
