/**
 * MuleSoft's unmodified anypoint-cli-v4 1.6.12 against Portico over HTTPS, as an API Manager user
 * runs it: sign-in with a user, a connected app and a bearer token, the account commands, and the
 * commands that once reported success while Portico did nothing or did something else. Every
 * effect is read back over REST, not taken from the exit code.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestCa, freePort, startEverythingServer, startGatewayProcess } from '#portico/testing';
import { anypointCli, type AnypointCli, ensureAnypointCli } from './support/anypoint-cli.js';
import { startControlPlane, type TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newTenant, testPrisma, type TestTenant, uniqueName } from './support/factories.js';
import { createMcpInstance, echo, MCP_SUPPORT, registerGateway, rolledOut } from './support/gateways.js';

describe('anypoint-cli-v4 against Portico', () => {
  let cp: TestControlPlane;
  let caFile: string;
  let tenant: TestTenant;
  let cli: AnypointCli;

  beforeAll(async () => {
    await ensureAnypointCli();
    const ca = await createTestCa();
    const leaf = await ca.issue({ commonName: 'portico', names: ['localhost', '127.0.0.1'], usage: 'server' });
    const dir = await mkdtemp(path.join(tmpdir(), 'portico-cli-tls-'));
    caFile = path.join(dir, 'ca.pem');
    await writeFile(caFile, ca.certificatePem);
    await writeFile(path.join(dir, 'cert.pem'), leaf.certificatePem);
    await writeFile(path.join(dir, 'key.pem'), leaf.privateKeyPem);
    cp = await startControlPlane(
      { PORTICO_TLS_CERT_FILE: path.join(dir, 'cert.pem'), PORTICO_TLS_KEY_FILE: path.join(dir, 'key.pem') },
      ca.certificatePem,
    );
    tenant = await newTenant(cp);
    cli = await anypointCli(cp.url, caFile, { username: tenant.username, password: tenant.password }, { environment: 'Sandbox' });
  }, 300_000);
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  const org = () => `/accounts/api/organizations/${tenant.organizationId}`;
  const apis = () => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;

  /** A Flex MCP instance in Sandbox, created over REST; its id. */
  const newInstance = async (): Promise<number> =>
    (await createMcpInstance(cp, tenant, { upstreamUrl: 'http://127.0.0.1:3001/', port: 8081, basePath: '/cli' })).apiId;

  describe('sign-in', () => {
    it('signs in with a user: the account is the user and the organization its root one', async () => {
      const me = await cli.json(['account', 'user', 'describe']);
      const user = await testPrisma().user.findFirstOrThrow({ where: { username: tenant.username } });
      expect(me).toMatchObject({ id: user.id, username: tenant.username, createdAt: user.createdAt.toISOString() });
      const groups = await cli.json(['account', 'business-group', 'list']);
      expect(groups).toEqual([expect.objectContaining({ id: tenant.organizationId, isRoot: true, isMaster: true })]);
    });

    it('signs in with a connected app (client credentials)', async () => {
      const created = await cp.request('POST', '/accounts/api/connectedApplications', {
        token: tenant.token,
        json: { client_name: uniqueName('ci'), grant_types: ['client_credentials'], scopes: ['read:api_configuration'] },
      });
      expect(created.status).toBe(201);
      const app = await anypointCli(cp.url, caFile, {
        clientId: created.body.client_id,
        clientSecret: created.body.client_secret,
      });
      expect(await app.json(['account', 'user', 'describe'])).toMatchObject({ id: created.body.client_id });
      const envs = await app.json<{ name: string; id: string }[]>(['account', 'environment', 'list']);
      expect(envs.map((e) => e.id)).toEqual([tenant.sandboxId, tenant.productionId]);
    });

    it('signs in with a bearer token', async () => {
      const bearer = await anypointCli(cp.url, caFile, { bearer: tenant.token });
      const group = await bearer.json(['account', 'business-group', 'describe']);
      expect(group).toMatchObject({ id: tenant.organizationId, isRoot: true });
      expect(group.environments.map((e: { name: string }) => e.name)).toEqual(['Sandbox', 'Production']);
    });

    it("fails on a wrong password with the CLI's authentication error and exit 2", async () => {
      const wrong = await anypointCli(cp.url, caFile, { username: tenant.username, password: 'not-the-password' });
      const result = await wrong.run(['account', 'environment', 'list']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('status 401 - Unauthorized');
    });
  });

  describe('account', () => {
    it('creates, describes and deletes an environment', async () => {
      const name = `Cli${Date.now().toString(36)}`;
      const created = await cli.run(['account', 'environment', 'create', name, '--type', 'design']);
      expect(created).toMatchObject({ code: 0, stderr: '' });
      expect(created.stdout).toContain(`Environment ${name} created`);
      const stored = await cp.request('GET', `${org()}/environments?name=${name}`, { token: tenant.token });
      expect(stored.body.data).toEqual([expect.objectContaining({ name, type: 'design', isProduction: false })]);

      expect(await cli.json(['account', 'environment', 'describe', name])).toMatchObject({ id: stored.body.data[0].id, name });

      const deleted = await cli.run(['account', 'environment', 'delete', name]);
      expect(deleted).toMatchObject({ code: 0, stdout: `Environment ${name} deleted successfully\n` });
      expect((await cp.request('GET', `${org()}/environments?name=${name}`, { token: tenant.token })).body.total).toBe(0);
    });

    it('describes a business group by name with its environments', async () => {
      const group = await cli.json([
        'account',
        'business-group',
        'describe',
        (await cp.request('GET', org(), { token: tenant.token })).body.name,
      ]);
      expect(group.id).toBe(tenant.organizationId);
      expect(group.environments.map((e: { id: string }) => e.id)).toEqual([tenant.sandboxId, tenant.productionId]);
    });
  });

  describe('api-mgr with a running gateway', () => {
    it('applies MCP Support and deploys an instance to a registered gateway, which then serves it', async () => {
      const everything = await startEverythingServer();
      const registered = await registerGateway(cp, tenant, uniqueName('cli-gw'));
      const gateway = await startGatewayProcess({ dir: registered.dir });
      try {
        await gateway.waitForStatus((status) => status.sync.state === 'connected');
        const port = await freePort();
        const { apiId, apisPath } = await createMcpInstance(cp, tenant, {
          upstreamUrl: everything.baseUrl,
          port,
          basePath: '/cli-deployed',
        });
        const apply = await cli.run([
          'api-mgr',
          'policy',
          'apply',
          String(apiId),
          'mcp-support',
          '--policyVersion',
          '1.0.1',
          '--groupId',
          MCP_SUPPORT.groupId,
        ]);
        expect(apply.code).toBe(0);
        const deploy = await cli.run(['api-mgr', 'api', 'deploy', String(apiId), '--target', registered.gatewayId]);
        expect(deploy).toMatchObject({ code: 0, stdout: `Deployed API with ID "${apiId}"\n` });
        const instance = { apiId, apisPath, proxyUrl: `http://127.0.0.1:${port}/cli-deployed` };
        await rolledOut(cp, tenant, instance);
        expect(await echo(instance.proxyUrl, 'deployed by anypoint-cli')).toBe('Echo: deployed by anypoint-cli');
      } finally {
        await gateway.stop();
        await everything.close();
      }
    });
  });

  describe('commands that once did something else', () => {
    it('contract delete deletes the contract of the client id it names, not the first one', async () => {
      const api = await newInstance();
      const contracts = `${apis()}/${api}/contracts`;
      const apps = [];
      for (const name of ['app-a', 'app-b']) {
        const app = await cp.request('POST', `/exchange/api/v2/organizations/${tenant.organizationId}/applications`, {
          token: tenant.token,
          json: { name: uniqueName(name) },
        });
        expect(app.status).toBe(201);
        const contract = await cp.request('POST', contracts, {
          token: tenant.token,
          json: { applicationId: app.body.id, acceptedTerms: true },
        });
        expect(contract.status).toBe(201);
        // an approved contract cannot be deleted: revoke it first
        expect((await cp.request('POST', `${contracts}/${contract.body.id}/revoke`, { token: tenant.token })).status).toBe(201);
        apps.push({ clientId: app.body.clientId as string, contractId: contract.body.id as number });
      }
      const [a, b] = apps as [(typeof apps)[0], (typeof apps)[0]];

      const result = await cli.run(['api-mgr', 'contract', 'delete', String(api), b.clientId]);
      expect(result.code).toBe(0);
      const left = await cp.request('GET', contracts, { token: tenant.token });
      expect(left.body.contracts.map((c: { id: number }) => c.id)).toEqual([a.contractId]);

      const again = await cli.run(['api-mgr', 'contract', 'delete', String(api), b.clientId]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain(`Contract with Client ID ${b.clientId} not found`);
      expect((await cp.request('GET', contracts, { token: tenant.token })).body.total).toBe(1);
    });

    it('api deprecate and undeprecate change the instance', async () => {
      const api = await newInstance();
      const deprecated = async () => (await cp.request('GET', `${apis()}/${api}`, { token: tenant.token })).body.deprecated;
      expect(await deprecated()).toBe(false);
      expect((await cli.run(['api-mgr', 'api', 'deprecate', String(api)])).code).toBe(0);
      expect(await deprecated()).toBe(true);
      expect((await cli.run(['api-mgr', 'api', 'undeprecate', String(api)])).code).toBe(0);
      expect(await deprecated()).toBe(false);
    });

    it("upstream bulk-edit sets every upstream's TLS context and removes it again", async () => {
      const api = await newInstance();
      const groups = `/secrets-manager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/secretGroups`;
      const group = await cp.request('POST', groups, { token: tenant.token, json: { name: uniqueName('group') } });
      const context = await cp.request('POST', `${groups}/${group.body.id}/tlsContexts`, {
        token: tenant.token,
        json: { name: uniqueName('ctx'), serverName: 'mcp.internal' },
      });
      expect(context.status).toBe(201);
      const upstreams = async () =>
        (await cp.request('GET', `${apis()}/${api}/upstreams`, { token: tenant.token })).body.upstreams as {
          tlsContext: { secretGroupId: string; tlsContextId: string } | null;
        }[];

      const set = await cli.run([
        'api-mgr',
        'upstream',
        'bulk-edit',
        String(api),
        '--tlsContextId',
        context.body.id,
        '--tlsContextSecretGroupId',
        group.body.id,
      ]);
      expect(set.code).toBe(0);
      expect(await upstreams()).toEqual([
        expect.objectContaining({
          tlsContext: expect.objectContaining({ secretGroupId: group.body.id, tlsContextId: context.body.id }),
        }),
      ]);

      expect((await cli.run(['api-mgr', 'upstream', 'bulk-edit', String(api), '--tlsContextId', 'null'])).code).toBe(0);
      expect(await upstreams()).toEqual([expect.objectContaining({ tlsContext: null })]);
    });

    it('policy edit sends back what it read and changes the configuration', async () => {
      const api = await newInstance();
      const applied = await cp.request('POST', `${apis()}/${api}/policies`, {
        token: tenant.token,
        json: {
          groupId: '68ef9520-24e9-4cf2-b2f5-620025690913',
          assetId: 'rate-limiting',
          assetVersion: '1.4.1',
          configurationData: {
            rateLimits: [{ maximumRequests: 10, timePeriodInMilliseconds: 1000 }],
            clusterizable: true,
            exposeHeaders: false,
          },
        },
      });
      expect(applied.status).toBe(201);
      const config = {
        rateLimits: [{ maximumRequests: 25, timePeriodInMilliseconds: 1000 }],
        clusterizable: true,
        exposeHeaders: false,
      };
      const edited = await cli.run([
        'api-mgr',
        'policy',
        'edit',
        String(api),
        String(applied.body.id),
        '-c',
        JSON.stringify(config),
      ]);
      expect(edited).toMatchObject({ code: 0, stdout: `Policy with ID "${applied.body.id}" edited.\n` });
      const read = await cp.request('GET', `${apis()}/${api}/policies/${applied.body.id}`, { token: tenant.token });
      expect(read.body.configurationData.rateLimits).toEqual(config.rateLimits);
    });

    it('api promote is refused by name while Portico cannot promote, and creates nothing', async () => {
      const api = await newInstance();
      const before = await testPrisma().apiInstance.count({ where: { organizationId: tenant.organizationId } });
      const production = await anypointCli(
        cp.url,
        caFile,
        { username: tenant.username, password: tenant.password },
        { environment: 'Production' },
      );
      const result = await production.run(['api-mgr', 'api', 'promote', String(api), tenant.sandboxId]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('promote');
      expect(await testPrisma().apiInstance.count({ where: { organizationId: tenant.organizationId } })).toBe(before);
    });
  });
});
