/**
 * The response schemas of the served OpenAPI document hold: every operation that documents a JSON
 * success answer (`@ApiZodResponse`) is called here on a tenant holding one of everything, and its
 * real answer must validate against the schema the document gives. Objects are closed
 * (`additionalProperties: false`, as zod writes output schemas), so a field the route adds without
 * the schema knowing fails as surely as a required one it leaves out. An operation documented
 * later fails the coverage check until it is called here.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { accessEvent, accessEventPublisher } from '../../test/support/access-events.js';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import { closeTestPrisma, newTenant, testPrisma, uniqueName } from '../../test/support/factories.js';
import { registerGateway } from '../../test/support/gateways.js';
import { mcpInstanceBody } from '../../test/support/mcp-instance-body.js';
import { PATH_PARAMS, populateTenant, type TenantResources } from '../../test/support/tenant-resources.js';

interface OpenApiOperation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

type Method = 'get' | 'post' | 'put' | 'patch';

/** Operations (`POST /path`) documenting a JSON answer, with the status it is documented for. */
function documentedResponses(doc: { paths: Record<string, Record<string, OpenApiOperation>> }) {
  const documented = new Map<string, { status: number; schema: object }>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (/^2\d\d$/.test(status) && schema)
          documented.set(`${method.toUpperCase()} ${path}`, { status: Number(status), schema });
      }
    }
  }
  return documented;
}

describe('documented response schemas', () => {
  let cp: TestControlPlane;
  let r: TenantResources;
  let documented: Map<string, { status: number; schema: object }>;
  /** the live MCP instance the access events and observed tools are of */
  let liveApiId: number;
  let liveGatewayId: string;
  const validators = new Map<string, ValidateFunction>();
  const called = new Set<string>();
  // Formats (date-time, uri) are not checked: zod writes a pattern beside date-time, which is.
  const ajv = new Ajv2020({ allErrors: true, validateFormats: false });

  /**
   * Calls `method path` (a path of the document: `{name}` takes the tenant's value, or `params`')
   * and returns its body once it validated against the documented schema of the documented status.
   */
  async function answer(
    method: Method,
    path: string,
    options: {
      query?: string;
      json?: unknown;
      multipart?: FormData;
      params?: Record<string, string | number>;
      token?: string;
    } = {},
  ): Promise<any> {
    const key = `${method.toUpperCase()} ${path}`;
    const entry = documented.get(key);
    if (!entry) throw new Error(`${key} documents no JSON answer`);
    const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = options.params?.[name] ?? PATH_PARAMS[name]?.(r);
      if (value === undefined) throw new Error(`no value for {${name}}`);
      return encodeURIComponent(String(value));
    });
    const res = await cp.request(method.toUpperCase(), options.query ? `${url}?${options.query}` : url, {
      token: options.token ?? r.tenant.token,
      json: options.json,
      multipart: options.multipart,
    });
    if (res.status !== entry.status) throw new Error(`${key} answered ${res.status}, documented ${entry.status}: ${res.text}`);
    let validate = validators.get(key);
    if (!validate) validators.set(key, (validate = ajv.compile(entry.schema)));
    if (!validate(res.body)) {
      const problems = validate.errors!.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
      throw new Error(`${key}: the answer does not match its documented schema:\n${problems.join('\n')}`);
    }
    called.add(key);
    return res.body;
  }

  const ORG = '/accounts/api/organizations/{orgId}';
  const APIS = '/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis';
  const XAPIS = '/apimanager/xapi/v1/organizations/{orgId}/environments/{envId}/apis';
  const MCP = '/mcpgateway/api/v1/organizations/{orgId}';
  const MCP_ENV = `${MCP}/environments/{envId}`;
  const ANALYTICS = '/analytics/1.0/{orgId}/environments/{envId}';
  const SECRETS = '/secrets-manager/api/v1/organizations/{orgId}/environments/{envId}/secretGroups';
  const APPLICATIONS = '/exchange/api/v2/organizations/{orgId}/applications';
  const PORTAL = '/exchange/api/v2/assets/{groupId}/{assetId}/{version}/portal';

  beforeAll(async () => {
    // probes may reach the loopback address the probe below names
    cp = await startControlPlane({ PORTICO_PROBE_DENY: 'none' });
    documented = documentedResponses((await cp.request('GET', '/openapi.json')).body);
    const tenant = await newTenant(cp);
    r = await populateTenant(cp, tenant);

    // A second instance, deployed to a gateway whose replica reports calls and lists a tool.
    const gateway = await registerGateway(cp, tenant, uniqueName('gw'));
    liveGatewayId = gateway.gatewayId;
    const instance = await cp.request(
      'POST',
      `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`,
      {
        token: tenant.token,
        json: {
          ...mcpInstanceBody(r.asset),
          deployment: {
            type: 'HY',
            targetId: gateway.gatewayId,
            targetName: gateway.name,
            gatewayVersion: '1.0.0',
            environmentId: tenant.sandboxId,
          },
        },
      },
    );
    if (instance.status !== 201) throw new Error(`instance: ${instance.status} ${instance.text}`);
    liveApiId = instance.body.id;
    // What gateways report over config-sync, never a REST write: a connected replica and a listed tool.
    await testPrisma().gatewayReplica.create({
      data: {
        targetId: gateway.gatewayId,
        replicaId: 'replica-1',
        gatewayVersion: '1.0.0',
        connectedAt: new Date(),
        lastSeenAt: new Date(),
        appliedRevision: 1,
        rejectedRevision: 2,
        lastError: 'policy chain refused',
        failedApis: [{ apiId: String(liveApiId), error: 'listener refused' }],
        capabilities: ['mcp-tool-mapping'],
        certExpiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    await testPrisma().observedTool.create({
      data: { apiId: liveApiId, name: 'echo', description: 'Echoes', descriptionSha256: 'c'.repeat(64), lastSeenAt: new Date() },
    });
    const publisher = await accessEventPublisher(gateway.dir);
    try {
      const apiId = String(liveApiId);
      const accepted = await publisher.publish({
        events: [
          accessEvent({ apiId, clientId: r.connectedAppClientId, clientName: 'ci', principal: 'alice@example.com' }),
          accessEvent({
            apiId,
            agent: 'claude-code',
            httpStatus: 403,
            jsonrpcErrorCode: -32602,
            verdicts: [
              { policyType: 'mcp-tool-access', policyId: '1', verdict: 'reject', mode: 'enforce', errorKind: 'policy-denied' },
            ],
            dlp: [{ policyId: '2', direction: 'response', categories: ['email'], action: 'redacted' }],
          }),
          accessEvent({ apiId, mcpMethod: 'resources/read', targetName: 'file:///a.txt', upstreamLatencyUs: 0 }),
          accessEvent({ apiId, mcpMethod: 'prompts/get', targetName: 'greet', toolError: true }),
        ],
      });
      if (accepted.accepted !== 4) throw new Error(`access events: ${JSON.stringify(accepted)}`);
    } finally {
      publisher.close();
    }
  });
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  it('holds for Access Management', async () => {
    expect((await answer('get', '/accounts/api/me')).user.username).toBe(r.tenant.username);
    expect((await answer('get', `${ORG}/environments`)).total).toBe(2);
    await answer('post', '/accounts/login', { json: { username: ADMIN_USERNAME, password: ADMIN_PASSWORD } });
    const app = await cp.request('POST', '/accounts/api/connectedApplications', {
      token: r.tenant.token,
      json: { client_name: uniqueName('ci'), grant_types: ['client_credentials'], scopes: ['read:organization'] },
    });
    const token = await answer('post', '/accounts/api/v2/oauth2/token', {
      json: { grant_type: 'client_credentials', client_id: app.body.client_id, client_secret: app.body.client_secret },
    });
    // a connected app's token: the other shape of …/me
    expect((await answer('get', '/accounts/api/me', { token: token.access_token })).client.client_id).toBe(app.body.client_id);
  });

  it('holds for API instances, deployments, policies and gateways', async () => {
    await answer('post', APIS, { json: mcpInstanceBody(r.asset) });
    await answer('post', XAPIS, { json: mcpInstanceBody(r.asset) });
    const list = await answer('get', APIS, { query: 'limit=100' });
    expect(list.assets[0].apis.some((a: { deployment: unknown }) => a.deployment !== null)).toBe(true);
    expect((await answer('get', `${APIS}/{apiId}`)).deployment.id).toBe(r.deploymentId);
    for (const path of [...documented.keys()].filter((k) => k.endsWith('/deployments/{deploymentId}/status'))) {
      await answer('get', path.slice('GET '.length));
    }
    expect(await answer('get', `${APIS}/{apiId}/policies`, { query: 'fullInfo=false' })).toHaveLength(1);
    expect((await answer('get', `${APIS}/{apiId}/policies`)).policies).toHaveLength(1);
    const templates = await answer('get', '/apimanager/xapi/v1/organizations/{orgId}/exchange-policy-templates', {
      query: `apiInstanceId=${r.apiId}&environmentId=${r.tenant.sandboxId}&latest=true&includeConfiguration=true`,
    });
    expect(templates[0].configuration).toBeDefined();
    expect((await answer('get', '/apimanager/xapi/v1/organizations/{orgId}/environments/{envId}/gateway-targets')).total).toBe(2);
    const replicas = await answer(
      'get',
      '/standalone/api/v1/organizations/{orgId}/environments/{envId}/gateways/{gatewayId}/replicas',
      {
        params: { gatewayId: liveGatewayId },
      },
    );
    expect(replicas.content[0].configurationStatus.status).toBe('FAILED');
    expect(
      (await answer('post', '/standalone/api/v1/organizations/{orgId}/environments/{envId}/gatewaytokens')).registrationToken,
    ).toEqual(expect.any(String));
    expect(await answer('get', SECRETS)).toHaveLength(1);
    expect((await answer('get', `${SECRETS}/{secretGroupId}/tlsContexts`))[0].certificateDetails).toHaveLength(1);
    expect((await answer('get', '/exchange/api/v2/assets/search', { query: 'types=mcp' })).length).toBeGreaterThan(0);
  });

  it('holds for client applications, contracts, SLA tiers and API keys', async () => {
    expect((await answer('post', APPLICATIONS, { json: { name: uniqueName('client') } })).clientSecret).toEqual(
      expect.any(String),
    );
    expect((await answer('get', APPLICATIONS)).length).toBe(2);
    await answer('get', `${APPLICATIONS}/{applicationId}`);
    expect((await answer('post', `${APPLICATIONS}/{applicationId}/secret/reset`)).clientSecret).toEqual(expect.any(String));
    expect((await answer('get', `${APPLICATIONS}/{applicationId}/contracts`))[0].requestedTier).not.toBeNull();
    const other = await cp.request('POST', `/exchange/api/v2/organizations/${r.tenant.organizationId}/applications`, {
      token: r.tenant.token,
      json: { name: uniqueName('client') },
    });
    await answer('post', `${APIS}/{apiId}/contracts`, { json: { applicationId: other.body.id, requestedTierId: r.tierId } });
    expect((await answer('get', `${APIS}/{apiId}/tiers`)).total).toBe(1);
    expect((await answer('post', `${APIS}/{apiId}/api-keys`, { json: { name: uniqueName('key') } })).key).toEqual(
      expect.any(String),
    );
    expect((await answer('get', `${APIS}/{apiId}/api-keys`)).total).toBe(2);
  });

  it('holds for the MCP library, backends, tools and agents', async () => {
    expect((await answer('get', `${MCP}/library`, { query: 'limit=100' })).total).toBeGreaterThan(1);
    await answer('get', `${MCP}/library/{entryId}`);
    await answer('post', `${MCP_ENV}/install-requests`, {
      json: { entryId: r.libraryEntryId, targetId: r.gatewayId, reason: 'documented answers' },
    });
    expect((await answer('get', `${MCP_ENV}/install-requests`, { query: 'status=pending' })).total).toBe(2);
    const installed = await answer('post', `${MCP_ENV}/installs`, { json: { entryId: r.libraryEntryId, targetId: r.gatewayId } });
    await answer('post', `${MCP_ENV}/backends/custom`, {
      json: { name: uniqueName('custom'), url: 'http://127.0.0.1:9/mcp', targetId: r.gatewayId },
    });
    await answer('post', `${MCP_ENV}/probes`, { json: { url: 'http://127.0.0.1:9/mcp' } });

    expect((await answer('get', `${MCP_ENV}/backends`, { query: 'limit=500' })).backends.length).toBeGreaterThan(2);
    expect(
      (await answer('get', `${MCP_ENV}/backends/{apiId}`, { params: { apiId: installed.apiId } })).deployment,
    ).not.toBeNull();
    await answer('patch', `${MCP_ENV}/backends/{apiId}`, { json: { enabled: false } });
    await answer('put', `${MCP_ENV}/backends/{apiId}/connection`, { json: { mode: 'oauth-passthrough' } });
    const tools = await answer('get', `${MCP_ENV}/backends/{apiId}/tools`, { params: { apiId: liveApiId } });
    expect(tools.tools).toEqual([expect.objectContaining({ name: 'echo', listed: true })]);
    const renamed = await answer('put', `${MCP_ENV}/backends/{apiId}/tools`, {
      params: { apiId: liveApiId },
      json: { tools: [{ name: 'echo', exposedName: 'say' }] },
    });
    expect(renamed.tools[0].exposedName).toBe('say');

    expect((await answer('get', `${MCP}/agents/predefined`)).total).toBeGreaterThan(0);
    const predefined = await answer('post', `${MCP}/agents`, { json: { predefined: 'claude-code', name: uniqueName('claude') } });
    expect(predefined.predefined).toBe('claude-code');
    expect((await answer('get', `${MCP}/agents`)).total).toBe(2);
    expect((await answer('get', `${MCP}/agents/{agentId}`)).applications).toHaveLength(1);
    await answer('patch', `${MCP}/agents/{agentId}`, { json: { description: 'documented' } });
    expect((await answer('get', `${MCP_ENV}/backends/{apiId}/agents`)).restricted).toBe(true);
    await answer('put', `${MCP_ENV}/backends/{apiId}/agents`, { json: { restricted: false, agents: [] } });
  });

  it('holds for the access logs, MCP analytics, workflow graph and AI inventory', async () => {
    const events = await answer('get', `${ANALYTICS}/access-logs`, { query: 'includePayloads=true&limit=2' });
    expect(events.nextCursor).not.toBeNull();
    expect((await answer('get', `${ANALYTICS}/access-logs`, { query: `cursor=${events.nextCursor}` })).data).toHaveLength(2);
    const analytics = await answer('get', `${ANALYTICS}/mcp-analytics`);
    expect([analytics.tools.length, analytics.resources.length, analytics.prompts.length, analytics.policies.length]).toEqual([
      1, 1, 1, 1,
    ]);
    const graph = await answer('get', `${ANALYTICS}/workflow-graph`);
    expect(new Set(graph.nodes.map((n: { kind: string }) => n.kind))).toEqual(new Set(['agent', 'instance', 'tool']));
    const inventory = await answer('get', `${MCP_ENV}/inventory`, { query: 'includeDisabled=true' });
    const live = inventory.data.find((row: { apiId: number }) => row.apiId === liveApiId);
    expect([live.tools.length, live.activity.calls, live.deployment.state]).toEqual([1, 4, 'applying']);
  });

  it('holds for the audit log and the Exchange portal', async () => {
    expect((await answer('post', '/audit/v2/organizations/{orgId}/query', { json: { startDate: 0 } })).total).toBeGreaterThan(0);
    expect((await answer('get', PORTAL)).pages).toHaveLength(1);
    await answer('get', `${PORTAL}/pages`);
    await answer('get', `${PORTAL}/resources`);
    await answer('get', `${PORTAL}/draft`);
    await answer('post', `${PORTAL}/draft/pages`, { json: { pagePath: 'usage' } });
    await answer('get', `${PORTAL}/draft/pages`);
    const logo = new FormData();
    logo.append('files.png', new Blob(['png']), 'logo.png');
    await answer('post', `${PORTAL}/draft/resources`, { multipart: logo });
    await answer('get', `${PORTAL}/draft/resources`);
  });

  it('calls every operation that documents its answer', () => {
    expect([...documented.keys()].filter((key) => !called.has(key)).sort()).toEqual([]);
  });
});
