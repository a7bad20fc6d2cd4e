/**
 * Configuration revisions: the database triggers bump a target's revision and NOTIFY in the
 * writing transaction (and only if it commits); the sync service's own status writes do not;
 * the RevisionWatcher hears the notifications and polls behind them, also across a lost
 * LISTEN connection.
 */
import pg from 'pg';
import { startControlPlane, testDatabaseUrl, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newMcpAsset,
  newTenant,
  testPrisma,
  type TestTenant,
  uniqueName,
} from '../../test/support/factories.js';
import { MCP_SUPPORT } from '../../test/support/gateways.js';
import { RevisionWatcher } from './revision-watcher.js';

const WATCHER_NAME = 'revisions-spec-watcher';

describe('configuration revisions', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let targetId: string;
  let apiId: number;
  let apis: string;
  let watcher: RevisionWatcher;
  const changes: string[] = [];
  let polls = 0;

  const revision = async () =>
    Number((await testPrisma().gatewayTarget.findUniqueOrThrow({ where: { id: targetId } })).configRevision);
  const deployment = () => testPrisma().deployment.findUniqueOrThrow({ where: { apiId } });
  const heard = (count: number) => waitUntil(() => changes.filter((id) => id === targetId).length >= count);

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    targetId = (
      await testPrisma().gatewayTarget.create({
        data: { organizationId: tenant.organizationId, environmentId: tenant.sandboxId, name: uniqueName('gw') },
      })
    ).id;
    // Named, so the test can cut exactly this watcher's connection (other test files' control planes listen too).
    const url = new URL(testDatabaseUrl());
    url.searchParams.set('application_name', WATCHER_NAME);
    watcher = new RevisionWatcher({
      databaseUrl: url.toString(),
      pollIntervalMs: 200,
      onChange: (id) => changes.push(id),
      onPoll: () => polls++,
    });
    await watcher.start();
    apis = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
    const created = await cp.request('POST', apis, {
      token: tenant.token,
      json: {
        technology: 'flexGateway',
        spec: await newMcpAsset(tenant.organizationId),
        endpoint: { deploymentType: 'HY', type: 'mcp', uri: 'http://127.0.0.1:9/', proxyUri: 'http://0.0.0.0:18081/rev' },
      },
    });
    apiId = created.body.id;
  });

  afterAll(async () => {
    await watcher?.stop();
    await cp?.close();
    await closeTestPrisma();
  });

  it('bumps the revision when an instance is deployed, and records it on the deployment', async () => {
    expect(await revision()).toBe(0);
    const res = await cp.request('POST', `${apis}/${apiId}/deployments`, {
      token: tenant.token,
      json: { type: 'HY', targetId, gatewayVersion: '1.0.0', environmentId: tenant.sandboxId },
    });
    expect(res.status).toBe(201);
    expect(await revision()).toBe(1);
    expect(await deployment()).toMatchObject({ status: 'applying', configRevision: 1n });
    await heard(1);
  });

  it('puts the deployment back to applying on a policy change, with a new revision', async () => {
    await testPrisma().deployment.update({ where: { apiId }, data: { status: 'applied' } });
    const before = await revision();
    const res = await cp.request('POST', `${apis}/${apiId}/policies`, {
      token: tenant.token,
      json: { ...MCP_SUPPORT, configurationData: {} },
    });
    expect(res.status).toBe(201);
    const after = await revision();
    expect(after).toBeGreaterThan(before);
    expect(await deployment()).toMatchObject({ status: 'applying', configRevision: BigInt(after) });
  });

  it('does not bump for what the sync service writes: deployment and instance status', async () => {
    const before = await revision();
    await testPrisma().deployment.update({ where: { apiId }, data: { status: 'applied' } });
    await testPrisma().apiInstance.update({ where: { id: apiId }, data: { status: 'active' } });
    await testPrisma().deployment.update({ where: { apiId }, data: { status: 'failed' } });
    expect(await revision()).toBe(before);
  });

  it('neither bumps nor notifies when the writing transaction rolls back', async () => {
    const before = await revision();
    const heardBefore = changes.length;
    await expect(
      testPrisma().$transaction(async (tx) => {
        await tx.apiInstance.update({ where: { id: apiId }, data: { proxyBasePath: '/rolled-back' } });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await revision()).toBe(before);
    // A committed change afterwards is heard; the rolled-back one never was.
    await testPrisma().apiInstance.update({ where: { id: apiId }, data: { proxyBasePath: '/committed' } });
    await waitUntil(() => changes.length > heardBefore);
    expect(changes.slice(heardBefore)).toEqual([targetId]);
    expect(await revision()).toBe(before + 1);
  });

  it('bumps for the columns Listener.hosts is built from: proxyUri and endpointUri', async () => {
    const before = await revision();
    await testPrisma().apiInstance.update({ where: { id: apiId }, data: { endpointUri: 'https://mcp.example.com/rev' } });
    expect(await revision()).toBe(before + 1);
    await testPrisma().apiInstance.update({ where: { id: apiId }, data: { proxyUri: 'http://mcp.internal:18081/rev' } });
    expect(await revision()).toBe(before + 2);
  });

  it('bumps when the target is deleted', async () => {
    const before = await revision();
    await testPrisma().gatewayTarget.update({ where: { id: targetId }, data: { deletedAt: new Date() } });
    expect(await revision()).toBe(before + 1);
    await testPrisma().gatewayTarget.update({ where: { id: targetId }, data: { deletedAt: null } });
  });

  it('polls, and re-listens after losing its connection', async () => {
    const pollsBefore = polls;
    await waitUntil(() => polls >= pollsBefore + 2);
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
        [WATCHER_NAME],
      );
      expect(killed.rowCount).toBe(1);
      // It comes back on a new connection and LISTENs again.
      await waitUntil(async () => {
        const listening = await admin.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query = 'LISTEN portico_config' AND pid <> $2`,
          [WATCHER_NAME, killed.rows[0].pid],
        );
        return (listening.rowCount ?? 0) > 0;
      });
    } finally {
      await admin.end();
    }
    const heardBefore = changes.length;
    await testPrisma().apiInstance.update({ where: { id: apiId }, data: { proxyBasePath: '/after-reconnect' } });
    await waitUntil(() => changes.length > heardBefore);
  });
});

async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
