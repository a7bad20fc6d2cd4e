/**
 * ACKs decide deployments: once every live replica of a target applied a deployment's revision it
 * is `applied`, also when the replicas acknowledge that revision at the same moment (each ACK's
 * transaction would otherwise read the other replica's older revision, and neither would decide).
 */
import { startControlPlane, type TestControlPlane } from '../../test/support/control-plane.js';
import {
  closeTestPrisma,
  newMcpAsset,
  newTenant,
  testPrisma,
  type TestTenant,
  uniqueName,
} from '../../test/support/factories.js';
import { ConfigSyncRepository } from './config-sync.repository.js';

describe('replica ACKs', () => {
  let cp: TestControlPlane;
  let tenant: TestTenant;
  let repo: ConfigSyncRepository;
  let targetId: string;
  let apis: string;

  beforeAll(async () => {
    cp = await startControlPlane();
    tenant = await newTenant(cp);
    repo = cp.app.get(ConfigSyncRepository);
    targetId = (
      await testPrisma().gatewayTarget.create({
        data: { organizationId: tenant.organizationId, environmentId: tenant.sandboxId, name: uniqueName('gw') },
      })
    ).id;
    const now = new Date();
    for (const replicaId of ['a', 'b']) {
      await testPrisma().gatewayReplica.create({
        data: { targetId, replicaId, gatewayVersion: '1.0.0', capabilities: [], connectedAt: now, lastSeenAt: now },
      });
    }
    apis = `/apimanager/api/v1/organizations/${tenant.organizationId}/environments/${tenant.sandboxId}/apis`;
  });
  afterAll(async () => {
    await cp?.close();
    await closeTestPrisma();
  });

  it('applies a deployment both replicas acknowledge at once', async () => {
    for (let i = 0; i < 8; i++) {
      const created = await cp.request('POST', apis, {
        token: tenant.token,
        json: {
          technology: 'flexGateway',
          spec: await newMcpAsset(tenant.organizationId),
          endpoint: {
            deploymentType: 'HY',
            type: 'mcp',
            uri: 'http://127.0.0.1:9/',
            proxyUri: `http://0.0.0.0:${18100 + i}/acks`,
          },
        },
      });
      const deployed = await cp.request('POST', `${apis}/${created.body.id}/deployments`, {
        token: tenant.token,
        json: { type: 'HY', targetId, gatewayVersion: '1.0.0', environmentId: tenant.sandboxId },
      });
      expect(deployed.status).toBe(201);
      const { configRevision } = await testPrisma().deployment.findUniqueOrThrow({ where: { apiId: created.body.id } });
      const liveSince = new Date(Date.now() - 60_000);
      await testPrisma().gatewayReplica.updateMany({ where: { targetId }, data: { lastSeenAt: new Date() } });
      await Promise.all(['a', 'b'].map((replica) => repo.ack(targetId, replica, Number(configRevision), 'h', [], liveSince)));
      expect((await testPrisma().deployment.findUniqueOrThrow({ where: { apiId: created.body.id } })).status).toBe('applied');
    }
  });
});
