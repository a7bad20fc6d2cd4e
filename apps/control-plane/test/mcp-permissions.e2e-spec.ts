/**
 * The MCP gateway permissions as a matrix (issue 20): for each of the seven scopes, a user holding
 * it (with View APIs Configuration) may do its action and none of the six others, which answer
 * 403 (naming the permission missing). Every allowed attempt acts on resources of its own, made by the
 * organization's administrator, so the order of the matrix does not matter.
 */
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, newUser, type TestTenant, uniqueName } from './support/factories.js';
import { createMcpInstance, registerGateway, type RegisteredGateway } from './support/gateways.js';
import type { Scope } from '../src/auth/scopes.js';

const EVERYTHING = 'io.modelcontextprotocol/everything';

describe('MCP gateway permissions', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let target: RegisteredGateway;
  let org: string;
  let env: string;
  let everythingId: string;
  let port = 20_000;

  const admin = (method: string, path: string, json?: unknown) => cp.request(method, path, { token: tenant.token, json });
  const instance = async () =>
    (
      await createMcpInstance(cp, tenant, {
        upstreamUrl: 'http://127.0.0.1:9/',
        port: port++,
        basePath: `/${uniqueName('perm')}`,
      })
    ).apiId;

  /** Each permission's action, as `token`: its status. */
  const ACTIONS: Record<string, (token: string) => Promise<number>> = {
    'install:mcp_library': async (token) =>
      (
        await cp.request('POST', `${env}/installs`, {
          token,
          json: {
            entryId: everythingId,
            targetId: target.gatewayId,
            variables: { baseUrl: 'http://127.0.0.1:9/mcp' },
            proxyUri: `http://0.0.0.0:${port++}/${uniqueName('lib')}`,
          },
        })
      ).status,
    'create:custom_mcp': async (token) =>
      (
        await cp.request('POST', `${env}/backends/custom`, {
          token,
          json: {
            name: uniqueName('custom'),
            url: 'http://127.0.0.1:9/mcp',
            targetId: target.gatewayId,
            proxyUri: `http://0.0.0.0:${port++}/c`,
          },
        })
      ).status,
    'update:mcp_backends': async (token) =>
      (await cp.request('PATCH', `${env}/backends/${await instance()}`, { token, json: { enabled: false } })).status,
    'delete:mcp_backends': async (token) => (await cp.request('DELETE', `${env}/backends/${await instance()}`, { token })).status,
    'configure:agents': async (token) =>
      (
        await cp.request('POST', `${org}/agents`, {
          token,
          json: { name: uniqueName('agent'), clientInfoNames: [uniqueName('client')] },
        })
      ).status,
    'configure:mcp_tools': async (token) =>
      (await cp.request('PUT', `${env}/backends/${await instance()}/tools`, { token, json: { tools: [] } })).status,
    'approve:mcp_install_requests': async (token) => {
      const request = await admin('POST', `${env}/install-requests`, {
        entryId: everythingId,
        targetId: target.gatewayId,
        variables: { baseUrl: 'http://127.0.0.1:9/mcp' },
        reason: 'matrix',
      });
      if (request.status !== 201) throw new Error(`install request: ${request.status} ${request.text}`);
      return (await cp.request('POST', `${env}/install-requests/${request.body.id}/reject`, { token, json: { comment: 'no' } }))
        .status;
    },
  };
  const ALLOWED: Record<string, number> = {
    'install:mcp_library': 201,
    'create:custom_mcp': 201,
    'update:mcp_backends': 200,
    'delete:mcp_backends': 204,
    'configure:mcp_tools': 200,
    'configure:agents': 201,
    'approve:mcp_install_requests': 200,
  };

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    target = await registerGateway(cp, tenant, uniqueName('perm'));
    org = `/mcpgateway/api/v1/organizations/${tenant.organizationId}`;
    env = `${org}/environments/${tenant.sandboxId}`;
    const library = await admin('GET', `${org}/library?search=everything`);
    everythingId = library.body.data.find((e: { name: string }) => e.name === EVERYTHING).id;
  });
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  it.each(Object.keys(ACTIONS))('a user holding %s may do its action and no other', async (scope) => {
    const user = await newUser(cp, tenant.organizationId, [scope as Scope, 'read:api_configuration']);
    const outcome: Record<string, number> = {};
    for (const [action, attempt] of Object.entries(ACTIONS)) outcome[action] = await attempt(user.token);
    expect(outcome).toEqual(Object.fromEntries(Object.keys(ACTIONS).map((a) => [a, a === scope ? ALLOWED[a] : 403])));
  });

  it('says which permission is missing', async () => {
    const reader = await newUser(cp, tenant.organizationId, ['read:api_configuration']);
    const refused = await cp.request('DELETE', `${env}/backends/${await instance()}`, { token: reader.token });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      `You need the Delete MCP Backends permission (delete:mcp_backends) in environment ${tenant.sandboxId}`,
    );
  });

  it('gives none of them to Manage APIs (and so Manage APIs Configuration), Manage Policies or Deploy API Proxies', async () => {
    const manager = await newUser(cp, tenant.organizationId, ['manage:apis', 'manage:api_policies', 'manage:api_proxies']);
    for (const attempt of Object.values(ACTIONS)) expect(await attempt(manager.token)).toBe(403);
  });
});
