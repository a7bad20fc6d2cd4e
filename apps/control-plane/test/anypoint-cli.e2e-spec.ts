/**
 * MuleSoft's unmodified anypoint-cli-v4 1.6.12 against Portico over HTTPS, as an API Manager user
 * runs it: sign-in with a user, a connected app and a bearer token, the account commands, and the
 * commands that once reported success while Portico did nothing or did something else. Every
 * effect is read back over REST, not taken from the exit code.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startEverythingServer, startGatewayProcess } from '#portico/testing';
import { anypointCli, type AnypointCli, type CliControlPlane, startCliControlPlane } from './support/anypoint-cli.js';
import type { TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, testPrisma, type TestTenant, uniqueName } from './support/factories.js';
import { createMcpInstance, echo, MCP_SUPPORT, registerGateway, rolledOut } from './support/gateways.js';

describe('anypoint-cli-v4 against Portico', () => {
  let cp: TestControlPlane;
  let caFile: string;
  let tenant: TestTenant;
  let cli: AnypointCli;
  let cliAs: CliControlPlane['cliAs'];

  beforeAll(async () => {
    ({ cp, caFile, tenant, cli, cliAs } = await startCliControlPlane());
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
  });

  describe('api-mgr: promotion, autodiscovery and the Mule-only commands', () => {
    it('api promote copies a Sandbox instance into Production with its policies and tiers', async () => {
      const api = await newInstance();
      const policies = `${apis()}/${api}/policies`;
      const applied = await cp.request('POST', policies, {
        token: tenant.token,
        json: { ...MCP_SUPPORT, configurationData: {} },
      });
      expect(applied.status).toBe(201);
      const tier = await cp.request('POST', `${apis()}/${api}/tiers`, {
        token: tenant.token,
        json: { name: 'Gold', limits: [{ maximumRequests: 5, timePeriodInMilliseconds: 1000 }] },
      });
      expect(tier.status).toBe(201);
      const production = await cliAs({ environment: 'Production' });
      const result = await production.run(['api-mgr', 'api', 'promote', String(api), tenant.sandboxId]);
      expect(result).toMatchObject({
        code: 0,
        stdout: `API with ID "${api}" promoted from "${tenant.sandboxId}" to "Production"\n`,
      });
      const prodApis = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.productionId}/apis`;
      const promoted = await testPrisma().apiInstance.findFirstOrThrow({
        where: { organizationId: tenant.organizationId, environmentId: tenant.productionId, instanceLabel: '(Promoted)' },
      });
      const read = await cp.request('GET', `${prodApis}/${promoted.id}`, { token: tenant.token });
      const source = await cp.request('GET', `${apis()}/${api}`, { token: tenant.token });
      expect(read.body).toMatchObject({ assetId: source.body.assetId, endpoint: { proxyUri: source.body.endpoint.proxyUri } });
      const copied = await cp.request('GET', `${prodApis}/${promoted.id}/policies?fullInfo=false`, { token: tenant.token });
      expect(copied.body.map((p: { assetId: string }) => p.assetId)).toEqual(['mcp-support']);
      const tiers = await cp.request('GET', `${prodApis}/${promoted.id}/tiers`, { token: tenant.token });
      expect(tiers.body.tiers.map((t: { name: string }) => t.name)).toEqual(['Gold']);

      // promoting it again would take the same label in Production: refused by name, nothing written
      const again = await production.run(['api-mgr', 'api', 'promote', String(api), tenant.sandboxId]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('(Promoted)');
      expect(await testPrisma().apiInstance.count({ where: { environmentId: tenant.productionId } })).toBe(1);
    });

    it('api autodiscovery shows the properties that pair a runtime with the instance', async () => {
      const api = await newInstance();
      const props = await cli.json(['api-mgr', 'api', 'autodiscovery', String(api), '1.0.0']);
      const read = await cp.request('GET', `${apis()}/${api}`, { token: tenant.token });
      expect(props).toMatchObject({
        apiId: api,
        autodiscoveryInstanceName: read.body.autodiscoveryInstanceName,
        gatewayVersion: '1.0.0',
      });
    });

    it('api download-proxy and api classify say Portico has no Mule runtime, and change nothing', async () => {
      const api = await newInstance();
      const dir = await mkdtemp(path.join(tmpdir(), 'portico-proxy-'));
      const download = await cli.run(['api-mgr', 'api', 'download-proxy', String(api), dir]);
      expect(download.code).toBe(2);
      expect(download.stderr.replace(/\s+›?\s*/g, ' ')).toContain('Portico has no Mule runtime');
      expect(await readdir(dir)).toEqual([]);
      const classify = await cli.run(['api-mgr', 'api', 'classify', 'Production', String(api)]);
      expect(classify.code).toBe(2);
      expect(classify.stderr.replace(/\s+›?\s*/g, ' ')).toContain('no unclassified environments');
      expect((await cp.request('GET', `${apis()}/${api}`, { token: tenant.token })).body.environmentId).toBe(tenant.sandboxId);
    });
  });

  describe('api-mgr tier', () => {
    it('adds, lists, copies and deletes SLA tiers', async () => {
      const [source, target] = [await newInstance(), await newInstance()];
      const tiersOf = async (api: number) =>
        (await cp.request('GET', `${apis()}/${api}/tiers`, { token: tenant.token })).body.tiers as Record<string, any>[];

      const added = await cli.run([
        'api-mgr',
        'tier',
        'add',
        String(source),
        '--name',
        'Gold',
        '--description',
        'the best',
        '--limit',
        'true,100,min',
        '--limit',
        'false,5,sec',
        '--autoApprove',
      ]);
      expect(added.code).toBe(0);
      const [gold] = await tiersOf(source);
      expect(added.stdout).toBe(`Created SLA Tier with ID "${gold!.id}"\n`);
      expect(gold).toMatchObject({
        name: 'Gold',
        description: 'the best',
        autoApprove: true,
        limits: [
          { visible: true, maximumRequests: 100, timePeriodInMilliseconds: 60_000 },
          { visible: false, maximumRequests: 5, timePeriodInMilliseconds: 1000 },
        ],
      });
      expect((await cli.run(['api-mgr', 'tier', 'add', String(source), '--name', 'Silver', '--limit', 'true,10,min'])).code).toBe(
        0,
      );

      const listed = await cli.json<Record<string, any>[]>(['api-mgr', 'tier', 'list', String(source)]);
      expect(listed.map((t) => t.name)).toEqual(['Gold', 'Silver']);
      const searched = await cli.json<Record<string, any>[]>(['api-mgr', 'tier', 'list', String(source), 'gol']);
      expect(searched.map((t) => t.name)).toEqual(['Gold']);

      // the target has a Silver tier to update and a Bronze one the copy removes
      for (const name of ['Silver', 'Bronze']) {
        const res = await cp.request('POST', `${apis()}/${target}/tiers`, {
          token: tenant.token,
          json: { name, limits: [{ maximumRequests: 1, timePeriodInMilliseconds: 1000 }] },
        });
        expect(res.status).toBe(201);
      }
      const copied = await cli.run(['api-mgr', 'tier', 'copy', String(source), String(target)]);
      expect(copied.code).toBe(0);
      const targetTiers = await tiersOf(target);
      expect(targetTiers.map((t) => [t.name, t.limits[0].maximumRequests]).sort()).toEqual([
        ['Gold', 100],
        ['Silver', 10],
      ]);

      const deleted = await cli.run(['api-mgr', 'tier', 'delete', String(source), String(gold!.id)]);
      expect(deleted).toMatchObject({ code: 0, stdout: `Deleted SLA tier with ID "${gold!.id}" from API with ID "${source}"\n` });
      expect((await tiersOf(source)).map((t) => t.name)).toEqual(['Silver']);
    });
  });

  describe('api-mgr policy (templates by id)', () => {
    it('lists the policy templates and describes one by its id', async () => {
      const templates = await cli.json<Record<string, any>[]>(['api-mgr', 'policy', 'list']);
      const rest = await cp.request('GET', `/apimanager/api/v1/organizations/${tenant.organizationId}/policy-templates`, {
        token: tenant.token,
      });
      expect(templates.map((t) => t.ID)).toEqual(rest.body.map((t: { id: string }) => t.id));
      expect(templates.find((t) => t.ID === 'rate-limiting')).toMatchObject({ Category: 'Quality of service' });

      const described = await cli.json(['api-mgr', 'policy', 'describe', 'rate-limiting']);
      expect(described).toMatchObject({ name: 'Rate Limiting', configuration: expect.any(Array) });
      // Mule 4 / Flex form: the catalog from the Exchange Graph API, a template's policy-definition file
      const catalog = await cli.json<Record<string, any>[]>(['api-mgr', 'policy', 'list', '--muleVersion4OrAbove']);
      expect(catalog).toContainEqual(
        expect.objectContaining({
          'Group ID': MCP_SUPPORT.groupId,
          'Asset ID': 'mcp-support',
          Version: MCP_SUPPORT.assetVersion,
        }),
      );
      const versioned = await cli.json(['api-mgr', 'policy', 'describe', 'rate-limiting', '--policyVersion', '1.4.1']);
      const { name, category, description, configuration } = described;
      expect(versioned).toEqual({ name, category, description, configuration });
      const unknown = await cli.run(['api-mgr', 'policy', 'describe', 'no-such-policy']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('There is no policy template defined under the specified id.');
    });

    it('applies a template named by id only (its latest version) and lists it on the instance', async () => {
      const api = await newInstance();
      const config = { rateLimits: [{ maximumRequests: 3, timePeriodInMilliseconds: 1000 }], exposeHeaders: false };
      const applied = await cli.run([
        'api-mgr',
        'policy',
        'apply',
        String(api),
        'rate-limiting',
        '--config',
        JSON.stringify(config),
      ]);
      expect(applied.code).toBe(0);
      const policies = await cp.request('GET', `${apis()}/${api}/policies?fullInfo=false`, { token: tenant.token });
      expect(policies.body).toEqual([
        expect.objectContaining({
          assetId: 'rate-limiting',
          assetVersion: '1.4.1',
          configurationData: expect.objectContaining(config),
        }),
      ]);
      expect(applied.stdout).toBe(`Policy applied. New policy ID: "${policies.body[0].id}"\n`);
      const listed = await cli.json<Record<string, any>[]>(['api-mgr', 'policy', 'list', String(api)]);
      expect(listed).toEqual([
        expect.objectContaining({ ID: policies.body[0].id, 'Asset ID': 'rate-limiting', Status: 'Enabled' }),
      ]);
    });
  });
});
