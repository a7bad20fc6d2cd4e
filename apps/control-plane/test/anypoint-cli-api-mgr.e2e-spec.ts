/**
 * The rest of anypoint-cli-v4's `api-mgr` commands on instances, upstreams, policies and
 * contracts, each run unmodified against Portico and its effect read back over REST.
 */
import { MCP_SUPPORT, createMcpInstance } from './support/gateways.js';
import { type AnypointCli, startCliControlPlane } from './support/anypoint-cli.js';
import type { TestControlPlane } from './support/control-plane.js';
import { closeTestPrisma, newMcpAsset, testPrisma, type TestTenant, uniqueName } from './support/factories.js';

const RATE_LIMITING = { groupId: MCP_SUPPORT.groupId, assetId: 'rate-limiting', assetVersion: '1.4.1' };

describe('anypoint-cli-v4 api-mgr against Portico', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let cli: AnypointCli;
  let port = 24_000;

  beforeAll(async () => {
    ({ cp, tenant, cli } = await startCliControlPlane());
  }, 300_000);
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  const apis = () => `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  const read = async (path: string) => (await cp.request('GET', path, { token: tenant.token })).body;
  const newInstance = async () =>
    (await createMcpInstance(cp, tenant, { upstreamUrl: 'http://127.0.0.1:3001/', port: port++, basePath: '/cli' })).apiId;
  const run = async (args: string[]) => {
    const result = await cli.run(args);
    expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
    return result.stdout;
  };

  describe('api', () => {
    it('lists and describes instances as the REST API shows them', async () => {
      const api = await newInstance();
      const rest = await read(`${apis()}/${api}`);
      const listed = await cli.json<Record<string, any>[]>(['api-mgr', 'api', 'list', '--assetId', rest.assetId]);
      expect(listed).toEqual([expect.objectContaining({ id: api, assetId: rest.assetId, assetVersion: rest.assetVersion })]);
      const described = await cli.json(['api-mgr', 'api', 'describe', String(api)]);
      expect(described).toMatchObject({ id: api, assetId: rest.assetId, endpoint: { proxyUri: rest.endpoint.proxyUri } });
    });

    it('manage creates an instance of an Exchange asset, edit changes it, delete removes it', async () => {
      const asset = await newMcpAsset(tenant.organizationId);
      const created = await run([
        'api-mgr',
        'api',
        'manage',
        asset.assetId,
        asset.version,
        '--isFlex',
        '--deploymentType',
        'hybrid',
        '--type',
        'http',
        '--uri',
        'http://127.0.0.1:3003/',
        '--apiInstanceLabel',
        'managed-by-cli',
      ]);
      const id = Number(/Created new API with ID: (\d+)/.exec(created)![1]);
      expect(await read(`${apis()}/${id}`)).toMatchObject({
        assetId: asset.assetId,
        instanceLabel: 'managed-by-cli',
        technology: 'flexGateway',
        endpoint: { uri: 'http://127.0.0.1:3003/' },
      });

      expect(
        await run(['api-mgr', 'api', 'edit', String(id), '--apiInstanceLabel', 'edited', '--uri', 'http://127.0.0.1:3004/']),
      ).toBe(`Edited API with ID: ${id}\n`);
      expect(await read(`${apis()}/${id}`)).toMatchObject({
        instanceLabel: 'edited',
        endpoint: { uri: 'http://127.0.0.1:3004/' },
      });

      expect(await run(['api-mgr', 'api', 'delete', String(id)])).toBe('API deleted\n');
      expect((await cp.request('GET', `${apis()}/${id}`, { token: tenant.token })).status).toBe(404);
    });

    it('change-specification moves the instance to another version of its asset', async () => {
      const api = await newInstance();
      const rest = await read(`${apis()}/${api}`);
      await newMcpAsset(tenant.organizationId, '1.0.1', rest.assetId);
      expect(await run(['api-mgr', 'api', 'change-specification', String(api), '1.0.1'])).toBe(
        `API instance "${api}" asset version changed to "1.0.1"\n`,
      );
      expect((await read(`${apis()}/${api}`)).assetVersion).toBe('1.0.1');
    });

    it('deploy and redeploy put the instance on a gateway target', async () => {
      const api = await newInstance();
      const gateways = `/standalone/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/gateways`;
      const gw = await cp.request('POST', gateways, { token: tenant.token, json: { name: uniqueName('cli-target') } });
      expect(gw.status).toBe(201);
      await run(['api-mgr', 'api', 'deploy', String(api), '--target', gw.body.id]);
      const deployed = (await read(`${apis()}/${api}`)).deployment;
      expect(deployed).toMatchObject({ targetId: gw.body.id });
      expect(await run(['api-mgr', 'api', 'redeploy', String(api), '--target', gw.body.id])).toBe(
        `Redeployed API with ID "${api}"\n`,
      );
      const redeployed = await testPrisma().deployment.findUniqueOrThrow({ where: { apiId: api } });
      expect(redeployed.updatedAt.getTime()).toBeGreaterThan(
        new Date(deployed.audit.updated.date ?? deployed.audit.created.date).getTime(),
      );
    });
  });

  describe('upstream', () => {
    it('adds, lists, edits and deletes an upstream', async () => {
      const api = await newInstance();
      const upstreams = () => read(`${apis()}/${api}/upstreams`).then((b) => b.upstreams as Record<string, any>[]);
      const added = await run(['api-mgr', 'upstream', 'add', String(api), 'http://127.0.0.1:3005/', '--label', 'second']);
      const id = /Created upstream with ID "([^"]+)"/.exec(added)![1]!;
      expect(await upstreams()).toContainEqual(expect.objectContaining({ id, uri: 'http://127.0.0.1:3005/', label: 'second' }));
      expect(await run(['api-mgr', 'upstream', 'list', String(api)])).toContain('http://127.0.0.1:3005/');

      expect(
        await run(['api-mgr', 'upstream', 'edit', String(api), id, '--uri', 'http://127.0.0.1:3006/', '--label', 'moved']),
      ).toBe(`Upstream with ID "${id}" edited\n`);
      expect(await upstreams()).toContainEqual(expect.objectContaining({ id, uri: 'http://127.0.0.1:3006/', label: 'moved' }));

      expect(await run(['api-mgr', 'upstream', 'delete', String(api), id])).toBe(
        `Deleted upstream with ID "${id}" from API with ID "${api}"\n`,
      );
      expect((await upstreams()).map((u) => u.id)).not.toContain(id);
    });
  });

  describe('policy', () => {
    it('disables, enables, reorders and removes applied policies', async () => {
      const api = await newInstance();
      const policies = `${apis()}/${api}/policies`;
      const ids: number[] = [];
      for (const body of [
        { ...MCP_SUPPORT, configurationData: {} },
        { ...RATE_LIMITING, configurationData: { rateLimits: [{ maximumRequests: 9, timePeriodInMilliseconds: 1000 }] } },
      ]) {
        const res = await cp.request('POST', policies, { token: tenant.token, json: body });
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      const [support, limit] = ids as [number, number];
      const stored = () => read(`${policies}?fullInfo=false`) as Promise<Record<string, any>[]>;

      await run(['api-mgr', 'policy', 'disable', String(api), String(limit)]);
      expect((await stored()).find((p) => p.id === limit)).toMatchObject({ disabled: true });
      await run(['api-mgr', 'policy', 'enable', String(api), String(limit)]);
      expect((await stored()).find((p) => p.id === limit)).toMatchObject({ disabled: false });

      await run(['api-mgr', 'policy', 'order', String(api), `${limit},${support}`, '--commaSeparated']);
      expect((await stored()).map((p) => [p.id, p.order])).toEqual([
        [limit, 1],
        [support, 2],
      ]);

      expect(await run(['api-mgr', 'policy', 'remove', String(api), String(limit)])).toBe(
        `Policy with ID "${limit}" removed from API with ID "${api}"\n`,
      );
      expect((await stored()).map((p) => p.id)).toEqual([support]);
    });
  });

  describe('contract', () => {
    it('lists the contracts of an instance with their applications', async () => {
      const api = await newInstance();
      const app = await cp.request('POST', `/exchange/api/v2/organizations/${tenant.organizationId}/applications`, {
        token: tenant.token,
        json: { name: uniqueName('cli-app') },
      });
      const contract = await cp.request('POST', `${apis()}/${api}/contracts`, {
        token: tenant.token,
        json: { applicationId: app.body.id, acceptedTerms: true },
      });
      expect(contract.status).toBe(201);
      const listed = await cli.json<Record<string, any>[]>(['api-mgr', 'contract', 'list', String(api)]);
      expect(listed).toEqual([expect.objectContaining({ id: contract.body.id, status: 'APPROVED' })]);
    });
  });
});
